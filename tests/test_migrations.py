"""The committed migrations build exactly the schema the models describe."""

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from pprint import pformat

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from forum import create_app
from forum.extensions import db


def _differences(engine: sa.Engine) -> list:
    """Return what autogenerate would put into a new migration (nothing, ideally)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def _script_directory(app) -> ScriptDirectory:
    return ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())


def test_upgraded_database_matches_the_models(app):
    # The session database was built by `upgrade()` from empty (tests/conftest.py).
    with app.app_context():
        differences = _differences(db.engine)
    assert differences == [], (
        "The models and the migrations disagree; draft a migration with "
        "`flask --app forum db migrate -m ...` and review it:\n" + pformat(differences)
    )


def test_migrations_do_not_import_the_application():
    # A migration must run the same way years later, whatever forum/ looks like then.
    versions = Path(__file__).resolve().parents[1] / "forum" / "migrations" / "versions"
    offenders = [
        path.name
        for path in versions.glob("*.py")
        if re.search(r"^\s*(from|import)\s+forum\b", path.read_text(), re.MULTILINE)
    ]
    assert offenders == []


def test_there_is_one_head_and_the_database_is_at_it(app):
    with app.app_context():
        heads = _script_directory(app).get_heads()
        with db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
    assert len(heads) == 1, f"Migration branches must be merged: heads {heads}"
    assert tuple(current) == tuple(heads)


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    """Return a database of its own, on the same kind of server as the test run."""
    server_url = os.environ.get("FORUM_TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
        return
    name = f"forum_roundtrip_{uuid.uuid4().hex[:12]}"
    admin_engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin_engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


def test_downgrade_to_base_and_upgrade_again(empty_database_url, tmp_path):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": empty_database_url},
        instance_path=str(tmp_path / "instance"),
    )
    with app.app_context():
        try:
            upgrade()
            downgrade(revision="base")
            assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            assert _differences(db.engine) == []
        finally:
            db.engine.dispose()
