"""Watching levels: the control on topic and category pages, and the overview page."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from forum import permissions
from forum.boards.models import Category, Topic
from forum.extensions import db
from forum.notifications import watching
from forum.notifications.models import Level
from forum.notifications.views import bp
from forum.urls import category_url, topic_url

LEVEL_NAMES = {
    "watching": Level.WATCHING,
    "tracking": Level.TRACKING,
    "normal": Level.NORMAL,
    "muted": Level.MUTED,
}
LABELS = {
    Level.WATCHING: _l("Watching"),
    Level.TRACKING: _l("Tracking"),
    Level.NORMAL: _l("Normal"),
    Level.MUTED: _l("Muted"),
}
TOPIC_HELP = {
    Level.WATCHING: _l("You are notified of every new post."),
    Level.TRACKING: _l("Unread posts are counted; you are notified when mentioned or replied to."),
    Level.NORMAL: _l("You are notified when mentioned or replied to."),
    Level.MUTED: _l("You are never notified."),
}
CATEGORY_HELP = {
    Level.WATCHING: _l("You are notified of every new topic and post."),
    Level.TRACKING: _l("Unread posts are counted; you are notified when mentioned or replied to."),
    Level.NORMAL: _l("You are notified when mentioned or replied to."),
    Level.MUTED: _l("You are never notified, and its topics stay out of “Latest”."),
}


def _chosen_level() -> Level | None:
    return LEVEL_NAMES.get(request.form.get("level", ""))


@bp.app_template_global()
def watch_level(
    topic: Topic | None = None, category: Category | None = None, level: Level | None = None
) -> dict:
    """The reader's level for the topic or category, for the control (one query,
    none when the caller knows the ``level``)."""
    if topic is not None:
        if level is None:
            level, _chosen = watching.topic_level(current_user.id, topic)
        helps = TOPIC_HELP
    else:
        if level is None:
            level = watching.category_level(current_user.id, category.id)
        helps = CATEGORY_HELP
    options = [(name, LABELS[value], helps[value]) for name, value in LEVEL_NAMES.items()]
    return {"current": level.name.lower(), "label": LABELS[level], "options": options}


@bp.app_template_global()
def watched_and_muted() -> dict:
    """What the reader watches, tracks and muted (two queries; for the settings page)."""
    return watching.followed(current_user)


@bp.app_template_global()
def watch_label(level: Level) -> str:
    return str(LABELS[level])


@bp.post("/t/<int:topic_id>/notifications")
@login_required
def topic_level(topic_id: int):
    topic = db.session.get(Topic, topic_id)
    level = _chosen_level()
    if topic is None or not permissions.can_read_topic(current_user, topic):
        abort(404)
    if level is None:
        flash(_("Please choose a notification level."), "error")
    else:
        watching.set_topic_level(current_user.id, topic.id, level)
        flash(_("Notifications for “%(name)s”: %(level)s.", name=topic.title, level=LABELS[level]))
    return _back(topic_url(topic))


@bp.post("/c/<int:category_id>/notifications")
@login_required
def category_level(category_id: int):
    category = db.session.get(Category, category_id)
    level = _chosen_level()
    if category is None or not permissions.can_read_category(current_user, category):
        abort(404)
    if level is None:
        flash(_("Please choose a notification level."), "error")
    else:
        watching.set_category_level(current_user.id, category.id, level)
        flash(
            _("Notifications for “%(name)s”: %(level)s.", name=category.name, level=LABELS[level])
        )
    return _back(category_url(category))


def _back(page: str):
    # The overview page sends "from=settings" to come back to itself.
    if request.form.get("from") == "settings":
        return redirect(url_for("notifications.watching_settings"))
    return redirect(page)


@bp.route("/settings/watching", methods=["GET", "POST"])
@login_required
def watching_settings():
    """What the member watches, tracks and muted, and their default for topics."""
    if request.method == "POST":
        level = _chosen_level()
        if level is None or level == Level.MUTED:
            flash(_("Please choose a notification level."), "error")
        else:
            watching.set_default_topic_level(current_user.id, level)
            flash(_("Saved: topics you write in are set to “%(level)s”.", level=LABELS[level]))
        return redirect(url_for("notifications.watching_settings"))
    default = watching.default_topic_level(current_user.id)
    return render_template(
        "notifications/watching.html",
        followed=watching.followed(current_user),
        default=default.name.lower(),
        labels=LABELS,
        defaults=[(n, LABELS[v]) for n, v in LEVEL_NAMES.items() if v != Level.MUTED],
        level_names={v: n for n, v in LEVEL_NAMES.items()},
    )
