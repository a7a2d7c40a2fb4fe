"""The fan-out of notifications: a job row in the writer's transaction, made after the response.

A new post, an edit (a post revision) or a like adds a row to
``notification_jobs`` during the same flush (session events, as
forum/search/outbox.py does), so the job commits or rolls back with what
causes it. Making it (telling watchers, mentioned, quoted and replied-to
members, the author of a liked or edited post: forum/notifications/fanout.py)
comes later:

- In a request, after the response (``response.call_on_close``); with
  ``NOTIFY_IN_BACKGROUND`` (the default outside tests) one thread of the
  process makes it, so a sync worker serves its next request meanwhile; the
  jobs queued while it worked are made together, in one transaction (``run_jobs``). A
  request context that never produces a response (``test_request_context``,
  as the demo loader and scripts use; an exception) makes its jobs when it ends.
- Outside a request (CLI commands, tasks after a response, tests calling
  services) right after the commit, in an app context (and session) of its own.

``run_job`` deletes the job first thing in the fan-out's own transaction: the
notifications and the deletion commit together, and a second run of the same
job (recovery racing a slow thread) finds no row and does nothing (on
PostgreSQL it waits for the first run's row lock, on SQLite for the write
lock). A failure rolls back (the row stays), counts an attempt, logs, and
waits a growing delay; after ``NOTIFY_MAX_ATTEMPTS`` it is given up on
(``failed_at``, logged as an error, the row kept for the operator).

A process killed before its thread ran leaves the rows. ``recover`` makes
every job that is due: ``NOTIFY_RECOVER_AFTER_SECONDS`` after it was written,
or its retry time. ``flask --app forum mail send`` (cron, every minute) calls
it before it mails notifications, and so does each worker's thread when it starts.
"""

import atexit
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, has_request_context
from sqlalchemy.orm import Session

from forum import outboxes, permissions
from forum.boards.models import Category, Post, PostLike, PostRevision, Topic
from forum.db import utcnow
from forum.extensions import db
from forum.notifications import fanout
from forum.notifications.models import NotificationJob
from forum.users.models import User

logger = logging.getLogger(__name__)

#: session.info: [(id, kind, post_id)] of the jobs this transaction wrote (a writer may say
#: so itself: forum/outboxes.py).
_PENDING = outboxes.JOBS_PENDING
#: g: ids committed in this request, made after its response.
_COMMITTED = "notification_jobs_committed"
#: g: (kind, post_id) of the jobs committed in this app context (``recorded``).
_RECORDED = "notification_jobs_recorded"
#: g: the response is built; later commits cannot be handed to it.
_RESPONDED = "notification_jobs_responded"
#: Retry delays double from this, up to the second figure (seconds).
RETRY_SECONDS, RETRY_MAX_SECONDS = 60, 3600
_installed = False


def init_app(app: Flask) -> None:
    """Listen to the session (once per process) and make the jobs after responses."""
    global _installed
    if not _installed:
        sa.event.listen(db.session, "after_flush", _after_flush)
        sa.event.listen(db.session, "after_commit", _after_commit)
        sa.event.listen(db.session, "after_rollback", _after_rollback)
        _installed = True
    app.extensions[outboxes.JOBS_EXTENSION] = True
    app.after_request(_hand_to_response)
    app.teardown_request(_run_left_over)


_enabled = outboxes.jobs_enabled


def _after_flush(session: Session, _flush_context) -> None:
    jobs = []
    for obj in session.new:
        if isinstance(obj, Post):
            jobs.append(("post", obj.id, obj.user_id))
        elif isinstance(obj, PostRevision):
            jobs.append(("edit", obj.post_id, obj.user_id))
        elif isinstance(obj, PostLike):
            jobs.append(("like", obj.post_id, obj.user_id))
    if jobs and _enabled():
        _insert(session, jobs)


def _insert(session: Session, jobs: Iterable[tuple[str, int, int]]) -> None:
    now = utcnow()
    due = outboxes.job_due(now)
    rows = [
        {"kind": kind, "post_id": post_id, "actor_id": actor_id, "created_at": now,
         "next_attempt_at": due}
        for kind, post_id, actor_id in sorted(jobs)
    ]  # fmt: skip
    # One statement for all of them (a multi-row INSERT ... RETURNING).
    ids = session.connection().scalars(
        sa.insert(NotificationJob).returning(NotificationJob.id, sort_by_parameter_order=True),
        rows,
    )
    session.info.setdefault(_PENDING, []).extend(
        (job_id, row["kind"], row["post_id"]) for job_id, row in zip(ids, rows, strict=True)
    )


