"""Actions of the "boards" blueprint on one post (edit, history, delete,
restore, like, bookmark) and on a help topic's status."""

from flask import abort, flash, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.validators import InputRequired

from forum import permissions
from forum.boards import queries, services
from forum.boards.blueprint import bp
from forum.boards.composer import compose, composer_outlet, plugin_fields, post_limit
from forum.boards.forms import EditForm, title_length
from forum.boards.loaders import post_view, topic_view
from forum.idempotency import idempotent
from forum.uploads.limits import accepts_uploads
from forum.urls import category_url, topic_url

# --- Post actions ---------------------------------------------------------------------------


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@accepts_uploads
@login_required
@post_limit
@post_view(permissions.can_edit_post)
@idempotent
def edit_post(post):
    topic = post.topic
    is_first = post.post_number == 1
    is_help = is_first and topic.help_kind is not None
    form = EditForm(
        data={
            "raw": post.raw,
            "title": topic.title if is_first else None,
            "help_kind": topic.help_kind.value if is_help else "",
            "municipality": topic.municipality.value if is_help else "",
        }
        if request.method == "GET"
        else None
    )

    def submit():
        services.edit_post(
            current_user,
            post,
            form.raw.data,
            title=form.title.data if is_first else None,
            reason=form.reason.data or "",
            help_kind=form.help_kind.data or None,
            municipality=form.municipality.data or None,
            extra=plugin_fields(),
        )
        flash(_("Your changes were saved."), "success")
        return _back_to(post)

    return compose(
        form,
        submit,
        "boards/edit.html",
        extra_validators={"title": [InputRequired(), title_length]} if is_first else None,
        post=post,
        topic=topic,
        is_first=is_first,
        is_help=is_help,
        composer_outlet=composer_outlet(topic.category, topic, post),
    )


@bp.get("/p/<int:post_id>/revisions")
@post_view(hidden=permissions.can_read_post)
def revisions(post):
    return render_template(
        "boards/revisions.html", post=post, topic=post.topic, revisions=queries.post_revisions(post)
    )


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _back_to(post):
    return redirect(f"{topic_url(post.topic, post.post_number)}#post_{post.post_number}")


@bp.post("/p/<int:post_id>/delete")
@login_required
@post_view(permissions.can_delete_post)
def delete_post(post):
    services.delete_post(current_user, post)
    flash(
        _("The topic was deleted.") if post.post_number == 1 else _("The post was deleted."),
        "success",
    )
    if post.post_number == 1 and not permissions.can_see_deleted(current_user):
        return redirect(category_url(post.topic.category))
    return _back_to(post)


@bp.post("/p/<int:post_id>/restore")
@login_required
@post_view(permissions.can_restore_post)
def restore_post(post):
    services.restore_post(current_user, post)
    flash(_("The post was restored."), "success")
    return _back_to(post)


def _toggled(post, answer: dict, message: str | None = None):
    """Answer a like or bookmark click: JSON for the page's script, else back to the post."""
    if _wants_json():
        return jsonify(answer)
    if message:
        flash(message, "success")
    return _back_to(post)


@bp.post("/p/<int:post_id>/like")
@login_required
@post_view(permissions.can_like_post)
def like(post):
    liked = services.toggle_like(current_user, post)
    return _toggled(post, {"liked": liked, "like_count": post.like_count})


@bp.post("/p/<int:post_id>/bookmark")
@login_required
@post_view(permissions.can_bookmark_post)
def bookmark(post):
    bookmarked = services.toggle_bookmark(current_user, post)
    message = _("Bookmark added.") if bookmarked else _("Bookmark removed.")
    return _toggled(post, {"bookmarked": bookmarked}, message)


@bp.post("/t/<int:topic_id>/help-status")
@login_required
@topic_view()
def help_status(topic):
    try:
        services.set_help_status(current_user, topic, request.form.get("status", ""))
    except ValueError:
        abort(400)
    flash(_("The status was changed."), "success")
    return redirect(topic_url(topic))
