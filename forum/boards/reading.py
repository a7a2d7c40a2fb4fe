"""Where each member has read up to in a topic (one upsert per visit)."""

import sqlalchemy as sa

from forum.boards.models import TopicUser
from forum.db import utcnow
from forum.extensions import db


def _upsert_statement(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def mark_read(user_id: int, topic_id: int, post_number: int) -> None:
    """Move the read position forward in the caller's transaction (never back)."""
    insert = _upsert_statement(db.session.get_bind().dialect.name)
    now = utcnow()
    statement = insert(TopicUser).values(
        user_id=user_id,
        topic_id=topic_id,
        last_read_post_number=post_number,
        first_visited_at=now,
        last_visited_at=now,
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[TopicUser.user_id, TopicUser.topic_id],
            set_={
                "last_read_post_number": sa.func.max(
                    TopicUser.last_read_post_number, statement.excluded.last_read_post_number
                )
                if db.session.get_bind().dialect.name == "sqlite"
                else sa.func.greatest(
                    TopicUser.last_read_post_number, statement.excluded.last_read_post_number
                ),
                "last_visited_at": now,
            },
        )
    )


def record_read(user_id: int, topic_id: int, post_number: int) -> None:
    """Remember that the user has read the topic up to ``post_number``."""
    mark_read(user_id, topic_id, post_number)
    db.session.commit()
