"""Where each member has read up to in a topic (one upsert per visit), and what
their rows say about it when a page is shown."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import g, has_request_context

from forum.boards.models import Topic, TopicUser
from forum.db import dialect_insert, utcnow
from forum.extensions import db
from forum.notifications.models import CategoryUser


def mark_read(user_id: int, topic_id: int, post_number: int) -> None:
    """Move the read position forward in the caller's transaction (never back)."""
    db.session.execute(read_position_upsert(user_id, topic_id, post_number))


def read_position_upsert(user_id: int, topic_id: int, post_number: int) -> sa.Insert:
    """Return the statement ``mark_read`` runs."""
    insert = dialect_insert(db.session.get_bind().dialect.name)
    now = utcnow()
    statement = insert(TopicUser).values(
        user_id=user_id,
        topic_id=topic_id,
        last_read_post_number=post_number,
        first_visited_at=now,
        last_visited_at=now,
    )
    return statement.on_conflict_do_update(
        index_elements=[TopicUser.user_id, TopicUser.topic_id],
        set_={
            "last_read_post_number": sa.func.max(
                TopicUser.last_read_post_number, statement.excluded.last_read_post_number
            )
            if db.session.get_bind().dialect.name == "sqlite"
            else sa.func.greatest(
                TopicUser.last_read_post_number, statement.excluded.last_read_post_number
            ),
            "last_visited_at": now,
        },
    )


def record_read(user_id: int, topic_id: int, post_number: int) -> None:
    """Remember that the user has read the topic up to ``post_number``."""
    mark_read(user_id, topic_id, post_number)
    db.session.commit()


#: How old the stored last visit may grow before a visit that read nothing new
#: writes it again. The admin's dashboard counts a topic's readers of the last
#: seven days by it (forum/admin/dashboard.py), so an hour's lag changes nothing
#: there; and a member re-reading a topic (the usual case) costs no write.
VISIT_REFRESH = timedelta(hours=1)


def visit_needs_write(user_id: int, topic: Topic, last_shown: int) -> bool:
    """Whether a visit that showed posts up to ``last_shown`` changes the member's row.

    Decided on the state the page read before it was rendered (``reader_state``,
    kept for the request: no statement of its own): the row is written when the
    window reaches beyond the stored position (a new post was read), when there
    is no row yet, or when the stored visit is older than ``VISIT_REFRESH``. A
    position moved meanwhile by another tab only moves forward, so nothing is lost.
    """
    state = reader_state(user_id, topic)
    recent = state.last_visited_at is not None and state.last_visited_at > visits_after()
    return visit_writes(state.last_read_post_number, recent, last_shown)


def visits_after():
    """Return since when a stored visit is recent enough to leave alone."""
    return utcnow() - VISIT_REFRESH


def visit_writes(last_read: int | None, visited_recently: bool, last_shown: int) -> bool:
    """``visit_needs_write``'s rule on the facts themselves (kept member pages read
    them in their own statement)."""
    return last_read is None or last_shown > last_read or not visited_recently


def reads_to_the_end(user_id: int, topic: Topic, last_shown: int) -> bool:
    """Whether a visit that shows posts up to ``last_shown`` reads ``topic`` to its
    last post when some of it was unread before (the state the page read)."""
    before = reader_state(user_id, topic).last_read_post_number or 0
    return before < topic.highest_post_number <= last_shown


@dataclass(frozen=True)
class ReaderState:
    """What a member's rows say about one topic: read position and watching levels."""

    last_read_post_number: int | None
    #: The member's own level for the topic (None: never chosen).
    topic_level: int | None
    #: The member's level for the topic's category (None: never chosen).
    category_level: int | None
    #: When the member last opened the topic (None: never).
    last_visited_at: datetime | None = None


_STATES = "forum_reader_states"

_MINE = sa.and_(
    TopicUser.user_id == sa.bindparam("user_id"), TopicUser.topic_id == sa.bindparam("topic_id")
)
#: Built once, the values bound when it runs (building cost more than running).
_STATE = sa.select(
    sa.select(TopicUser.last_read_post_number).where(_MINE).scalar_subquery(),
    sa.select(TopicUser.notification_level).where(_MINE).scalar_subquery(),
    sa.select(CategoryUser.level)
    .where(
        CategoryUser.user_id == sa.bindparam("user_id"),
        CategoryUser.category_id == sa.bindparam("category_id"),
    )
    .scalar_subquery(),
    sa.select(TopicUser.last_visited_at).where(_MINE).scalar_subquery(),
)


def reader_state(user_id: int, topic: Topic) -> ReaderState:
    """Return the member's state for ``topic`` in one statement, once per request.

    The topic page needs it three times (where to land, the unread marker, the
    watching control); in a request the answer is kept on ``g``. Outside a
    request (fan-out, CLI) it is read afresh each time.
    """
    cache = g.setdefault(_STATES, {}) if has_request_context() else {}
    key = (user_id, topic.id)
    if key not in cache:
        params = {"user_id": user_id, "topic_id": topic.id, "category_id": topic.category_id}
        row = db.session.execute(_STATE, params).one()
        cache[key] = ReaderState(*row)
    return cache[key]


def forget_reader_states() -> None:
    """Drop the kept states after a change in this request (a new watching level)."""
    if has_request_context():
        g.pop(_STATES, None)
