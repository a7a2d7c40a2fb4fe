"""Counters kept on rows, recomputed from the rows they count (``flask --app forum check``).

Each counter means what the write path (``boards.services``, moderation's
``move_topic`` and flag decisions) makes of it:

- a topic's ``posts_count`` counts its posts that are not deleted, the first
  post always included (deleting the first post deletes the topic and leaves the
  count as it was); ``highest_post_number`` is the highest number given, deleted
  posts included; ``last_posted_at``, ``bumped_at`` and ``last_post_user_id``
  come from that last-numbered post, deleted or not (deleting a post does not
  move its topic down the lists); ``like_count`` counts the likes on its posts.
- a category's ``topic_count`` and ``post_count`` count its topics that are not
  deleted and their posts that are not deleted; ``last_posted_at`` is the time of
  the latest of its topics' last posts, deleted topics included.
- a user's ``topic_count`` and ``post_count`` count their topics and posts that
  are not deleted (their replies in someone's deleted topic still count), personal
  messages left out (as ``published_post_count`` leaves them out);
  ``published_post_count`` counts all their posts, deleted ones included (it
  decides whether their next post waits for review); ``likes_given`` and
  ``likes_received`` count likes.
- a post's ``like_count`` counts its likes; ``reply_count`` the posts answering
  it that are not deleted.
- an opportunity's ``interest_count`` counts the interests shown in it that are
  not withdrawn (an anonymised account's interests go, and leave the count).

Hidden posts count like visible ones everywhere. Topic views are not checked:
no row records a view. Each table takes one statement to check and one to
repair, whatever the size of the forum.
"""

import functools
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from forum.boards.models import Category, Post, PostLike, ReadLevel, Topic
from forum.extensions import db
from forum.organisations.models import Interest, Opportunity
from forum.users.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True, order=True)
class Drift:
    """One counter whose stored value is not what its rows say."""

    table: str
    row_id: int
    column: str
    stored: Any
    true: Any


def show(value: Any) -> str:
    """Return a stored or true value as the report prints it."""
    if value is None:
        return "NULL"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


@dataclass(frozen=True)
class _Check:
    """For one table: each row's id, and the stored and true value of each column.

    ``counts`` are repaired by adding the difference, so a like given while the
    repair runs is not lost; ``values`` (times, a user) are set outright.
    """

    model: type
    rows: sa.Select
    counts: tuple[str, ...]
    values: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.counts + self.values

    @functools.cached_property
    def drifting(self) -> sa.Subquery:
        """Return the rows where at least one column differs."""
        rows = self.rows.subquery()
        differs = [
            rows.c[f"stored_{c}"].is_distinct_from(rows.c[f"true_{c}"]) for c in self.columns
        ]
        return sa.select(rows).where(sa.or_(*differs)).subquery()


def _pair(column: str, stored, true) -> tuple[sa.Label, sa.Label]:
    return stored.label(f"stored_{column}"), true.label(f"true_{column}")


def _count(column: str, stored, counted) -> tuple[sa.Label, sa.Label]:
    return _pair(column, stored, sa.func.coalesce(counted, 0))


def _topics() -> _Check:
    topic = aliased(Topic)
    numbers = (
        sa.select(
            Post.topic_id,
            sa.func.count()
            .filter(sa.or_(Post.deleted_at.is_(None), Post.post_number == 1))
            .label("posts"),
            sa.func.max(Post.post_number).label("highest"),
        )
        .group_by(Post.topic_id)
        .subquery()
    )
    likes = (
        sa.select(Post.topic_id, sa.func.count().label("likes"))
        .join(PostLike, PostLike.post_id == Post.id)
        .group_by(Post.topic_id)
        .subquery()
    )
    last = aliased(Post)
    # A topic without posts cannot come from the services; its last post stays as stored.
    rows = (
        sa.select(
            topic.id,
            *_count("posts_count", topic.posts_count, numbers.c.posts),
            *_count("highest_post_number", topic.highest_post_number, numbers.c.highest),
            *_count("like_count", topic.like_count, likes.c.likes),
            *_pair(
                "last_posted_at",
                topic.last_posted_at,
                sa.func.coalesce(last.created_at, topic.last_posted_at),
            ),
            *_pair(
                "bumped_at", topic.bumped_at, sa.func.coalesce(last.created_at, topic.bumped_at)
            ),
            *_pair(
                "last_post_user_id",
                topic.last_post_user_id,
                sa.func.coalesce(last.user_id, topic.last_post_user_id),
            ),
        )
        .outerjoin(numbers, numbers.c.topic_id == topic.id)
        .outerjoin(likes, likes.c.topic_id == topic.id)
        .outerjoin(last, sa.and_(last.topic_id == topic.id, last.post_number == numbers.c.highest))
    )
    return _Check(
        Topic,
        rows,
        counts=("posts_count", "highest_post_number", "like_count"),
        values=("last_posted_at", "bumped_at", "last_post_user_id"),
    )


