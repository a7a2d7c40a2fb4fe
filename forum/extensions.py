"""Flask extensions, created unbound and initialised in the app factory."""

import os
from pathlib import Path

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from forum.db import db

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_migrate(app) -> None:
    """Register Flask-Migrate (``flask db ...``) on ``app``, once.

    Not part of every app: Flask-Migrate brings Alembic and Mako, about 12 MB
    in each web worker that never migrates. ``create_app`` calls this under
    the ``flask`` command; scripts and tests that call ``flask_migrate``'s
    functions directly call it first.
    """
    if "migrate" in app.extensions:
        return
    from flask_migrate import Migrate

    migrate = Migrate(app, db, directory=str(MIGRATIONS_DIR))
    migrate.configure(_add_plugin_migrations)


def _add_plugin_migrations(config):
    """Let Alembic see the migration branches of the enabled plugins.

    Each plugin's tables live on a branch of their own, so the schema has
    several heads: upgrade with ``flask --app forum db upgrade heads``.
    """
    from flask import current_app

    from forum.plugins import migration_folders

    folders = migration_folders(current_app)
    if folders:
        core = MIGRATIONS_DIR / "versions"
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", os.pathsep.join([str(core), *folders]))
    return config


__all__ = ["babel", "csrf", "db", "init_migrate", "limiter", "login_manager"]


def runtime_setting(key: str):
    """Return a setting an admin may change at run time (SITE_NAME, ...).

    forum.site registers the reader (its stored values over the config); the
    core modules use this so as not to import a domain package.
    """
    from flask import current_app

    reader = current_app.extensions.get("forum.runtime_setting")
    return reader(key) if reader is not None else current_app.config[key]