def add_job(kind: str, post_id: int, actor_id: int, *, commit: bool = True) -> None:
    """Write a job for a change that wrote none (an edit of a plugin's fields only;
    participants given to an approved conversation); commit unless ``commit`` is false."""
    _insert(db.session(), [(kind, post_id, actor_id)])
    if commit:
        db.session.commit()


def recorded(kind: str, post_id: int) -> bool:
    """Whether a commit of this app context wrote a ``kind`` job for the post."""
    return (kind, post_id) in g.get(_RECORDED, ())


def _after_commit(session: Session) -> None:
    jobs = session.info.pop(_PENDING, None)
    if not jobs or not _enabled():
        return
    g.setdefault(_RECORDED, set()).update((kind, post_id) for _, kind, post_id in jobs)
    ids = [job_id for job_id, _, _ in jobs]
    if has_request_context() and not g.get(_RESPONDED):
        g.setdefault(_COMMITTED, []).extend(ids)
        return
    _runner(current_app._get_current_object(), ids)()


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _hand_to_response(response: Response) -> Response:
    g.setdefault(_RESPONDED, True)
    ids = g.pop(_COMMITTED, None)
    if ids:
        app = current_app._get_current_object()
        if app.config["NOTIFY_IN_BACKGROUND"]:
            response.call_on_close(lambda: _background(app).put(ids))
        else:
            response.call_on_close(_runner(app, ids))
    return response


def _run_left_over(_error: BaseException | None = None) -> None:
    ids = g.pop(_COMMITTED, None)
    if ids:
        _runner(current_app._get_current_object(), ids)()


def _runner(app: Flask, ids: list[int]) -> Callable[[], None]:
    def run() -> None:
        run_jobs(app, ids)  # logs its own failures; the rows stay for a retry

    return run


# --- Making a job -------------------------------------------------------------------------


#: Statements every job runs, built once (building them cost more CPU than running them).
_JOBS = NotificationJob.__table__.c
_CLAIM_JOB = (
    sa.delete(NotificationJob.__table__)  # Core: no job is loaded, nothing to sync
    .where(_JOBS.id == sa.bindparam("job_id", type_=sa.Integer), _JOBS.failed_at.is_(None))
    .returning(_JOBS.kind, _JOBS.post_id, _JOBS.actor_id)
)
_CLAIM_JOBS = (
    sa.delete(NotificationJob.__table__)
    .where(
        _JOBS.id.in_(sa.bindparam("job_ids", type_=sa.Integer, expanding=True)),
        _JOBS.failed_at.is_(None),
    )
    .returning(_JOBS.id, _JOBS.kind, _JOBS.post_id, _JOBS.actor_id)
)
_LOADED = (
    sa.select(Post, Topic, Category, User)
    .join(Topic, Topic.id == Post.topic_id)
    .join(Category, Category.id == Topic.category_id)
    .join(User, User.id == sa.bindparam("actor_id", type_=sa.Integer))
    .where(Post.id == sa.bindparam("post_id", type_=sa.Integer))
)


def run_job(app: Flask, job_id: int) -> bool:
    """Make one job's fan-out and delete the job, in one transaction of its own.

    Return False when there was nothing to make (another run made it) or it failed.
    """
    with app.app_context():
        try:
            claimed = db.session.execute(_CLAIM_JOB, {"job_id": job_id}).first()
            if claimed is None:
                db.session.rollback()
                return False
            _fan_out(*claimed)
            db.session.commit()
            return True
        except Exception as error:
            db.session.rollback()
            _count_failure(app, job_id, error)
            return False


def run_jobs(app: Flask, job_ids: list[int]) -> int:
    """Make several jobs in one transaction; return how many were made.

    The thread of a busy worker finds several replies' jobs queued: one
    transaction (one DELETE, one COMMIT) for all of them saves each its own
    round trips and app context. If one fails, all roll back and each is made
    on its own (``run_job``), so only the failing one counts a failure.
    """
    if len(job_ids) <= 1:
        return sum(run_job(app, job_id) for job_id in job_ids)
    with app.app_context():
        try:
            claimed = db.session.execute(_CLAIM_JOBS, {"job_ids": job_ids}).all()
            for _job_id, kind, post_id, actor_id in sorted(claimed):
                _fan_out(kind, post_id, actor_id)
            db.session.commit()
            return len(claimed)
        except Exception:
            db.session.rollback()
            logger.info("A batch of notification jobs failed; making them one by one.")
    return sum(run_job(app, job_id) for job_id in job_ids)


