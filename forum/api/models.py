"""Data of the API package: personal feed keys (data only)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, utcnow


class FeedKey(Base):
    """How many times a member asked for a new personal feed address.

    The address carries the member's id and this number, signed with the
    secret key; a new number makes every older address stop working (as the
    events plugin's calendar feed does). No row means generation 0.
    """

    __tablename__ = "feed_keys"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    generation: Mapped[int] = mapped_column(default=0)
    renewed_at: Mapped[datetime] = mapped_column(default=utcnow)
