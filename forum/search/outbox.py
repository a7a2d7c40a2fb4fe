"""Keeping the index in step: an outbox written in the writer's own transaction.

Session events on ``db.session`` notice every change search cares about
(see ``documents.watched_columns``) and insert outbox rows during the same
flush, so the rows commit or roll back with the change. The rows are the
guarantee; applying them to the index is best-effort and may come later:

- In a request, the outbox is applied after the response has been sent
  (``response.call_on_close``, as the read position is written), so a reply
  never waits for the index. A commit made after the response was built, or
  in a request that ends without one (an exception passed on, a
  ``test_request_context``), is applied when the request context ends.
- Outside a request (CLI commands, the demo loader, tests calling services)
  the outbox is applied right after the commit, so a command's changes are
  searchable when it returns.

Whatever is not applied stays: a failure only logs, a process that dies
before applying leaves the rows, and the next application in any process,
``flask --app forum search process-outbox`` or a reindex picks them up.

Processes apply the outbox one at a time (the backend's lock) and delete the
rows they applied before letting the next one in, so two processes never
apply the same rows twice and never drop rows another one wrote meanwhile.

Changes made with Core statements (``sa.update(...)``) fire no ORM events;
code that changes searchable columns that way calls ``enqueue`` itself.
"""

import atexit
import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, has_request_context
from sqlalchemy.orm import Session

from forum import outboxes
from forum.boards.models import Category, Post, Topic
from forum.extensions import db
from forum.search.backend import get_backend
from forum.search.documents import Document, documents, watched_columns
from forum.search.models import SearchOutbox

logger = logging.getLogger(__name__)

KINDS = {Post: "post", Topic: "topic", Category: "category"}
#: session.info: this transaction wrote outbox rows (a writer may say so itself: forum/outboxes.py).
_PENDING = outboxes.SEARCH_PENDING
#: g: rows were committed in this request, to be applied after its response.
_DEFERRED = "search_outbox_deferred"
#: g: the response is built; later commits cannot be handed to it.
_RESPONDED = "search_outbox_responded"
_installed = False


def install_listeners() -> None:
    """Listen to the Flask-SQLAlchemy session class (once per process)."""
    global _installed
    if _installed:
        return
    sa.event.listen(db.session, "after_flush", _after_flush)
    sa.event.listen(db.session, "after_commit", _after_commit)
    sa.event.listen(db.session, "after_rollback", _after_rollback)
    _installed = True


def init_app(app: Flask) -> None:
    """Apply what a request committed after its response (see the module docstring)."""
    install_listeners()
    app.after_request(_hand_to_response)
    app.teardown_request(_apply_left_over)


_enabled = outboxes.search_enabled


def _changed(obj, names: set[str]) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _after_flush(session: Session, _flush_context) -> None:
    if not _enabled():
        return
    watched = watched_columns()
    work: set[tuple[str, int]] = set()
    for obj in session.new:
        if isinstance(obj, Post):
            work.add(("post", obj.id))
    for obj in session.dirty:
        kind = KINDS.get(type(obj))
        if kind and _changed(obj, watched[type(obj)]):
            work.add((kind, obj.id))
    for obj in session.deleted:
        if isinstance(obj, Post | Topic):
            work.add((KINDS[type(obj)], obj.id))
    if work:
        _insert(session.connection(), work)
        session.info[_PENDING] = True


def _insert(connection, work: Iterable[tuple[str, int]]) -> None:
    connection.execute(
        sa.insert(SearchOutbox),
        [{"kind": kind, "target_id": target_id} for kind, target_id in sorted(work)],
    )


def enqueue(kind: str, target_id: int) -> None:
    """Record index work for a change made without the ORM, in the current transaction.

    ``kind`` is "post", "topic" (all its posts) or "category" (all its topics).
    """
    if kind not in KINDS.values():
        raise ValueError(f"unknown search document kind {kind!r}")
    _insert(db.session.connection(), [(kind, target_id)])
    db.session.info[_PENDING] = True


def _after_commit(session: Session) -> None:
    if not session.info.pop(_PENDING, False) or not _enabled():
        return
    if has_request_context() and not g.get(_RESPONDED):
        g.setdefault(_DEFERRED, True)
        return
    process_outbox(current_app._get_current_object())


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _hand_to_response(response: Response) -> Response:
    g.setdefault(_RESPONDED, True)
    if g.pop(_DEFERRED, False):
        app = current_app._get_current_object()
        if app.config["SEARCH_APPLY_IN_BACKGROUND"]:
            # The worker goes on to its next request; a thread of this process
            # waits for the index's locks and applies the outbox.
            response.call_on_close(_background(app).wake)
        else:
            response.call_on_close(_applier(app))
    return response


