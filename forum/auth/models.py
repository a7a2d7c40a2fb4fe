"""What the forum remembers about failed log-ins."""

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import Base, utcnow

if TYPE_CHECKING:
    from forum.users.models import User


class LoginThrottle(Base):
    """Failed log-ins for one account, or for one login name that has no account.

    Kept in the database, not in the rate limiter's store, so every worker and
    every server sees the same lockout without Redis.
    """

    __tablename__ = "login_throttles"

    #: "user:<id>", or "name:<keyed digest>" for a login name without an account
    #: (digested: people type passwords into the name field).
    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    #: Failures since the last lockout ended the streak's count.
    failures: Mapped[int] = mapped_column(default=0)
    #: Lockouts so far in this streak; each lasts twice as long as the one before.
    lockouts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_failure_at: Mapped[datetime] = mapped_column(index=True)


class LoginRecord(Base):
    """One successful log-in: who, when, from which address; nothing else.

    Admins see the addresses of a member's last log-ins on her admin page (to
    tell two accounts of one person apart, or to spot a stolen account). Rows
    older than ``LOGIN_RECORD_DAYS`` are deleted at each log-in and by
    ``flask --app forum prune-logins``.
    """

    __tablename__ = "login_records"
    __table_args__ = (sa.Index("ix_login_records_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: IPv4 or IPv6 address as the app saw it (behind a proxy: see TRUSTED_PROXIES).
    ip_address: Mapped[str] = mapped_column(sa.String(45))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ApiKey(Base):
    """A key for scripts and Discourse clients (``Api-Key`` header).

    Only the key's SHA-256 digest is stored; the key itself is shown once, when
    it is made. ``user_id`` None: the key may act for every user, and the
    ``Api-Username`` header says which one.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The key's first characters, so that an admin recognises it in the list.
    truncated: Mapped[str] = mapped_column(sa.String(8))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    read_only: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped["User | None"] = relationship(foreign_keys=[user_id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
