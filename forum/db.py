"""The declarative base, shared column types and the Flask-SQLAlchemy handle."""

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, registry

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """Store UTC, hand back aware datetimes (SQLite forgets the time zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use forum.db.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class TextSearchVector(sa.types.TypeDecorator):
    """PostgreSQL's ``tsvector``, text elsewhere (the column is empty on SQLite).

    Not ``Text().with_variant(TSVECTOR(), "postgresql")``: naming ``TSVECTOR``
    imports SQLAlchemy's PostgreSQL dialect with all its drivers' modules
    (2.3 MB), which a SQLite worker never uses. The dialect's own type is
    loaded when a PostgreSQL engine asks for it, so DDL, Alembic's comparison
    and the values are those of ``TSVECTOR``.
    """

    impl = sa.Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import TSVECTOR

            return dialect.type_descriptor(TSVECTOR())
        return dialect.type_descriptor(sa.Text())


def dialect_insert(dialect_name: str):
    """Return the dialect's ``insert`` (the one with ``on_conflict_*``).

    Imported here, not at the top of a module: importing SQLAlchemy's
    PostgreSQL dialect loads every one of its drivers' modules (2.3 MB), which a
    SQLite worker never uses (tests/test_worker_memory.py).
    """
    if dialect_name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


class Base(DeclarativeBase):
    # One registry carries both settings; Flask-SQLAlchemy subclasses this base
    # and would reject a separate type_annotation_map attribute.
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime},
    )


db = SQLAlchemy(model_class=Base)


class Prepared:
    """A Core statement compiled once per database and run with its values only.

    SQLAlchemy's execute of a statement it has cached still walks its parameters
    and builds their conversions each time: for a member page's reader statement
    (forum/member_pages/reader.py: a list's 68 values) that was 0.13 ms of a ~1.2 ms
    page, the database's own work 0.03. A ``Prepared`` statement is compiled once
    per dialect; each run converts the values with the bind parameters' own types
    and hands the SQL text to ``exec_driver_sql``, so the engine's events (the
    tests' statement counts among them) still see it.

    For statements whose values are all bound parameters (no expanding ``IN``
    lists, nothing rendered per run) and whose result columns need no conversion
    (integers, text): rows come as the driver gives them.
    """

    def __init__(self, statement) -> None:
        self.statement = statement
        self._compiled: dict[tuple, tuple] = {}

    def _compile(self, dialect) -> tuple:
        # By what the SQL text depends on, not by the dialect object: each engine
        # (each app, in the tests) has its own.
        key = (dialect.name, dialect.driver, dialect.paramstyle, dialect.server_version_info)
        ready = self._compiled.get(key)
        if ready is None:
            compiled = self.statement.compile(dialect=dialect)
            if compiled.literal_execute_params or compiled.post_compile_params:
                raise ValueError("a prepared statement takes bound values only")
            escaped = compiled.escaped_bind_names
            converters = {}
            for bind, name in compiled.bind_names.items():
                convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
                if convert is not None:
                    converters[escaped.get(name, name)] = convert
            order = tuple(compiled.positiontup) if compiled.positional else None
            ready = (compiled, str(compiled), order, converters)
            self._compiled[key] = ready
        return ready

    def execute(self, connection: sa.Connection, params: dict) -> sa.CursorResult:
        """Run the statement on ``connection`` with ``params`` (by bind parameter name)."""
        compiled, sql, order, converters = self._compile(connection.dialect)
        values = compiled.construct_params(params)
        for name, convert in converters.items():
            values[name] = convert(values[name])
        if order is not None:
            return connection.exec_driver_sql(sql, tuple([values[name] for name in order]))
        return connection.exec_driver_sql(sql, values)
