"""Who takes part in a private conversation, and whom a member does not want to hear from.

A conversation is a topic in the hidden messages category (``ReadLevel.PRIVATE``);
its posts are ordinary posts. ``forum.permissions`` reads these rows to decide
who may read it.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from forum.boards.models import Topic
from forum.db import Base, utcnow
from forum.users.models import User


class MessageParticipant(Base):
    """A member in a conversation, or (``user_id`` None) the coordination office's
    group inbox, which every moderator and admin reads and answers."""

    __tablename__ = "message_participants"
    __table_args__ = (
        sa.UniqueConstraint("topic_id", "user_id", name="uq_message_participants_topic_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id", ondelete="CASCADE"))
    #: None for the group inbox of the coordination office.
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when the member left; they no longer read the conversation.
    left_at: Mapped[datetime | None]

    # ``topic.participants`` is loaded once per topic and request (the permission
    # checks of every post on a page share it).
    topic: Mapped[Topic] = relationship(
        backref=backref("participants", lazy="select", order_by="MessageParticipant.id")
    )
    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="joined")

    @property
    def is_office(self) -> bool:
        return self.user_id is None

    @property
    def active(self) -> bool:
        return self.left_at is None


class IgnoredUser(Base):
    """``user_id`` does not want to hear from ``ignored_id``: no messages, no
    mention notifications, their posts collapsed."""

    __tablename__ = "ignored_users"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    ignored_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MessagePreference(Base):
    """A member's choice about personal messages (no row: the defaults)."""

    __tablename__ = "message_preferences"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    #: False: only moderators and admins may start a conversation with them.
    from_members: Mapped[bool] = mapped_column(default=True)
