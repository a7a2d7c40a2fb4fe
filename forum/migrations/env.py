"""Alembic environment, run by Flask-Migrate inside the forum's app context."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from forum.db import UTCDateTime

config = context.config

# Configure logging from alembic.ini only when nobody else did (the CLI); under
# pytest or an embedding app this would replace their handlers.
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def get_engine():
    return current_app.extensions["migrate"].db.engine


def get_metadata():
    return current_app.extensions["migrate"].db.metadata


config.set_main_option(
    "sqlalchemy.url", get_engine().url.render_as_string(hide_password=False).replace("%", "%%")
)


def render_item(type_, obj, autogen_context):
    """Render our own column types as plain SQLAlchemy types.

    Migrations must not import application code that may change later;
    UTCDateTime is only a Python-side conversion around DateTime(timezone=True).
    """
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def configure_args(dialect_name: str) -> dict:
    args = dict(current_app.extensions["migrate"].configure_args)
    args.setdefault("compare_type", True)
    args.setdefault("render_item", render_item)
    # SQLite cannot ALTER most things; batch mode copies the table instead.
    args.setdefault("render_as_batch", dialect_name == "sqlite")
    return args


def run_migrations_offline():
    """Emit SQL to stdout instead of running it (``flask db upgrade --sql``)."""
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=get_metadata(),
        literal_binds=True,
        **configure_args(get_engine().dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations on a connection of the app's engine."""

    # Do not write an empty migration when the models did not change.
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    engine = get_engine()
    args = configure_args(engine.dialect.name)
    args.setdefault("process_revision_directives", process_revision_directives)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=get_metadata(), **args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
