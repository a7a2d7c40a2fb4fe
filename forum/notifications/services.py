"""Creating and listing in-app notifications."""

from typing import Any

import sqlalchemy as sa

from forum import permissions
from forum.boards.models import Category, Post, Topic
from forum.db import utcnow
from forum.extensions import db
from forum.notifications.models import Notification


def notify(user_id: int, kind: str, *, topic_id: int | None = None, **data: Any) -> None:
    """Add a notification for ``user_id`` (committed with the caller's transaction).

    A ``post_id`` in ``data`` also fills the column, so the notification stops
    showing when that post is deleted or hidden, and no other notification is
    made for the same post.
    """
    db.session.add(
        Notification(
            user_id=user_id, kind=kind, topic_id=topic_id, post_id=data.get("post_id"), data=data
        )
    )


def _visible(user):
    # A notification about a topic is shown only while the user may read it
    # (their private conversations included, while they take part), and one
    # about a post only while its text may be seen (not deleted or hidden).
    readable_topics = (
        sa.select(Topic.id).join(Category).where(permissions.readable_topics_clause(user))
    )
    condition = sa.or_(Notification.topic_id.is_(None), Notification.topic_id.in_(readable_topics))
    if permissions.is_staff(user):
        return condition
    visible_posts = sa.select(Post.id).where(
        Post.id == Notification.post_id, permissions.visible_posts_clause(user)
    )
    return sa.and_(condition, sa.or_(Notification.post_id.is_(None), visible_posts.exists()))


def list_notifications(user, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user.id, _visible(user))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_statement(reader):
    """Return the statement counting ``reader``'s unread notifications that
    are still visible to them (``reader``: a shaped stand-in,
    forum/permissions/shapes.py; the header asks it with its other counts,
    forum/messages/queries.py)."""
    return (
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == reader.id, Notification.read_at.is_(None), _visible(reader))
    )


def unread_count(user) -> int:
    """Return how many notifications the header counts (the bell's refresh asks;
    the statement is built once per role, see forum/permissions/shapes.py)."""
    statement = permissions.shaped("notifications.unread_count", user, unread_statement)
    return db.session.scalar(statement, permissions.reader_params(user))


def open_notification(user, notification_id: int) -> tuple[Notification, Topic | None] | None:
    """Return one of the user's notifications that is still visible, with its
    topic, and mark it read (two statements); None if there is none."""
    row = db.session.execute(
        sa.select(Notification, Topic)
        .outerjoin(Topic, Topic.id == Notification.topic_id)
        .where(
            Notification.id == notification_id,
            Notification.user_id == user.id,
            _visible(user),
        )
    ).first()
    if row is None:
        return None
    notification, topic = row
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()
    return notification, topic


def mark_all_read(user) -> None:
    db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
