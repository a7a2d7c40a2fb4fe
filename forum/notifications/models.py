"""Notifications for one user, and how closely each member follows topics and categories."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, utcnow


class Level(enum.IntEnum):
    """Watching levels with Discourse's meanings (stored as small integers).

    - watching: a notification for every new post (and, for a category, every new topic);
    - tracking: unread counts, notified when mentioned, replied to or quoted;
    - normal: notified when mentioned, replied to or quoted;
    - muted: never notified (a muted category is left out of /latest).
    """

    MUTED = 0
    NORMAL = 1
    TRACKING = 2
    WATCHING = 3


#: The forum's own kinds that point at a post. ``data`` holds at least
#: ``post_id``, ``post_number``, ``title`` and ``actor`` (the acting username).
POST_KINDS = (
    "mentioned", "replied", "quoted", "posted", "watching_first_post", "liked", "edited",
)  # fmt: skip

#: When one post concerns a person in several ways, the first kind here wins:
#: one notification per post and person.
#: A conversation's participants hear of each of its posts as a message, whatever else it does.
PRIORITY = ("private_message", "mentioned", "replied", "quoted", "watching_first_post", "posted")


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_user_created", "user_id", "created_at"),
        sa.Index("ix_notifications_user_post", "user_id", "post_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: "application_approved", "application_rejected", "post_approved",
    #: "post_rejected", "post_hidden", "silenced", one of POST_KINDS, or a plugin's kind.
    kind: Mapped[str] = mapped_column(sa.String(40))
    #: What the message needs: topic_id, post_id, post_number, title, reason, actor...
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: Only set when the notification points into a topic, so that
    #: notifications can be filtered by what the user may still read.
    topic_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("topics.id", ondelete="CASCADE"), index=True
    )
    #: The post it is about (POST_KINDS): a deleted or hidden post stops showing.
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class CategoryUser(Base):
    """A member's watching level for a category (no row: normal)."""

    __tablename__ = "category_users"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[int] = mapped_column(
        sa.ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    level: Mapped[int] = mapped_column(sa.SmallInteger)


class NotificationSetting(Base):
    """A member's choices about notifications (no row: the defaults)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    #: The level a topic gets when the member starts it or replies in it.
    topic_level: Mapped[int] = mapped_column(sa.SmallInteger, default=int(Level.TRACKING))


class NotificationJob(Base):
    """A fan-out still to make (forum/notifications/outbox.py): written in the
    transaction of the post, edit or like that causes it, deleted in the
    fan-out's own transaction."""

    __tablename__ = "notification_jobs"
    __table_args__ = (sa.Index("ix_notification_jobs_due", "failed_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "post" (a new post), "edit" (a revision), "like".
    kind: Mapped[str] = mapped_column(sa.String(20))
    post_id: Mapped[int]
    #: Who wrote, edited or liked.
    actor_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: From then on ``recover`` takes the job (its own process did not finish it).
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    #: Set after NOTIFY_MAX_ATTEMPTS failures; the row stays for the operator.
    failed_at: Mapped[datetime | None]
