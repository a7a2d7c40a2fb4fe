"""The solved plugin's actions and what its outlets show."""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum import permissions
from forum.boards.models import Post, Topic
from forum.boards.queries import get_post
from forum.urls import topic_url

from . import services

bp = Blueprint("solved", __name__, template_folder="templates")


def _post_or_404(post_id: int) -> Post:
    """Return a post of an enabled category that the user can read, or answer 404."""
    post = get_post(post_id)
    if post is None or not permissions.can_read_topic(current_user, post.topic):
        abort(404)
    if post.is_deleted and not permissions.can_see_deleted(current_user):
        abort(404)
    if not services.is_enabled(post.topic.category):
        abort(404)
    return post


def _back_to(post: Post):
    return redirect(f"{topic_url(post.topic, post.post_number)}#post_{post.post_number}")


@bp.post("/solved/p/<int:post_id>/accept")
@login_required
def accept(post_id: int):
    post = _post_or_404(post_id)
    try:
        services.accept_answer(current_user, post)
    except services.NotAllowed:
        abort(403)
    flash(_("Post %(n)d is now the solution.", n=post.post_number), "success")
    return _back_to(post)


@bp.post("/solved/p/<int:post_id>/unaccept")
@login_required
def unaccept(post_id: int):
    post = _post_or_404(post_id)
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