class _Background:
    """One thread per process that applies the outbox whenever it is woken.

    A sync worker that applied the outbox itself after each response stayed
    busy while it waited for the index's locks (SEARCH_LOCK_TIMEOUT) and wrote;
    with this thread it serves the next request meanwhile. The rows are the
    guarantee: a process that exits before the thread ran leaves them for the
    next application (any process, ``search process-outbox``, a reindex).
    """

    #: When rows are left (another process held the index's lock and may have
    #: finished before they were committed), try again this often, this many times.
    retry_seconds, retries = 0.25, 40

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.apply = _applier(app)
        self.delay = float(app.config["SEARCH_APPLY_DELAY"])
        self.wanted = threading.Event()
        #: Set while the thread applies (tests and shutdown wait for it to clear).
        self.busy = threading.Event()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pid = 0

    def wake(self) -> None:
        self.busy.set()
        self.wanted.set()
        with self.lock:
            # A fork (gunicorn --preload) does not copy threads: start one per process.
            if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._run, name="search-outbox", daemon=True)
                self.thread.start()

    def _run(self) -> None:
        while True:
            self.wanted.wait()
            # Each Whoosh commit writes a segment (tens of files) whatever it
            # holds: waiting a moment lets one commit carry every reply of it.
            time.sleep(self.delay)
            self.wanted.clear()
            for _ in range(self.retries):
                self.apply()
                if self.wanted.is_set() or not self._left():
                    break
                time.sleep(self.retry_seconds)
            if not self.wanted.is_set():
                self.busy.clear()

    def _left(self) -> bool:
        try:
            with self.app.app_context():
                return pending_count() > 0
        except Exception:
            return False

    def finish(self, timeout: float = 10.0) -> None:
        """At exit: give the thread a moment to apply what it was woken for."""
        deadline = time.monotonic() + timeout
        while self.busy.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)


def _background(app: Flask) -> _Background:
    background = app.extensions.get("search.background")
    if background is None:
        background = app.extensions.setdefault("search.background", _Background(app))
        # A worker stopping gracefully (gunicorn's TERM, max_requests) waits for it.
        atexit.register(background.finish)
    return background


def _apply_left_over(_error: BaseException | None) -> None:
    if g.pop(_DEFERRED, False):
        _applier(current_app._get_current_object())()


def _applier(app: Flask):
    def apply() -> None:
        # Runs after the response, where an exception would only reach the
        # server's log; the rows stay for the next application either way.
        try:
            with app.app_context():
                process_outbox(app)
        except Exception:
            logger.warning("Applying the search outbox failed; it keeps the rows.", exc_info=True)

    return apply


# --- Applying the outbox -------------------------------------------------------------


@dataclass
class Work:
    """What a batch of outbox rows asks of the index."""

    documents: list[Document]
    post_ids_gone: set[int]
    topic_ids_gone: set[int]


def resolve(session: Session, rows: list) -> Work:
    """Read the current state of everything the outbox rows name."""
    post_ids = {r.target_id for r in rows if r.kind == "post"}
    topic_ids = {r.target_id for r in rows if r.kind == "topic"}
    category_ids = {r.target_id for r in rows if r.kind == "category"}
    conditions = []
    if post_ids:
        conditions.append(Post.id.in_(post_ids))
    if topic_ids:
        conditions.append(Post.topic_id.in_(topic_ids))
    if category_ids:
        conditions.append(Topic.category_id.in_(category_ids))
    found = list(documents(session, sa.or_(*conditions))) if conditions else []
    existing_topics = set(
        session.scalars(sa.select(Topic.id).where(Topic.id.in_(topic_ids))) if topic_ids else ()
    )
    return Work(
        documents=found,
        post_ids_gone=post_ids - {d.post_id for d in found},
        topic_ids_gone=topic_ids - existing_topics,
    )


def process_outbox(app: Flask | None = None, *, batch: int = 500) -> int:
    """Apply pending outbox rows to the index; return how many were applied.

    Best-effort: errors are logged, the rows stay and count an attempt.
    """
    app = app or current_app._get_current_object()
    backend = get_backend(app)
    applied = 0
    with Session(db.engine) as session:

        def remove(rows: list) -> None:
            # Called by the backend while it still holds its lock, once the
            # index has the work: the next process finds these rows gone.
            session.execute(
                sa.delete(SearchOutbox)
                .where(SearchOutbox.id.in_([r.id for r in rows]))
                .execution_options(synchronize_session=False)  # the rows were read as tuples
            )
            session.commit()

        while True:
            # Opening the index writer costs files and locks; an empty outbox
            # (another process applied it meanwhile) needs neither. Rows that
            # arrive after this look wake their own process's application.
            if session.scalar(sa.select(SearchOutbox.id).limit(1)) is None:
                session.commit()
                return applied
            try:
                rows = backend.apply(session, lambda: _next_batch(session, batch), remove)
            except Exception:
                session.rollback()
                logger.warning("Search index update failed; the outbox keeps it.", exc_info=True)
                _count_attempt(session, batch)
                return applied
            applied += len(rows)
            if len(rows) < batch:
                session.commit()
                return applied


def _next_batch(session: Session, batch: int) -> tuple[list, Work]:
    rows = session.execute(
        sa.select(SearchOutbox.id, SearchOutbox.kind, SearchOutbox.target_id)
        .order_by(SearchOutbox.id)
        .limit(batch)
    ).all()
    return rows, resolve(session, rows)


def _count_attempt(session: Session, batch: int) -> None:
    try:
        first = sa.select(SearchOutbox.id).order_by(SearchOutbox.id).limit(batch).scalar_subquery()
        session.execute(
            sa.update(SearchOutbox)
            .where(SearchOutbox.id.in_(first))
            .values(attempts=SearchOutbox.attempts + 1)
        )
        session.commit()
    except Exception:  # the database itself may be the problem
        session.rollback()
        logger.warning("Could not count the failed search attempt.", exc_info=True)


def pending_count(session=None) -> int:
    session = session or db.session
    return session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox)) or 0
