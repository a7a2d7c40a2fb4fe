"""Reading what the fan-out wrote, and posting through the real pages."""

import sqlalchemy as sa

from forum.extensions import db
from forum.notifications.models import Notification


def notes(app, user) -> list[tuple[str, dict]]:
    """Return the user's notifications as (kind, data), oldest first."""
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
        return [(n.kind, dict(n.data or {})) for n in rows]


def kinds(app, user) -> list[str]:
    return [kind for kind, _data in notes(app, user)]


def reply(client, topic, raw: str, to: int | None = None):
    """Reply through the composer; the response is closed as a server would,
    so the work after the response runs."""
    data = {"raw": raw}
    if to:
        data["reply_to_post_number"] = str(to)
    response = client.post(f"/t/{topic.id}/reply", data=data, buffered=True)
    response.close()
    return response
