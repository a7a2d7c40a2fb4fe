"""Forms that create content are sent once, however often the button is pressed.

Each rendered form carries a random ``submission_key`` (``{{ submission_key() }}``
in the template). A view decorated with ``@idempotent`` claims (member, key)
in the ``submissions`` table, with a unique constraint, in the view's own
transaction and at its first write: the claim is written just before the
first statement that writes through ``db.session`` (a flush, an INSERT,
UPDATE or DELETE), so reading, cooking the markdown and rendering a preview
or a refused form take no write lock (SQLite has one for the whole database)
and the claim commits with what the view creates (one commit, not one more
before it). A parallel request with the same key waits at its claim until
the first commits (PostgreSQL's unique index; SQLite's write lock), and is
then stopped before it writes anything. Where the view redirected to is
stored after it. A second POST with the same key - a double click, a reload
that sends again, a retry after a lost connection - is answered with a
redirect to the first result instead of posting twice; one that arrives while
the first is still running waits for it. A key is good for
``SUBMISSION_KEY_MAX_AGE`` seconds and only for the member it was used by.
"""

import functools
import itertools
import re
import secrets
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, abort, current_app, flash, make_response, redirect, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, dialect_insert, utcnow
from forum.extensions import db

FIELD = "submission_key"
_KEY = re.compile(r"[0-9a-f]{32}")
#: How long a repeated POST waits for the first one to finish.
WAIT_SECONDS = 10.0
#: Expired keys are deleted by every this many-th stored result of a process
#: (an expired key is claimed again anyway: ``_claim_here``).
CLEAN_EVERY = 100


class Submission(Base):
    """A form a member sent, and where its answer sent them."""

    __tablename__ = "submissions"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(32))
    #: None while the first request is still at work.
    result_url: Mapped[str | None] = mapped_column(sa.String(2000))
    created_at: Mapped[datetime] = mapped_column(index=True)


_KEY_FIELD_START = Markup('<input type="hidden" name="{}" value="').format(FIELD)
_KEY_FIELD_END = Markup('">')


def new_key_field() -> Markup:
    """Return the hidden input with a fresh key, for a form that creates something."""
    # Joined, not formatted: Markup's formatter took a seventh of a kept page's slots;
    # adding the key (text) to Markup escapes it as ``format`` would.
    return _KEY_FIELD_START + secrets.token_hex(16) + _KEY_FIELD_END


def init_app(app: Flask) -> None:
    app.jinja_env.globals["submission_key"] = new_key_field
    app.extensions["idempotency.records"] = itertools.count()
    if not sa.event.contains(db.session, "before_flush", _claim_before_flush):
        sa.event.listen(db.session, "before_flush", _claim_before_flush)
        sa.event.listen(db.session, "do_orm_execute", _claim_before_write)


#: ``db.session.info`` key of the claim a running ``@idempotent`` view has yet to make.
PENDING = "idempotency.pending"


class _Repeated(BaseException):
    """The key was claimed by an earlier request: this one must not write.

    A BaseException, so that a view's ``except Exception`` (a refused form)
    does not take it for an error of its own: it ends the view.
    """


def _claim_before_flush(session, _flush_context, _instances) -> None:
    _claim_pending(session)


def _claim_before_write(state) -> None:
    statement = state.statement
    if state.is_select or (
        isinstance(statement, sa.TextClause) and statement.text.lstrip()[:6].upper() == "SELECT"
    ):
        return
    _claim_pending(state.session)


def _claim_pending(session) -> None:
    """Make the armed claim now, before the session's first write; stop a repeat."""
    pending = session.info.get(PENDING)
    if pending is None or pending["claimed"]:
        return
    pending["claimed"] = True  # before the INSERT: it is a write as well
    if not _claim_here(pending["user_id"], pending["key"]):
        raise _Repeated


def claim(user_id: int, key: str) -> Submission | None:
    """Claim ``key`` for ``user_id``; None if it is ours now, else the earlier claim."""
    now = utcnow()
    max_age = timedelta(seconds=current_app.config["SUBMISSION_KEY_MAX_AGE"])
    insert = _insert()
    # Committed on a connection of its own, so a parallel request sees the claim
    # at once: committing db.session would expire the member and the topic the
    # view has loaded already, and they would be read again (two statements).
    with db.engine.begin() as connection:
        connection.execute(sa.delete(Submission).where(Submission.created_at < now - max_age))
        claimed = connection.execute(
            insert(Submission)
            .values(user_id=user_id, key=key, created_at=now)
            .on_conflict_do_nothing(index_elements=["user_id", "key"])
            .returning(Submission.id)
        ).scalar()
    if claimed is not None:
        return None
    return _find(user_id, key)


def _insert():
    return dialect_insert(db.engine.dialect.name)


def _claim_here(user_id: int, key: str) -> bool:
    """Claim ``key`` for ``user_id`` in ``db.session``'s transaction; True if it is ours.

    Uncommitted: the view's own commit makes it last. An expired claim of the
    key is taken over (the key is good for ``SUBMISSION_KEY_MAX_AGE``).
    """
    now = utcnow()
    expired = now - timedelta(seconds=current_app.config["SUBMISSION_KEY_MAX_AGE"])
    claimed = db.session.execute(
        _statements(db.engine.dialect.name)[0],
        {"user_id": user_id, "key": key, "now": now, "expired": expired},
    ).scalar()
    return claimed is not None


