"""Copying the database out and back in.

SQLite through its online backup API (a consistent snapshot while the forum
writes; a plain ``cp`` would miss what is still in the WAL file), PostgreSQL
through ``pg_dump --format=custom`` and ``pg_restore`` piped into one ``psql``
transaction, so a failed restore leaves the database as it was.
"""

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

KINDS = ("sqlite", "postgresql")
#: The database's file name inside the archive, per kind.
DUMP_NAMES = {"sqlite": "forum.sqlite3", "postgresql": "forum.dump"}
#: Seconds pg_dump, pg_restore or psql may take before the command gives up.
TOOL_TIMEOUT = 3600


class BackupError(Exception):
    """A problem the operator can fix; the message says what and how."""


def kind_of(engine: Engine) -> str:
    """Return "sqlite" or "postgresql", or raise BackupError for other databases."""
    name = engine.dialect.name
    if name not in KINDS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")
    return name


def label(engine: Engine) -> str:
    """Return the database's URL without its password, for messages."""
    return engine.url.render_as_string(hide_password=True)


def dump(engine: Engine, target: Path) -> list[str]:
    """Write a consistent copy of the database to ``target``; return its revisions."""
    if kind_of(engine) == "sqlite":
        return _dump_sqlite(engine, target)
    return _dump_postgres(engine, target)


def load(engine: Engine, source: Path, kind: str) -> None:
    """Replace the database's whole content with the copy in ``source``."""
    if kind_of(engine) != kind:  # pragma: no cover (the service checks the manifest first)
        raise BackupError(f"a {kind} copy cannot go into {label(engine)}")
    engine.dispose()  # no pooled connection may hold locks or an old file open
    if kind == "sqlite":
        _load_sqlite(engine, source)
    else:
        _load_postgres(engine, source)
    engine.dispose()


def tables_with_rows(engine: Engine) -> list[str]:
    """Return the tables holding rows (Alembic's own table does not count)."""
    with engine.connect() as connection:
        names = sa.inspect(connection).get_table_names()
        preparer = engine.dialect.identifier_preparer
        return [
            name
            for name in sorted(names)
            if name != "alembic_version"
            and connection.scalar(
                sa.text(f"SELECT EXISTS (SELECT 1 FROM {preparer.quote(name)})")  # noqa: S608 (a table name from the inspector, quoted)
            )
        ]


# --- SQLite ------------------------------------------------------------------------------


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"{label(engine)} is not a database file that can be backed up.")
    return Path(database)


def _dump_sqlite(engine: Engine, target: Path) -> list[str]:
    path = _sqlite_path(engine)
    if not path.is_file():
        raise BackupError(f"There is no database file {path}.")
    source = sqlite3.connect(path)
    copy = sqlite3.connect(target)
    try:
        source.execute("PRAGMA busy_timeout=10000")
        # All pages in one step: SQLite holds one read transaction for the
        # whole copy, so it is a snapshot while the forum goes on writing.
        source.backup(copy)
        _check_sqlite(copy, str(path))
        return _sqlite_revisions(copy, str(path))
    finally:
        copy.close()
        source.close()


def _check_sqlite(connection: sqlite3.Connection, name: str) -> None:
    result = connection.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{name} is damaged (SQLite quick_check: {result}).")


def _sqlite_revisions(connection: sqlite3.Connection, name: str) -> list[str]:
    try:
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError:
        rows = []
    if not rows:
        raise BackupError(
            f"{name} has no migration history; create it with `flask --app forum init`."
        )
    return sorted(row[0] for row in rows)


def _load_sqlite(engine: Engine, source: Path) -> None:
    path = _sqlite_path(engine)
    path.parent.mkdir(parents=True, exist_ok=True)
    copy = sqlite3.connect(source)
    target = sqlite3.connect(path)
    try:
        _check_sqlite(copy, "The archive's database")
        target.execute("PRAGMA busy_timeout=10000")
        # The backup API rather than replacing the file: it writes through
        # SQLite, so a WAL file of the old database cannot be replayed over it.
        copy.backup(target)
    finally:
        target.close()
        copy.close()


# --- PostgreSQL --------------------------------------------------------------------------


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """Return a libpq URI without the password, and an environment carrying it.

    The password goes by environment, not on the command line where ``ps``
    shows it to every user of the machine.
    """
    url = make_url(engine.url.render_as_string(hide_password=False))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(engine: Engine, name: str) -> str:
    """Return the path of a PostgreSQL client program able to talk to this server."""
    with engine.connect():
        server = engine.dialect.server_version_info[0]
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed; on Debian: apt-get install postgresql-client-{server}."
        )
    output = subprocess.run(  # noqa: S603 (a fixed program found on PATH)
        [path, "--version"], capture_output=True, text=True, check=False, timeout=60
    ).stdout
    found = re.search(r"(\d+)", output)
    version = int(found.group(1)) if found else 0
    if version < server:
        raise BackupError(
            f"{name} {version} is older than the PostgreSQL {server} server and cannot "
            f"handle its dumps; install postgresql-client-{server}."
        )
    return path


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    try:
        result = subprocess.run(  # noqa: S603 (PostgreSQL's own client programs)
            command, env=env, capture_output=True, text=True, check=False, timeout=TOOL_TIMEOUT
        )
    except subprocess.TimeoutExpired as error:
        raise BackupError(f"{what} took longer than {TOOL_TIMEOUT} s; stopped.") from error
    if result.returncode != 0:
        raise BackupError(f"{what} failed:\n{result.stderr.strip()}")
    return result.stdout


def _dump_postgres(engine: Engine, target: Path) -> list[str]:
    pg_dump = _tool(engine, "pg_dump")
    uri, env = _libpq(engine)
    command = [pg_dump, "--format=custom", "--no-password", f"--file={target}", f"--dbname={uri}"]
    _run(command, env, "pg_dump")
    # Read the revisions from the dump itself: that is what a restore brings back.
    return _dump_revisions(engine, target, env)


def _dump_revisions(engine: Engine, dump_file: Path, env: dict[str, str]) -> list[str]:
    pg_restore = _tool(engine, "pg_restore")
    script = _run(
        [pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(dump_file)],
        env,
        "pg_restore (reading the revisions)",
    )
    lines = script.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("COPY ")), None)
    if start is None:
        raise BackupError(
            f"{label(engine)} has no migration history; create it with `flask --app forum init`."
        )
    revisions = []
    for line in lines[start + 1 :]:
        if line == "\\.":
            break
        revisions.append(line.strip())
    return sorted(revisions)


def _load_postgres(engine: Engine, source: Path) -> None:
    pg_restore = _tool(engine, "pg_restore")
    psql = _tool(engine, "psql")
    uri, env = _libpq(engine)
    script = source.with_suffix(".sql")
    _run(
        [pg_restore, "--no-owner", "--no-acl", f"--file={script}", str(source)],
        env,
        "pg_restore",
    )
    # Emptying the schema and loading the dump run in one transaction: a failure
    # anywhere leaves the database as it was. The restoring role owns the result.
    reset = source.with_name("reset.sql")
    reset.write_text("DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n")
    command = [
        psql, "--no-password", "--quiet", "--no-psqlrc", "--single-transaction",
        "--set=ON_ERROR_STOP=1", f"--dbname={uri}", f"--file={reset}", f"--file={script}",
    ]  # fmt: skip
    _run(command, env, "psql (loading the dump)")