def _posts() -> _Check:
    post = aliased(Post)
    likes = (
        sa.select(PostLike.post_id, sa.func.count().label("likes"))
        .group_by(PostLike.post_id)
        .subquery()
    )
    replies = (
        sa.select(
            Post.topic_id,
            Post.reply_to_post_number.label("number"),
            sa.func.count().label("replies"),
        )
        .where(Post.reply_to_post_number.is_not(None), Post.deleted_at.is_(None))
        .group_by(Post.topic_id, Post.reply_to_post_number)
        .subquery()
    )
    rows = (
        sa.select(
            post.id,
            *_count("like_count", post.like_count, likes.c.likes),
            *_count("reply_count", post.reply_count, replies.c.replies),
        )
        .outerjoin(likes, likes.c.post_id == post.id)
        .outerjoin(
            replies,
            sa.and_(replies.c.topic_id == post.topic_id, replies.c.number == post.post_number),
        )
    )
    return _Check(Post, rows, counts=("like_count", "reply_count"))


def _categories() -> _Check:
    category = aliased(Category)
    topics = (
        sa.select(Topic.category_id, sa.func.count().label("topics"))
        .where(Topic.deleted_at.is_(None))
        .group_by(Topic.category_id)
        .subquery()
    )
    posts = (
        sa.select(Topic.category_id, sa.func.count().label("posts"))
        .join(Post, Post.topic_id == Topic.id)
        .where(Topic.deleted_at.is_(None), Post.deleted_at.is_(None))
        .group_by(Topic.category_id)
        .subquery()
    )
    highest = (
        sa.select(Post.topic_id, sa.func.max(Post.post_number).label("number"))
        .group_by(Post.topic_id)
        .subquery()
    )
    last = aliased(Post)
    latest = (
        sa.select(Topic.category_id, sa.func.max(last.created_at).label("at"))
        .join(highest, highest.c.topic_id == Topic.id)
        .join(last, sa.and_(last.topic_id == Topic.id, last.post_number == highest.c.number))
        .group_by(Topic.category_id)
        .subquery()
    )
    rows = (
        sa.select(
            category.id,
            *_count("topic_count", category.topic_count, topics.c.topics),
            *_count("post_count", category.post_count, posts.c.posts),
            *_pair("last_posted_at", category.last_posted_at, latest.c.at),
        )
        .outerjoin(topics, topics.c.category_id == category.id)
        .outerjoin(posts, posts.c.category_id == category.id)
        .outerjoin(latest, latest.c.category_id == category.id)
    )
    return _Check(Category, rows, counts=("topic_count", "post_count"), values=("last_posted_at",))


