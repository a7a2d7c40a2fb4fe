"""The committed migrations build exactly the schema the models describe."""

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from pprint import pformat

import click
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from forum import create_app
from forum.extensions import db, init_migrate
from forum.search.models import SearchDocument, SearchTerm

# Alembic cannot compare expression indexes on SQLite (the PostgreSQL
# backend's ix_search_documents_public_ids, not built there); PostgreSQL's are.
pytestmark = pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index"
)


def _differences(engine: sa.Engine) -> list:
    """Return what autogenerate would put into a new migration (nothing, ideally)."""
    _PLUGIN_TABLES.update(_plugin_tables())
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _core_only}
        )
        return compare_metadata(context, db.metadata)


def _plugin_tables() -> set[str]:
    """Names of the bundled plugins' tables (their models are tagged
    ``info={"plugin": ...}``); importing every plugin puts them in the metadata."""
    from flask import current_app

    from forum.plugins import plugin_infos

    plugin_infos(current_app)
    return {table.name for table in db.metadata.tables.values() if table.info.get("plugin")}


def _core_only(obj, name, type_, reflected, compare_to) -> bool:
    """Leave out plugin tables: they live on the plugins' own migration
    branches and are compared in the plugins' tests."""
    for candidate in (obj, compare_to):
        table = candidate if type_ == "table" else getattr(candidate, "table", None)
        if table is not None and table.name in _PLUGIN_TABLES:
            return False
    return True


_PLUGIN_TABLES: set[str] = set()


def _script_directory(app) -> ScriptDirectory:
    init_migrate(app)
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


def test_there_is_one_core_head_and_the_database_is_at_every_head(app):
    # Plugins bring branches of their own (one head each); the core has one.
    core = Path(__file__).resolve().parents[1] / "forum" / "migrations"
    with app.app_context():
        script = _script_directory(app)
        heads = script.get_heads()
        with db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
    core_heads = [h for h in heads if Path(script.get_revision(h).path).is_relative_to(core)]
    assert len(core_heads) == 1, f"Core migration branches must be merged: {core_heads}"
    # A plugin branch depends on a core revision, so the database records only
    # the plugin heads; every head must be among what it has applied.
    applied = {revision.revision for revision in script.iterate_revisions(current, "base")}
    assert set(heads) <= applied


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