def _fan_out(kind: str, post_id: int, actor_id: int) -> None:
    # One query brings the post, its topic and category and the actor into the
    # session, where the fan-out's own look-ups find them.
    loaded = db.session.execute(_LOADED, {"post_id": post_id, "actor_id": actor_id}).first()
    if loaded is None:
        return  # the post or the actor is gone: nobody to tell about it
    if kind == "like":
        fanout.notify_liked(post_id, actor_id)
        return
    post = loaded.Post
    if kind == "edit":
        fanout.notify_edited(post_id, actor_id)
        # Members the edit newly mentions or quotes; in a conversation everybody
        # who may read it was told of the post already.
        if not permissions.is_private(post.topic):
            fanout.notify_post(post_id, actor_id, edited=True)
    elif kind == "post":
        fanout.notify_post(post_id, actor_id)  # a conversation's participants too
    else:
        raise ValueError(f"unknown notification job kind {kind!r}")


def _count_failure(app: Flask, job_id: int, error: Exception) -> None:
    try:
        job = db.session.get(NotificationJob, job_id)
        if job is None:
            return  # another run made it meanwhile
        now = utcnow()
        job.attempts += 1
        job.last_error = f"{type(error).__name__}: {error}"[:2000]
        if job.attempts >= int(app.config["NOTIFY_MAX_ATTEMPTS"]):
            job.failed_at = now
            logger.error(
                "Notification job %s (%s of post %s) failed %s times; given up.",
                job_id, job.kind, job.post_id, job.attempts, exc_info=error,
            )  # fmt: skip
        else:
            delay = min(RETRY_SECONDS * 2 ** (job.attempts - 1), RETRY_MAX_SECONDS)
            job.next_attempt_at = now + timedelta(seconds=delay)
            logger.warning(
                "Notification job %s (%s of post %s) failed (attempt %s); tried again in %s s.",
                job_id, job.kind, job.post_id, job.attempts, delay, exc_info=error,
            )  # fmt: skip
        db.session.commit()
    except Exception:  # the database itself may be the problem; the row stays due
        db.session.rollback()
        logger.warning("Could not count the failed notification job %s.", job_id, exc_info=True)


def recover(app: Flask | None = None, *, limit: int = 500) -> int:
    """Make the jobs no process finished (written long enough ago, or due for a retry)."""
    app = app or current_app._get_current_object()
    due = sa.and_(NotificationJob.failed_at.is_(None), NotificationJob.next_attempt_at <= utcnow())
    with app.app_context():
        ids = list(
            db.session.scalars(
                sa.select(NotificationJob.id).where(due).order_by(NotificationJob.id).limit(limit)
            )
        )
        db.session.rollback()  # end the read before the jobs write
    return sum(run_job(app, job_id) for job_id in ids)


def job_counts() -> dict[str, int]:
    """Return how many jobs wait and how many were given up on."""
    rows = db.session.execute(
        sa.select(NotificationJob.failed_at.is_(None), sa.func.count()).group_by(
            NotificationJob.failed_at.is_(None)
        )
    ).all()
    counts = {bool(waiting): count for waiting, count in rows}
    return {"waiting": counts.get(True, 0), "failed": counts.get(False, 0)}


# --- The thread --------------------------------------------------------------------------


class _Background:
    """One thread per process that makes the handed-over jobs in order, those
    queued meanwhile together (``run_jobs``)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.queue: queue.Queue[list[int]] = queue.Queue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pid = 0

    def put(self, ids: list[int]) -> None:
        self.queue.put(ids)
        with self.lock:
            # A fork (gunicorn --preload) does not copy threads: start one per process.
            if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._run, name="notify", daemon=True)
                self.thread.start()

    def _run(self) -> None:
        try:
            recover(self.app)  # what a killed worker left, without waiting for cron
        except Exception:
            logger.warning("Recovering notification jobs failed.", exc_info=True)
        gather = float(self.app.config["NOTIFY_GATHER_SECONDS"])
        while True:
            batch = [self.queue.get()]
            if gather > 0:
                # A busy worker's next replies arrive meanwhile: one transaction for all.
                time.sleep(gather)
            while True:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            try:
                run_jobs(self.app, [job_id for ids in batch for job_id in ids])
            except Exception:
                logger.warning("Making notification jobs failed.", exc_info=True)
            finally:
                for _ in batch:
                    self.queue.task_done()

    def finish(self, timeout: float = 10.0) -> None:
        """At exit (and in tests): wait until every handed-over job has run."""
        deadline = time.monotonic() + timeout
        while self.queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)


def _background(app: Flask) -> _Background:
    background = app.extensions.get("notifications.background")
    if background is None:
        background = app.extensions.setdefault("notifications.background", _Background(app))
        atexit.register(background.finish)
    return background
