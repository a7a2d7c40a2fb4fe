"""Counters on rows (topics, categories, users, posts), changed in the writer's transaction.

Every change is one ``UPDATE … SET n = n + delta`` so two writers at once
cannot lose an update; ``returning`` hands back a column's new value from the
same statement (a reply takes its number that way). Nothing here commits.
"""

from typing import Any

import sqlalchemy as sa

from forum.boards.models import Category, Post, ReadLevel, Topic
from forum.extensions import db
from forum.users.models import User

Counted = type[Topic] | type[Category] | type[User] | type[Post]


def add(
    model: Counted,
    key: int | sa.ColumnElement[bool],
    *,
    returning: Any = None,
    assign: dict[str, Any] | None = None,
    **deltas: int,
) -> Any:
    """Add ``deltas`` to counter columns of one row (an id) or the rows a clause picks.

    ``assign`` sets other columns in the same statement (``last_posted_at``);
    with ``returning`` the new value of that column is returned.
    """
    statement = update(model, key, assign=assign, **deltas)
    if statement is None:
        return None
    if returning is not None:
        return db.session.execute(statement.returning(returning)).scalar_one()
    db.session.execute(statement)
    return None


def update(
    model: Counted,
    key: int | sa.ColumnElement[bool],
    *,
    assign: dict[str, Any] | None = None,
    **deltas: int,
) -> sa.Update | None:
    """Return the UPDATE ``add`` runs (None when nothing changes)."""
    values: dict[str, Any] = {
        name: getattr(model, name) + delta for name, delta in deltas.items() if delta
    }
    values.update(assign or {})
    if not values:
        return None
    where = model.id == key if isinstance(key, int) else key
    return sa.update(model).where(where).values(**values)


def counts_for_author(topic: Topic) -> int:
    """1 if the topic's posts count for their authors (profile counts, the posts that
    let a new member publish without review), 0 for personal messages."""
    return 0 if topic.category.read_level == ReadLevel.PRIVATE else 1


def post_visibility_changed(post: Post, delta: int) -> None:
    """Add ``delta`` (+1 or -1) to the counters a visible post contributes to.

    The first post stands for its whole topic. A reply inside a deleted topic
    counts for its topic and author only: the topic's posts already left the
    category's count when the topic was deleted (and come back with it).
    """
    topic = post.topic
    own = delta * counts_for_author(topic)
    if post.post_number == 1:
        add(Category, topic.category_id, topic_count=delta, post_count=delta * topic.posts_count)
        add(User, post.user_id, topic_count=own, post_count=own)
        return
    add(Topic, topic.id, posts_count=delta)
    if topic.deleted_at is None:
        add(Category, topic.category_id, post_count=delta)
    add(User, post.user_id, post_count=own)
    if post.reply_to_post_number is not None:
        add(
            Post,
            sa.and_(Post.topic_id == topic.id, Post.post_number == post.reply_to_post_number),
            reply_count=delta,
        )


def topic_moved(topic: Topic, source_id: int, destination_id: int) -> None:
    """Carry a topic from one category to another: its counts (if it is live) and
    both categories' latest post time (deleted topics count there too)."""
    if topic.deleted_at is None:
        for category_id, sign in ((source_id, -1), (destination_id, 1)):
            add(Category, category_id, topic_count=sign, post_count=sign * topic.posts_count)
    topic.category_id = destination_id
    db.session.flush()
    db.session.execute(
        sa.update(Category)
        .where(Category.id.in_([source_id, destination_id]))
        .values(
            last_posted_at=sa.select(sa.func.max(Topic.last_posted_at))
            .where(Topic.category_id == Category.id)
            .scalar_subquery()
        )
    )