def _migrating_app(url: str, tmp_path):
    """An app on ``url`` that can run Flask-Migrate's functions."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url},
        instance_path=str(tmp_path / "instance"),
    )
    init_migrate(app)
    return app


def test_downgrade_to_base_and_upgrade_again(empty_database_url, tmp_path):
    app = _migrating_app(empty_database_url, tmp_path)
    with app.app_context():
        try:
            upgrade(revision="heads")
            downgrade(revision="base")
            assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade(revision="heads")
            assert _differences(db.engine) == []
        finally:
            db.engine.dispose()


def test_only_the_command_line_loads_flask_migrate(app_config, tmp_path):
    # A web worker never migrates: Alembic and Mako would cost it ~12 MB.
    web = create_app(app_config, instance_path=str(tmp_path / "web"))
    assert "migrate" not in web.extensions and "db" not in web.cli.commands
    config = {**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    with click.Context(click.Command("flask")).scope():
        command_line = create_app(config, instance_path=str(tmp_path / "cli"))
    assert "migrate" in command_line.extensions
    result = command_line.test_cli_runner().invoke(args=["db", "upgrade", "heads"])
    assert result.exit_code == 0, result.output
    with command_line.app_context():
        assert "topics" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_search_documents_get_their_filter_columns_on_upgrade(empty_database_url, tmp_path):
    if not empty_database_url.startswith("postgresql"):
        pytest.skip("only the PostgreSQL backend keeps rows in search_documents")
    app = _migrating_app(empty_database_url, tmp_path)
    with app.app_context():
        try:
            # The content is made with today's models, then the schema goes back to
            # when documents held only their vectors (later migrations add columns
            # the models need, so the models cannot write to the old schema).
            upgrade(revision="heads")
            from forum.auth.accounts import create_user
            from forum.boards.services import create_category, create_topic
            from forum.users.models import Role

            author = create_user(
                "anna", "anna@example.org", "lang-genug-123", role=Role.MEMBER, confirmed=True
            )
            category = create_category("Intern", read_level="members")
            topic = create_topic(author, category, "Tafel", "Brot für alle.")
            topic.closed = topic.unlisted = True
            db.session.commit()
            post = db.session.scalar(sa.text("SELECT id FROM posts"))
            topic_id, category_id, author_id = topic.id, category.id, author.id
            db.session.remove()
            downgrade(revision="c3be5888470b")
            db.session.execute(sa.text("DELETE FROM search_documents"))
            db.session.execute(
                sa.text(
                    "UPDATE posts SET hidden_at = now(), like_count = 3, "
                    "created_at = '2026-01-02 03:04:05+00'"
                )
            )
            db.session.execute(
                sa.text(
                    "INSERT INTO search_documents (post_id, vector, indexed_at) "
                    "VALUES (:post, to_tsvector('german', 'Tafel Brot'), now())"
                ),
                {"post": post},
            )
            db.session.commit()
            ids = (post, topic_id, category_id, author_id)
            upgrade(revision="heads")
            with db.engine.connect() as connection:
                row = connection.execute(sa.text("SELECT * FROM search_documents")).one()
            assert row._asdict() | {"vector": None, "indexed_at": None} == {
                "post_id": ids[0], "topic_id": ids[1], "category_id": ids[2], "user_id": ids[3],
                "post_number": 1, "level": "members", "flags": ["post_hidden", "topic_unlisted"],
                "closed": True, "like_count": 3, "vector": None, "indexed_at": None,
                "created_at": row.created_at, "boost": 1.0,
                # A first post's title part of the vector (weight A): none in this one.
                "title_vector": "",
            }  # fmt: skip
            assert row.created_at.isoformat() == "2026-01-02T03:04:05+00:00"
        finally:
            db.session.remove()
            app.extensions["search"].close()
            db.engine.dispose()


_INDEX_KINDS = sa.text(
    """
    SELECT index_class.relname AS name, method.amname AS kind,
           pg_index.indpred IS NOT NULL AS partial,
           ARRAY(SELECT opcname FROM pg_opclass
                 WHERE oid = ANY(pg_index.indclass) AND NOT opcdefault) AS ops,
           COALESCE(index_class.reloptions, '{}') AS storage
    FROM pg_index
    JOIN pg_class index_class ON index_class.oid = pg_index.indexrelid
    JOIN pg_class table_class ON table_class.oid = pg_index.indrelid
    JOIN pg_am method ON method.oid = index_class.relam
    WHERE table_class.relname IN ('search_documents', 'search_terms') AND NOT pg_index.indisprimary
    """
)


def test_the_search_indexes_on_postgresql_are_of_the_kinds_the_models_name(app):
    """Alembic compares an index's columns, not its kind, condition, operator
    class or storage: the models must name them (forum/search/models.py gives
    them when the app runs on PostgreSQL) for create_all() and a new migration
    to build what the migrations built."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("index kinds of PostgreSQL")
        built = {
            row.name: (row.kind, row.partial, sorted(row.ops), sorted(row.storage))
            for row in db.session.execute(_INDEX_KINDS)
        }
    named = {}
    for table in (SearchDocument.__table__, SearchTerm.__table__):
        for index in table.indexes:
            options = index.dialect_options["postgresql"]
            named[index.name] = (
                options["using"] or "btree",
                options["where"] is not None,
                sorted(options["ops"].values()),
                sorted(f"{key}={value}" for key, value in options["with"].items()),
            )
    assert built == named
    assert built["ix_search_documents_vector"][0] == "gin"  # not an empty comparison
