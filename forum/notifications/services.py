"""Creating and listing in-app notifications."""

from typing import Any

import sqlalchemy as sa

from forum import permissions
from forum.boards.models import Category, Topic
from forum.db import utcnow
from forum.extensions import db
from forum.notifications.models import Notification


def notify(user_id: int, kind: str, *, topic_id: int | None = None, **data: Any) -> None:
    """Add a notification for ``user_id`` (committed with the caller's transaction)."""
    db.session.add(Notification(user_id=user_id, kind=kind, topic_id=topic_id, data=data))


def _visible(user):
    # A notification about a topic is shown only while the user may read it
    # (their private conversations included, while they take part).
    readable_topics = (
        sa.select(Topic.id).join(Category).where(permissions.readable_topics_clause(user))
    )
    return sa.or_(Notification.topic_id.is_(None), Notification.topic_id.in_(readable_topics))


def list_notifications(user, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user.id, _visible(user))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(user) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None), _visible(user))
    )


def mark_all_read(user) -> None:
    db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
