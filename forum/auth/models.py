"""What the forum remembers about failed log-ins."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base


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
