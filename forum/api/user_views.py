"""JSON about the person asking: /notifications.json and marking them read.

Discourse's shape; a guest gets a 403 ``not_logged_in`` as in Discourse.
"""

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from forum.api.responses import error_response
from forum.api.views import bp
from forum.notifications import queries as notification_queries
from forum.notifications import services as notifications

#: Discourse's notification_type numbers for the forum's kinds; others are "custom".
NOTIFICATION_TYPES = {
    "mentioned": 1,
    "replied": 2,
    "reply": 2,
    "quoted": 3,
    "edited": 4,
    "liked": 5,
    "posted": 9,
    "post_approved": 20,
}
CUSTOM = 14
PAGE = 60


def _not_logged_in():
    return error_response(403, _("You need to be logged in to do that."), "not_logged_in")


def notification(row) -> dict:
    item, topic = row.notification, row.topic
    data = dict(item.data or {})
    data.setdefault("kind", item.kind)
    return {
        "id": item.id,
        "user_id": item.user_id,
        "notification_type": NOTIFICATION_TYPES.get(item.kind, CUSTOM),
        "read": item.read_at is not None,
        "high_priority": False,
        "created_at": item.created_at.isoformat(),
        "post_number": data.get("post_number")
        if isinstance(data.get("post_number"), int)
        else None,
        "topic_id": topic.id if topic is not None else None,
        "fancy_title": topic.title if topic is not None else None,
        "slug": topic.slug if topic is not None else None,
        "data": data,
    }


@bp.get("/notifications.json")
def notifications_json():
    if not current_user.is_authenticated:
        return _not_logged_in()
    rows = notification_queries.notification_rows(current_user, PAGE)
    return jsonify(
        notifications=[notification(row) for row in rows],
        total_rows_notifications=len(rows),
        seen_notification_id=max((row.notification.id for row in rows), default=None),
        load_more_notifications=None,
    )


@bp.put("/notifications/mark-read.json")
@bp.put("/notifications/mark-read")
def mark_notifications_read():
    if not current_user.is_authenticated:
        return _not_logged_in()
    notifications.mark_all_read(current_user)
    return jsonify(success="OK")