@functools.cache
def _statements(dialect: str) -> tuple[sa.Insert, sa.Insert]:
    """Return the claim and the result's upsert for ``dialect``, built once (they run
    in every reply; building them anew cost more CPU than sending them)."""
    table = Submission.__table__
    insert = dialect_insert(dialect)

    def param(name: str, column: sa.Column) -> sa.BindParameter:
        return sa.bindparam(name, type_=column.type)

    row = {
        "user_id": param("user_id", table.c.user_id),
        "key": param("key", table.c.key),
        "created_at": param("now", table.c.created_at),
    }
    # ``on_conflict_do_update``, not a plain INSERT: a conflict must not fail
    # the transaction (PostgreSQL) or raise; it returns no row.
    claim = (
        insert(table)
        .values(row)
        .on_conflict_do_update(
            index_elements=["user_id", "key"],
            set_={"created_at": row["created_at"], "result_url": None},
            where=table.c.created_at < param("expired", table.c.created_at),
        )
        .returning(table.c.id)
    )
    result_url = param("result_url", table.c.result_url)
    result = (
        insert(table)
        .values({**row, "result_url": result_url})
        .on_conflict_do_update(index_elements=["user_id", "key"], set_={"result_url": result_url})
        .inline()  # no RETURNING of the id: nobody needs it
    )
    return claim, result


def record(user_id: int, key: str, result_url: str) -> None:
    """Store where the first submission's answer led (and the claim, if the view
    committed nothing or rolled it back)."""
    if db.session().in_transaction():
        db.session.commit()  # what the view left open, as before
    # One statement that commits itself (autocommit): on PostgreSQL a
    # transaction of its own would cost two more round trips (BEGIN, COMMIT)
    # in every reply, the worker waiting for each.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(
            _statements(connection.dialect.name)[1],
            {"user_id": user_id, "key": key, "now": utcnow(), "result_url": result_url},
        )
        records = current_app.extensions["idempotency.records"]
        if next(records) % CLEAN_EVERY == CLEAN_EVERY - 1:
            max_age = timedelta(seconds=current_app.config["SUBMISSION_KEY_MAX_AGE"])
            connection.execute(
                sa.delete(Submission).where(Submission.created_at < utcnow() - max_age)
            )


def release(user_id: int, key: str) -> None:
    """Give the key back: the submission created nothing (invalid form, preview, error)."""
    db.session.rollback()
    db.session.execute(
        sa.delete(Submission).where(Submission.user_id == user_id, Submission.key == key)
    )
    db.session.commit()


def _find(user_id: int, key: str) -> Submission | None:
    return db.session.scalar(
        sa.select(Submission)
        .where(Submission.user_id == user_id, Submission.key == key)
        .execution_options(populate_existing=True)
    )


def idempotent(view):
    """Answer a repeated POST of the same form with the first one's redirect.

    Goes below ``login_required``: keys belong to the logged-in member. A POST
    without a well-formed key (an old page, a script) is handled as before.
    The claim is armed, not made: ``_claim_pending`` makes it at the view's
    first write.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.form.get(FIELD, "") if request.method == "POST" else ""
        if not current_user.is_authenticated or not _KEY.fullmatch(key):
            return view(*args, **kwargs)
        user_id = current_user.id
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            pending = {"user_id": user_id, "key": key, "claimed": False}
            db.session.info[PENDING] = pending
            try:
                response = make_response(view(*args, **kwargs))
                if _redirects(response):
                    # A view that redirected without writing (an edit that
                    # changed nothing) claims now: a repeat must still be told.
                    _claim_pending(db.session())
            except _Repeated:
                db.session.info.pop(PENDING, None)
                # Ended at once: on SQLite the claim's transaction holds the write lock.
                db.session.rollback()
                earlier = _wait_for(user_id, key, deadline)
                if earlier is None:
                    continue  # the first gave the key back (a refused form): send this one
                flash(_("This was sent already; here is the result."), "info")
                return redirect(earlier.result_url, 303)
            except BaseException:
                db.session.info.pop(PENDING, None)
                if pending["claimed"]:
                    release(user_id, key)
                raise
            db.session.info.pop(PENDING, None)
            break
        if _redirects(response):
            record(user_id, key, response.location)
        elif pending["claimed"]:
            release(user_id, key)
        # else: nothing was written, nothing claimed: no write lock to take now.
        return response

    return wrapper


def _redirects(response) -> bool:
    return 300 <= response.status_code < 400 and bool(response.location)


def _wait_for(user_id: int, key: str, deadline: float) -> Submission | None:
    """Wait for the earlier request to store its result; None if it gave the key back."""
    while True:
        earlier = _find(user_id, key)
        if earlier is None:
            return None
        if earlier.result_url is not None:
            return earlier
        if time.monotonic() > deadline:
            abort(409)
        db.session.rollback()  # a new snapshot (SQLite keeps one per transaction)
        time.sleep(0.1)  # the first request is still at work
