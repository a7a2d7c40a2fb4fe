"""A notification for one user."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, utcnow


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: "application_approved", "application_rejected", "post_approved",
    #: "post_rejected", "post_hidden", "reply", "liked", or a plugin's kind.
    kind: Mapped[str] = mapped_column(sa.String(40))
    #: What the message needs: topic_id, post_number, title, reason, actor...
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: Only set when the notification points into a topic, so that
    #: notifications can be filtered by what the user may still read.
    topic_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("topics.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
