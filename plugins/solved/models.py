"""The solved plugin's table: at most one accepted answer per topic."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, utcnow


class SolvedAnswer(Base):
    """The reply a topic's author or a moderator accepted as the solution.

    The row stays when the post is deleted; a deleted answer just does not
    count (the topic reads as unsolved) and counts again once restored.
    """

    __tablename__ = "solved_answers"
    # Lets tests and tools tell the plugin's tables from the core schema.
    __table_args__ = {"info": {"plugin": "solved"}}

    topic_id: Mapped[int] = mapped_column(
        sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    accepted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<SolvedAnswer topic={self.topic_id} post={self.post_id}>"
