"""A statement compiled once per database and run with its values only
(forum/db.py ``Prepared``) gives the rows SQLAlchemy's own execute gives, with
each bound value converted by its type, and the engine still sees it run."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.db import Prepared, utcnow
from forum.extensions import db
from forum.users.models import Role, User


def _statement():
    # An enum compared as a literal, a time and an integer as bound values:
    # each needs its type's conversion on the way to the database.
    return (
        sa.select(User.id, User.username)
        .where(
            User.role == sa.literal(Role.MODERATOR, User.role.type),
            User.created_at > sa.bindparam("since"),
            User.id >= sa.bindparam("from_id"),
        )
        .order_by(User.id)
    )


def test_rows_are_those_of_sqlalchemys_execute(app, make):
    make.user("mitglied")
    first = make.user("moderiert", role="moderator")
    make.user("auch_moderiert", role="moderator")
    prepared = Prepared(_statement())
    params = {"since": utcnow() - timedelta(hours=1), "from_id": first.id}
    with app.app_context():
        connection = db.session.connection()
        expected = connection.execute(_statement(), params).all()
        assert [tuple(row) for row in prepared.execute(connection, params)] == [
            tuple(row) for row in expected
        ]
        assert [name for _id, name in expected] == ["moderiert", "auch_moderiert"]
        later = {"since": utcnow() + timedelta(hours=1), "from_id": first.id}
        assert prepared.execute(connection, later).all() == []


class _Shouted(sa.types.TypeDecorator):
    """A type whose conversion on the way in shows in the row that comes back."""

    impl = sa.String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.upper()


def test_each_value_is_converted_by_its_type(app):
    statement = sa.select(sa.cast(sa.bindparam("word", type_=_Shouted()), sa.String))
    with app.app_context():
        connection = db.session.connection()
        assert connection.execute(statement, {"word": "hallo"}).scalar() == "HALLO"
        assert Prepared(statement).execute(connection, {"word": "hallo"}).scalar() == "HALLO"


def test_it_is_compiled_once_and_the_engine_sees_each_run(app, make):
    make.user("moderiert", role="moderator")
    prepared = Prepared(_statement())
    seen = []
    with app.app_context():
        engine = db.engine

        def count(_conn, _cursor, statement, *_args):
            seen.append(statement)

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            connection = db.session.connection()
            for _ in range(3):
                prepared.execute(connection, {"since": utcnow() - timedelta(days=1), "from_id": 0})
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
    assert len(seen) == 3
    assert len(prepared._compiled) == 1


def test_a_list_written_into_the_statement_is_refused(app):
    prepared = Prepared(sa.select(User.id).where(User.id.in_([1, 2, 3])))
    with app.app_context(), pytest.raises(ValueError, match="bound values only"):
        prepared.execute(db.session.connection(), {})
