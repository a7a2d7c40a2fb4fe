"""The "moderation" blueprint: the review queue (views.py) and the tools (tool_views.py)
both add routes to it; the app factory imports both before registering it."""

from functools import wraps

from flask import Blueprint, abort
from flask_login import current_user

from forum import permissions

bp = Blueprint("moderation", __name__)


def moderator_required(view):
    """Answer 404 to everybody but moderators: staff pages stay unknown."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not permissions.can_moderate(current_user):
            abort(404)
        return view(*args, **kwargs)

    return wrapped
