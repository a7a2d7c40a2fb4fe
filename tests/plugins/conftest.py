"""Fixtures for plugin tests: a database with the plugins' migration branches.

``plugin_app_config(names)`` returns the settings that enable ``names`` on a
database of their own, built by the real migrations (core plus the plugins'
branches, ``upgrade heads``), once per session::

    @pytest.fixture
    def app_config(app_config, plugin_app_config):
        return {**app_config, **plugin_app_config(["events"])}

A database of its own keeps the session database at the core head, as
tests/test_migrations.py and ``flask init`` expect with no plugin enabled.
"""

import os
import uuid
import warnings
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from forum import create_app
from forum.extensions import db


@pytest.fixture(scope="session")
def _plugin_database(tmp_path_factory) -> Iterator[dict]:
    """A database for plugin tests and the plugins migrated into it so far."""
    server_url = os.environ.get("FORUM_TEST_DATABASE_URL")
    if not server_url:
        path = tmp_path_factory.mktemp("plugin-db") / "forum-plugins.sqlite3"
        yield {"url": f"sqlite:///{path}", "migrated": set()}
        return
    name = f"forum_plugins_{uuid.uuid4().hex[:12]}"
    admin_engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield {"url": url, "migrated": set()}
    finally:
        with admin_engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


@pytest.fixture
def plugin_app_config(_plugin_database, database_url, tmp_path_factory):
    """Return a function: plugin names -> settings enabling them on the plugin database."""
    state = _plugin_database

    def enable(names: list[str]) -> dict:
        if not set(names) <= state["migrated"]:
            # Alembic must see every branch already in the database, so the
            # upgrade runs with all plugins migrated so far.
            wanted = sorted(state["migrated"] | set(names))
            _upgrade(state["url"], wanted, tmp_path_factory)
            state["migrated"].update(names)
            _add_missing_tables(database_url)
        return {"PLUGINS": list(names), "SQLALCHEMY_DATABASE_URI": state["url"]}

    return enable


def _upgrade(url: str, names: list[str], tmp_path_factory) -> None:
    from flask_migrate import upgrade

    from forum.extensions import init_migrate

    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url, "PLUGINS": names},
        instance_path=str(tmp_path_factory.mktemp("plugin-migrate-instance")),
    )
    init_migrate(app)
    with app.app_context(), warnings.catch_warnings():
        # forum/extensions.py lists the plugin folders without Alembic's
        # path_separator (reported to the lead); remove once it sets one.
        warnings.filterwarnings(
            "ignore", message="No path_separator found", category=DeprecationWarning
        )
        upgrade(revision="heads")
        db.engine.dispose()


def _add_missing_tables(database_url: str) -> None:
    """Give the session database the plugins' tables too (outside Alembic's history).

    The plugins' models are now in ``db.metadata``; tests/conftest.py empties
    every table of it before each test, on whichever database that test uses.
    """
    engine = sa.create_engine(database_url)
    try:
        db.metadata.create_all(engine, checkfirst=True)
    finally:
        engine.dispose()


def branch_problems(app, plugin: str, tables: set[str]) -> list:
    """Return what keeps a plugin's migration branch from matching its models
    (the database was built by ``upgrade heads``) or from standing alone (a
    migration must not import the forum, which changes after it is written)."""
    import re
    from pathlib import Path

    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": lambda obj, name, type_, reflected, compare_to: (
                    type_ != "table" or obj.info.get("plugin") == plugin
                ),
            },
        )
        differences = compare_metadata(context, db.metadata)
    found = {t.name for t in db.metadata.sorted_tables if t.info.get("plugin") == plugin}
    problems: list = [] if found == tables else [("tables", sorted(found))]
    problems += [d for d in differences if any(name in repr(d) for name in tables)]
    folder = Path(__file__).resolve().parents[2] / "plugins" / plugin / "migrations"
    for path in sorted(folder.glob("*.py")):
        if re.search(r"^\s*(from|import)\s+forum", path.read_text(), re.MULTILINE):
            problems.append(("imports the forum", path.name))
    return problems