def _users() -> _Check:
    user = aliased(User)
    # Personal messages (topics in the private category) count for nobody's profile.
    public = sa.select(Topic.id).join(Category).where(Category.read_level != ReadLevel.PRIVATE)
    posts = (
        sa.select(
            Post.user_id,
            sa.func.count().filter(Post.deleted_at.is_(None)).label("posts"),
            sa.func.count().label("published"),
        )
        .where(Post.topic_id.in_(public))
        .group_by(Post.user_id)
        .subquery()
    )
    topics = (
        sa.select(Topic.user_id, sa.func.count().label("topics"))
        .where(Topic.deleted_at.is_(None), Topic.id.in_(public))
        .group_by(Topic.user_id)
        .subquery()
    )
    given = (
        sa.select(PostLike.user_id, sa.func.count().label("likes"))
        .group_by(PostLike.user_id)
        .subquery()
    )
    received = (
        sa.select(Post.user_id, sa.func.count().label("likes"))
        .join(PostLike, PostLike.post_id == Post.id)
        .group_by(Post.user_id)
        .subquery()
    )
    rows = (
        sa.select(
            user.id,
            *_count("topic_count", user.topic_count, topics.c.topics),
            *_count("post_count", user.post_count, posts.c.posts),
            *_count("published_post_count", user.published_post_count, posts.c.published),
            *_count("likes_given", user.likes_given, given.c.likes),
            *_count("likes_received", user.likes_received, received.c.likes),
        )
        .outerjoin(posts, posts.c.user_id == user.id)
        .outerjoin(topics, topics.c.user_id == user.id)
        .outerjoin(given, given.c.user_id == user.id)
        .outerjoin(received, received.c.user_id == user.id)
    )
    return _Check(
        User,
        rows,
        counts=(
            "topic_count",
            "post_count",
            "published_post_count",
            "likes_given",
            "likes_received",
        ),
    )


def _opportunities() -> _Check:
    """People interested in an opportunity: their interests not withdrawn."""
    opportunity = aliased(Opportunity)
    interests = (
        sa.select(Interest.opportunity_id, sa.func.count().label("interests"))
        .where(Interest.withdrawn_at.is_(None))
        .group_by(Interest.opportunity_id)
        .subquery()
    )
    rows = sa.select(
        opportunity.id,
        *_count("interest_count", opportunity.interest_count, interests.c.interests),
    ).outerjoin(interests, interests.c.opportunity_id == opportunity.id)
    return _Check(Opportunity, rows, counts=("interest_count",))


@functools.cache
def checks() -> tuple[_Check, ...]:
    """Return the check of each table (built once: building costs more than running)."""
    return (_topics(), _categories(), _users(), _posts(), _opportunities())


def _drift_of(check: _Check) -> list[Drift]:
    table = check.model.__tablename__
    found = []
    for row in db.session.execute(sa.select(check.drifting)).mappings():
        for column in check.columns:
            stored, true = row[f"stored_{column}"], row[f"true_{column}"]
            if stored != true:
                found.append(Drift(table, row["id"], column, stored, true))
    return found


def find_drift() -> list[Drift]:
    """Return every counter whose stored value differs from its rows, by table and id."""
    return sorted(drift for check in checks() for drift in _drift_of(check))


def repair_drift() -> list[Drift]:
    """Set every drifting counter to what its rows say, commit, and return what was wrong.

    Counts get the difference added rather than a value set, so posts and likes
    written meanwhile stay counted; still, run it when the forum is quiet and
    check again afterwards.
    """
    repaired = []
    for check in checks():
        drifts = _drift_of(check)
        if not drifts:
            continue
        wrong = check.drifting
        model = check.model
        values = {
            column: getattr(model, column)
            + (wrong.c[f"true_{column}"] - wrong.c[f"stored_{column}"])
            for column in check.counts
        }
        for column in check.values:
            stored, true = wrong.c[f"stored_{column}"], wrong.c[f"true_{column}"]
            values[column] = sa.case(
                (stored.is_distinct_from(true), true), else_=getattr(model, column)
            )
        db.session.execute(
            sa.update(model)
            .where(model.id == wrong.c.id)
            .values(values)
            .execution_options(synchronize_session=False)
        )
        repaired += drifts
    db.session.commit()
    for drift in sorted(repaired):
        logger.warning(
            "Repaired %s %s %s: was %s, now %s",
            drift.table, drift.row_id, drift.column, show(drift.stored), show(drift.true),
        )  # fmt: skip
    return sorted(repaired)
