"""The notifications page (the header's unread count: forum/messages/queries.py)."""

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum import plugins
from forum.notifications import outbox, services
from forum.notifications.queries import NotificationRow, notification_rows
from forum.urls import topic_url

bp = Blueprint("notifications", __name__)
# The fan-out's jobs: written with each post, edit and like, made after the response.
bp.record_once(lambda state: outbox.init_app(state.app))


@dataclass
class NotificationView:
    """A notification as the page shows it: a sentence, a link, when, read or not."""

    text: str
    url: str | None
    created_at: datetime
    unread: bool
    kind: str
    #: The link that marks it read and leads on to ``url``.
    open_url: str | None = None


def _date(value: str | None) -> str:
    try:
        return format_datetime(datetime.fromisoformat(value), "medium") if value else ""
    except ValueError:
        return ""


def _post_sentence(kind: str, data: dict, title: str) -> str | None:
    """The sentence of the forum's own post notifications (None for other kinds)."""
    actor = data.get("actor") or _("Somebody")
    if kind == "mentioned":
        return _("%(actor)s mentioned you in “%(title)s”.", actor=actor, title=title)
    if kind == "replied":
        return _("%(actor)s replied to you in “%(title)s”.", actor=actor, title=title)
    if kind == "quoted":
        return _("%(actor)s quoted you in “%(title)s”.", actor=actor, title=title)
    if kind == "posted":
        return _("%(actor)s wrote in “%(title)s”, which you watch.", actor=actor, title=title)
    if kind == "watching_first_post":
        return _("%(actor)s started the topic “%(title)s”.", actor=actor, title=title)
    if kind == "edited":
        return _("%(actor)s edited your post in “%(title)s”.", actor=actor, title=title)
    if kind == "private_message":
        return _("%(actor)s wrote to you: “%(title)s”.", actor=actor, title=title)
    if kind == "liked":
        others = max(int(data.get("count", 1)) - 1, 0)
        if not others:
            return _("%(actor)s liked your post in “%(title)s”.", actor=actor, title=title)
        return ngettext(
            "%(actor)s and %(num)s other liked your post in “%(title)s”.",
            "%(actor)s and %(num)s others liked your post in “%(title)s”.",
            others,
            actor=actor,
            title=title,
        )
    return None


def _plugin_sentence(kind: str, data: dict, topic) -> str | None:
    return plugins.notification_text(kind, data, topic)


def describe(row: NotificationRow) -> NotificationView:
    """Turn a stored notification into a readable sentence and a link."""
    notification, topic = row.notification, row.topic
    data = notification.data or {}
    # The topic's title as it is now: a title a moderator changed (a name taken
    # out) is not repeated from the time the notification was made.
    title = (topic.title if topic else "") or data.get("title") or ""
    reason = data.get("reason", "")
    url = None
    if topic is not None:
        number = data.get("post_number")
        url = f"{topic_url(topic, number)}#post_{number}" if number else topic_url(topic)
    kind = notification.kind
    if kind == "application_approved":
        text = _("Welcome! Your request to join was approved. You can now read and write.")
        url = url_for("boards.index")
    elif kind == "application_rejected":
        text = _("Your request to join was not approved. Reason: %(reason)s", reason=reason)
    elif kind == "post_approved":
        text = _("Your post in “%(title)s” was approved and is visible now.", title=title)
    elif kind == "post_rejected":
        text = _(
            "Your post “%(title)s” was not published. Reason: %(reason)s",
            title=title,
            reason=reason,
        )
    elif kind == "post_hidden":
        text = _(
            "Your post in “%(title)s” was hidden after reports from the community "
            "until a moderator has looked at it.",
            title=title,
        )
    elif kind == "silenced":
        text = _(
            "You may read but not write until %(date)s. Reason: %(reason)s",
            date=_date(data.get("until")),
            reason=reason,
        )
    elif described := _post_sentence(kind, data, title) or _plugin_sentence(kind, data, topic):
        text = described
    elif title:
        text = _("News about “%(title)s”.", title=title)
    else:
        text = _("You have a new notification.")
    return NotificationView(
        text=text,
        url=url,
        created_at=notification.created_at,
        unread=notification.read_at is None,
        kind=kind,
        open_url=url and url_for("notifications.open_one", notification_id=notification.id),
    )


@bp.get("/notifications")
@login_required
def index():
    views = [describe(row) for row in notification_rows(current_user)]
    return render_template(
        "notifications/index.html",
        notifications=views,
        has_unread=any(v.unread for v in views),
    )


@bp.post("/notifications/read")
@login_required
def mark_read():
    services.mark_all_read(current_user)
    # The header counts anew on the page this leads to: its counts are asked
    # when a page renders, once per request (forum/messages/views.py).
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))


@bp.get("/notifications/<int:notification_id>")
@login_required
def open_one(notification_id: int):
    """Mark one notification read and go where it points (the exact post)."""
    found = services.open_notification(current_user, notification_id)
    if found is None:
        abort(404)
    view = describe(NotificationRow(*found))
    return redirect(view.url or url_for("notifications.index"))


@bp.get("/notifications/count.json")
@login_required
def count():
    """The header's unread count, for the bell to refresh when the window gets focus."""
    return jsonify(unread=services.unread_count(current_user))
