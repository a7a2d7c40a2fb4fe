"""The user account and its role."""

import enum
import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, column_property, mapped_column

from forum.db import Base, utcnow


class Role(enum.StrEnum):
    """What a person may do; ordered from least to most trusted."""

    APPLICANT = "applicant"
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


class User(UserMixin, Base):
    __tablename__ = "users"
    # The admin's list of people sorts by these (forum/admin/people.py).
    __table_args__ = (
        sa.Index("ix_users_created_at", "created_at", "id"),
        sa.Index("ix_users_last_seen_at", "last_seen_at", "id"),
        sa.Index("ix_users_post_count", "post_count", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(40))
    # Lower-cased copies make uniqueness and look-ups case-insensitive on both databases.
    username_lower: Mapped[str] = mapped_column(sa.String(40), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    email_lower: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    display_name: Mapped[str] = mapped_column(sa.String(80), default="")
    bio_raw: Mapped[str] = mapped_column(sa.Text, default="")
    bio_cooked: Mapped[str] = mapped_column(sa.Text, default="")
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Role.APPLICANT,
    )
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    email_confirmed_at: Mapped[datetime | None]
    #: E-mail preferences (forum/mailing): replies to my posts (and quotes of
    #: them), mentions, personal messages, new posts in topics I watch.
    email_on_reply: Mapped[bool] = mapped_column(default=True)
    email_on_mention: Mapped[bool] = mapped_column(default=True)
    email_on_message: Mapped[bool] = mapped_column(default=True)
    email_on_watched: Mapped[bool] = mapped_column(default=True)
    #: How often a summary of popular topics is mailed: "off", "daily",
    #: "weekly", "biweekly" (forum.mailing.digest.FREQUENCIES).
    digest_frequency: Mapped[str] = mapped_column(sa.String(12), default="weekly")
    last_digest_at: Mapped[datetime | None]
    #: A silenced member may read but not write; a suspended one may not log in.
    silenced_until: Mapped[datetime | None]
    silence_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    suspended_until: Mapped[datetime | None]
    suspend_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Posts a moderator let through or that needed no review; the first
    #: ``HOLD_FIRST_POSTS`` of a new member wait in the review queue.
    published_post_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]
    # Kept on the row so the profile page needs no counting query.
    topic_count: Mapped[int] = mapped_column(default=0)
    post_count: Mapped[int] = mapped_column(default=0)
    likes_received: Mapped[int] = mapped_column(default=0)
    likes_given: Mapped[int] = mapped_column(default=0)
    #: An uploaded picture (storage keys, 240 and 64 pixels square); None: the
    #: letter avatar. Keys, not foreign keys: pages show avatars without a join.
    avatar_key: Mapped[str | None] = mapped_column(sa.String(80))
    avatar_small_key: Mapped[str | None] = mapped_column(sa.String(80))

    @property
    def name(self) -> str:
        """Return the name to show: the display name, else the username."""
        return self.display_name or self.username

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_member(self) -> bool:
        """True for members and staff; applicants are not members yet."""
        return self.role != Role.APPLICANT

    @property
    def is_silenced(self) -> bool:
        return self.silenced_until is not None and self.silenced_until > utcnow()

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > utcnow()

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def session_token(self) -> str:
        """Return a short digest of the password hash; it changes with the password."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def get_id(self) -> str:
        # Sessions and remember-me cookies name the account *and* its current
        # password, so a new password logs out every other device.
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class AccountDeletion(Base):
    """An account an admin anonymised: the row in ``users`` stays, without personal
    data, for the posts that still name it ("Gelöschtes Mitglied").

    A table of its own rather than a column on ``users``, so the accounts table
    (read by every page) keeps its shape.
    """

    __tablename__ = "account_deletions"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    deleted_at: Mapped[datetime] = mapped_column(default=utcnow)


#: When the account was anonymised, or None; loaded only when asked for, and
#: usable in queries (``User.deleted_at.is_(None)``).
User.deleted_at = column_property(
    sa.select(AccountDeletion.deleted_at)
    .where(AccountDeletion.user_id == User.id)
    .correlate_except(AccountDeletion)
    .scalar_subquery(),
    deferred=True,
)
