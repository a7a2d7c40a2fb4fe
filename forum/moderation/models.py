"""Review items, flags, watched words and the audit log."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.boards.models import Post
from forum.db import Base, utcnow
from forum.users.models import User


def _enum(cls: type[enum.Enum], length: int = 20) -> sa.Enum:
    return sa.Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class ReviewStatus(enum.StrEnum):
    PENDING = "pending"
    #: Join request approved, held post published, flag agreed with.
    APPROVED = "approved"
    #: Join request or held post rejected, flag disagreed with (post restored).
    REJECTED = "rejected"
    IGNORED = "ignored"


class ReviewItem(Base):
    """One thing awaiting a moderator's decision, whatever its kind.

    ``kind`` is a plain string ("join_request", "flagged_post", "held_post",
    or a kind a plugin registers), so new kinds need no schema change.
    """

    __tablename__ = "review_items"
    __table_args__ = (
        sa.Index("ix_review_items_status_created", "status", "created_at"),
        sa.Index("ix_review_items_kind_status", "kind", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[ReviewStatus] = mapped_column(_enum(ReviewStatus), default=ReviewStatus.PENDING)
    #: The person the item is about: the applicant, or the post's author.
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    post_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    #: The topic a flagged post or a held reply belongs to.
    topic_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("topics.id", ondelete="CASCADE"), index=True
    )
    #: Why the item exists (watched word, flag count, ...) for the reviewer.
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: A held post lives here until approved, as Discourse's queued posts do:
    #: {"raw", "title", "category_id", "topic_id", "reply_to_post_number",
    #: "help_kind", "municipality"}; approval turns it into a real post, so
    #: lists, counters and search never see unapproved text. Plugin kinds
    #: keep their own data here too.
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    handled_at: Mapped[datetime | None]
    #: What the moderator did ("approve", "reject", "hide", "delete", ...).
    resolution: Mapped[str] = mapped_column(sa.String(40), default="")
    #: The reason given with the decision (shown to the applicant or author).
    resolution_reason: Mapped[str] = mapped_column(sa.Text, default="")

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    post: Mapped[Post | None] = relationship()
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])


class FlagReason(enum.StrEnum):
    OFF_TOPIC = "off_topic"
    INAPPROPRIATE = "inappropriate"
    SPAM = "spam"
    OTHER = "other"


class Flag(Base):
    """A member's report of a post."""

    __tablename__ = "flags"
    __table_args__ = (sa.UniqueConstraint("review_item_id", "user_id", name="uq_flags_item_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("review_items.id", ondelete="CASCADE"), index=True
    )
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[FlagReason] = mapped_column(_enum(FlagReason))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class WatchedWordAction(enum.StrEnum):
    BLOCK = "block"
    HOLD = "hold"
    CENSOR = "censor"


class WatchedWord(Base):
    __tablename__ = "watched_words"
    __table_args__ = (sa.UniqueConstraint("word", "action", name="uq_watched_words_word_action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Matched case-insensitively as a whole word; "*" is a wildcard.
    word: Mapped[str] = mapped_column(sa.String(100))
    action: Mapped[WatchedWordAction] = mapped_column(_enum(WatchedWordAction))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditLog(Base):
    """Every staff action: who, when, what, to what, why. Written, never edited."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    #: What the action was applied to: "topic", "post", "user", "category", ...
    target_type: Mapped[str] = mapped_column(sa.String(30), default="")
    target_id: Mapped[int | None]
    #: A human-readable label of the target at the time (title, username).
    target_label: Mapped[str] = mapped_column(sa.String(255), default="")
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()
