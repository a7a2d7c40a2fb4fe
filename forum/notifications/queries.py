"""The notifications page's read path: a window of notifications and their topics."""

from dataclasses import dataclass

import sqlalchemy as sa

from forum.boards.models import Topic
from forum.extensions import db
from forum.notifications.models import Notification
from forum.notifications.services import list_notifications


@dataclass
class NotificationRow:
    notification: Notification
    #: The topic it points into (only ones the user may still read are listed).
    topic: Topic | None


def notification_rows(user, limit: int = 50) -> list[NotificationRow]:
    """Return the user's latest notifications with their topics (two queries)."""
    notifications = list_notifications(user, limit)
    topic_ids = {n.topic_id for n in notifications if n.topic_id}
    topics = (
        {t.id: t for t in db.session.scalars(sa.select(Topic).where(Topic.id.in_(topic_ids)))}
        if topic_ids
        else {}
    )
    return [NotificationRow(n, topics.get(n.topic_id)) for n in notifications]
