"""The solved plugin's actions and what its outlets show."""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum.boards.loaders import post_view
from forum.boards.models import Post, Topic
from forum.urls import topic_url

from . import services

bp = Blueprint("solved", __name__, template_folder="templates")


def _in_enabled_category(_user, post: Post) -> bool:
    return services.is_enabled(post.topic.category)


def _back_to(post: Post):
    return redirect(f"{topic_url(post.topic, post.post_number)}#post_{post.post_number}")


@bp.post("/solved/p/<int:post_id>/accept")
@login_required
@post_view(hidden=_in_enabled_category)
def accept(post: Post):
    try:
        services.accept_answer(current_user, post)
    except services.NotAllowed:
        abort(403)
    flash(_("Post %(n)d is now the solution.", n=post.post_number), "success")
    return _back_to(post)


@bp.post("/solved/p/<int:post_id>/unaccept")
@login_required
@post_view(hidden=_in_enabled_category)
def unaccept(post: Post):
    try:
        services.unaccept_answer(current_user, post)
    except services.NotAllowed:
        abort(403)
    flash(_("The topic has no solution now."), "success")
    return _back_to(post)


# --- Outlets (computed before rendering: no logic in templates) ------------------------------


def solution_context(topic: Topic, solution: services.Solution) -> dict:
    """What the quote under the first post shows."""
    post = solution.post
    return {
        "author": solution.author,
        "post_number": post.post_number,
        "post_url": f"{topic_url(topic, post.post_number)}#post_{post.post_number}",
        "profile_url": url_for("users.profile", username=solution.author.username),
        # Hidden after flags: its text waits for a moderator here too.
        "excerpt": services.excerpt(post) if post.is_visible else "",
    }


def footer_context(user, post: Post, solution: services.Solution | None) -> dict | None:
    """The badge and button under a reply, or None when there is nothing to show."""
    is_solution = solution is not None and solution.post.id == post.id
    may_choose = services.can_accept_post(user, post) or (
        is_solution and services.can_accept(user, post.topic)
    )
    if not is_solution and not may_choose:
        return None
    return {
        "is_solution": is_solution,
        "post_number": post.post_number,
        "accept_url": url_for("solved.accept", post_id=post.id) if may_choose else None,
        "unaccept_url": url_for("solved.unaccept", post_id=post.id) if may_choose else None,
    }
