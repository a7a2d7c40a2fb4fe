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
