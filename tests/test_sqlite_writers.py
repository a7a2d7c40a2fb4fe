"""SQLite's writers queue on a file lock, held from a transaction's first write to its end."""

import fcntl
import os
import threading

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.users.models import User


@pytest.fixture
def lock_file(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        return f"{db.engine.url.database}-writers"


def _taken(path: str) -> bool:
    """Whether another open file holds the lock (as another process's writer would)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing gives a lock taken here back
    return False


def test_held_from_the_first_write_to_the_commit(app, make, lock_file):
    member = make.user("schreiberin")
    with app.app_context():
        db.session.scalar(sa.select(User.id).where(User.id == member.id))
        assert not _taken(lock_file)  # reading takes no place in the queue
        db.session.execute(sa.update(User).where(User.id == member.id).values(post_count=5))
        assert _taken(lock_file)
        db.session.commit()
        assert not _taken(lock_file)


def test_given_back_by_a_rollback_and_after_a_statement_in_autocommit(app, make, lock_file):
    member = make.user("schreiberin")
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == member.id).values(post_count=5))
        assert _taken(lock_file)
        db.session.rollback()
        assert not _taken(lock_file)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.update(User).where(User.id == member.id).values(post_count=6))
            assert not _taken(lock_file)
        assert db.session.scalar(sa.select(User.post_count).where(User.id == member.id)) == 6


def test_a_second_writer_waits_for_the_first_to_commit(app, make, lock_file):
    member = make.user("schreiberin")
    order = []
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == member.id).values(post_count=1))
        order.append("first wrote")

        def second() -> None:
            with app.app_context():
                more = User.post_count + 1
                db.session.execute(
                    sa.update(User).where(User.id == member.id).values(post_count=more)
                )
                order.append("second wrote")
                db.session.commit()

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=0.3)  # it must still be waiting in the queue
        order.append("first commits")
        db.session.commit()
        thread.join(timeout=10)
        assert db.session.scalar(sa.select(User.post_count).where(User.id == member.id)) == 2
    assert order == ["first wrote", "first commits", "second wrote"]


def test_off_leaves_the_waiting_to_sqlite(app_config, request):
    app_config["SQLITE_WRITER_QUEUE"] = False
    app = request.getfixturevalue("app")
    lock_file = request.getfixturevalue("lock_file")
    member = request.getfixturevalue("make").user("schreiberin")
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == member.id).values(post_count=5))
        assert not _taken(lock_file)
        db.session.commit()
