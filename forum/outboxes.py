"""What the outboxes share with a writer that writes their rows itself.

The search outbox (forum/search/outbox.py) and the notification jobs
(forum/notifications/outbox.py) are rows written in the writer's transaction
by events of the ORM's flush, and applied after its commit. A statement that
writes those rows itself, without a flush (a reply's, forum/boards/reply_sql.py),
tells the outboxes here, in the session's ``info``, so that its commit hands
them on exactly as a flush's would. Below both packages, so that the writer
needs neither.
"""

from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

#: ``Session.info``: this transaction wrote search outbox rows.
SEARCH_PENDING = "search_outbox_pending"
#: ``Session.info``: [(id, kind, post_id)] of the notification jobs this transaction wrote.
JOBS_PENDING = "notification_jobs_pending"
#: ``app.extensions`` keys present when each outbox is in use.
SEARCH_EXTENSION, JOBS_EXTENSION = "search", "notifications.outbox"


def search_enabled() -> bool:
    """Whether changes to searchable rows need outbox rows (a search backend runs)."""
    return has_app_context() and SEARCH_EXTENSION in current_app.extensions


def jobs_enabled() -> bool:
    """Whether new posts, edits and likes need notification jobs."""
    return has_app_context() and JOBS_EXTENSION in current_app.extensions


def job_due(now: datetime) -> datetime:
    """When ``recover`` takes a job written ``now`` (its own process did not make it)."""
    return now + timedelta(seconds=float(current_app.config["NOTIFY_RECOVER_AFTER_SECONDS"]))


def search_rows_written(session: Session) -> None:
    """Note that the session's transaction wrote search outbox rows (applied after its commit)."""
    session.info[SEARCH_PENDING] = True


def jobs_written(session: Session, jobs: list[tuple[int, str, int]]) -> None:
    """Note the (id, kind, post_id) of notification jobs the transaction wrote (made after its
    commit)."""
    session.info.setdefault(JOBS_PENDING, []).extend(jobs)
