"""Username suggestions for the composer's @mentions (a small JSON endpoint)."""

import re

import sqlalchemy as sa
from flask import abort, current_app, jsonify, request
from flask_login import current_user, login_required

from forum import permissions
from forum.db import utcnow
from forum.extensions import db, limiter
from forum.notifications.views import bp
from forum.uploads.services import avatar_url
from forum.users.models import Role, User

#: What may follow "@": the characters of usernames.
TERM = re.compile(r"^[A-Za-z0-9_.\-]{1,20}$")
MAX_SUGGESTIONS = 8


def suggest(term: str, viewer_id: int) -> list[User]:
    """Return up to 8 active members whose username starts with ``term``.

    Only members, moderators and administrators who are not suspended:
    applicants are nobody's to mention yet (and their names stay private).
    """
    prefix = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.username_lower.like(f"{prefix}%", escape="\\"),
                User.role.in_([Role.MEMBER, Role.MODERATOR, Role.ADMIN]),
                sa.or_(User.suspended_until.is_(None), User.suspended_until <= utcnow()),
                User.id != viewer_id,
            )
            .order_by(User.username_lower)
            .limit(MAX_SUGGESTIONS)
        )
    )


@bp.get("/u/search.json")
@login_required
@limiter.limit(lambda: current_app.config["MENTION_SEARCH_RATE_LIMIT"])
def user_search():
    """``GET /u/search.json?term=an``: names to complete an @mention (members only)."""
    if not permissions.is_member(current_user):
        abort(403)
    term = request.args.get("term", "")
    if not TERM.match(term):
        return jsonify(users=[])
    users = suggest(term, current_user.id)
    return jsonify(
        users=[
            {
                "username": user.username,
                "name": user.name,
                "avatar": avatar_url(user, 32),
            }
            for user in users
        ]
    )
