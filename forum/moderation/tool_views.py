"""Moderator tools on topics and members, and members flagging posts.

Routes of the "moderation" blueprint (see views.py); staff tools answer 404
to everybody else.
"""

from functools import partial, wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from forum import permissions
from forum.auth.accounts import get_user_by_username
from forum.boards import queries as board_queries
from forum.boards import services as boards
from forum.boards.loaders import post_view, topic_view
from forum.errors import BoardError, NotAllowed
from forum.idempotency import idempotent
from forum.moderation import actions, services
from forum.moderation.blueprint import bp, moderator_required
from forum.moderation.forms import (
    FLAG_REASON_HINTS,
    DecisionForm,
    FlagForm,
    MemberActionForm,
    MoveTopicForm,
)
from forum.urls import topic_url
from forum.users.models import Role

ROLE_LABELS = {
    Role.APPLICANT: _l("Applicant"),
    Role.MEMBER: _l("Member"),
    Role.MODERATOR: _l("Moderator"),
    Role.ADMIN: _l("Admin"),
}


# --- Flagging -------------------------------------------------------------------------


@bp.route("/p/<int:post_id>/flag", methods=["GET", "POST"])
@login_required
@post_view(permissions.can_flag_post)
@idempotent
def flag(post):
    form = FlagForm()
    if form.validate_on_submit():
        try:
            services.flag_post(current_user, post, form.reason.data, form.message.data or "")
        except NotAllowed:
            abort(403)
        except BoardError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Thank you. A moderator will look at this post."), "success")
            return redirect(f"{topic_url(post.topic, post.post_number)}#post_{post.post_number}")
    return (
        render_template(
            "moderation/flag.html",
            form=form,
            post=post,
            topic=post.topic,
            show_text=permissions.can_read_post(current_user, post),
            reason_hints=FLAG_REASON_HINTS,
        ),
        400 if form.is_submitted() else 200,
    )


# --- Topic tools ------------------------------------------------------------------------


# The moderator panel's actions on a topic: the change and the message it shows.
_TOPIC_ACTIONS = {
    "close": (partial(actions.set_closed, closed=True), _l("The topic was closed.")),
    "reopen": (partial(actions.set_closed, closed=False), _l("The topic was reopened.")),
    "pin": (partial(actions.set_pinned, pinned=True), _l("The topic is pinned in its category.")),
    "pin_globally": (
        partial(actions.set_pinned, pinned=True, globally=True),
        _l("The topic is pinned everywhere."),
    ),
    "unpin": (partial(actions.set_pinned, pinned=False), _l("The topic is no longer pinned.")),
    "unlist": (
        partial(actions.set_unlisted, unlisted=True),
        _l("The topic is unlisted: only its link leads to it."),
    ),
    "list": (partial(actions.set_unlisted, unlisted=False), _l("The topic is listed again.")),
}
# Deleting or restoring a topic is done to its first post.
_FIRST_POST_ACTIONS = {
    "delete": (boards.delete_post, _l("The topic was deleted.")),
    "restore": (boards.restore_post, _l("The topic was restored.")),
}


def _topic_action(moderator, topic, action: str) -> str:
    """Apply one panel action; return the message to show."""
    if action in _TOPIC_ACTIONS:
        change, message = _TOPIC_ACTIONS[action]
        change(moderator, topic)
        return str(message)
    first = board_queries.get_post_by_number(topic, 1)
    if action in _FIRST_POST_ACTIONS and first is not None:
        change, message = _FIRST_POST_ACTIONS[action]
        change(moderator, first)
        return str(message)
    abort(400)


@bp.post("/t/<int:topic_id>/moderate")
@moderator_required
@topic_view(permissions.can_moderate_topic)
def moderate_topic(topic):
    if not DecisionForm().validate():
        abort(400)
    try:
        message = _topic_action(current_user, topic, request.form.get("action", ""))
    except NotAllowed:
        abort(403)
    except BoardError as error:
        flash(error.message, "error")
    else:
        flash(message, "success")
    return redirect(topic_url(topic))


@bp.post("/t/<int:topic_id>/move")
@moderator_required
@topic_view(permissions.can_moderate_topic)
def move_topic(topic):
    form = MoveTopicForm()
    categories = {c.id: c for c in board_queries.readable_categories(current_user)}
    form.category.choices = [(c.id, c.name) for c in categories.values()]
    if not form.validate():
        abort(400)
    destination = categories[form.category.data]
    actions.move_topic(current_user, topic, destination)
    flash(_("The topic was moved to %(name)s.", name=destination.name), "success")
    return redirect(topic_url(topic))


# --- Member tools ---------------------------------------------------------------------------


def member_view(view):
    """Give the view the ``member`` named by ``username``, or answer 404.

    Whether the moderator may act on them is permissions.can_moderate_member:
    the page shows it, and the actions refuse with a reason (403, or 400 for
    oneself) so the form can say why.
    """

    @wraps(view)
    def wrapped(username: str, **kwargs):
        member = get_user_by_username(username)
        if member is None:
            abort(404)
        return view(member=member, **kwargs)

    return wrapped


def _member_page(member, silence_form=None, suspend_form=None, status: int = 200):
    return (
        render_template(
            "moderation/member.html",
            member=member,
            silence_form=silence_form or MemberActionForm(formdata=None, prefix="silence"),
            suspend_form=suspend_form or MemberActionForm(formdata=None, prefix="suspend"),
            lift_form=DecisionForm(formdata=None),
            can_act=permissions.can_moderate_member(current_user, member),
            role_label=ROLE_LABELS[member.role],
        ),
        status,
    )


@bp.get("/u/<username>/moderate")
@moderator_required
@member_view
def member(member):
    return _member_page(member)


@bp.post("/u/<username>/<any(silence, suspend):action>")
@moderator_required
@member_view
def restrict_member(member, action: str):
    form = MemberActionForm(prefix=action)
    forms = {f"{action}_form": form}
    if not form.validate():
        return _member_page(member, **forms, status=400)
    apply = actions.silence_user if action == "silence" else actions.suspend_user
    try:
        apply(current_user, member, form.days.data, form.reason.data)
    except BoardError as error:
        form.form_errors.append(error.message)
        return _member_page(member, **forms, status=403 if isinstance(error, NotAllowed) else 400)
    if action == "silence":
        flash(_("%(name)s is silenced.", name=member.username), "success")
    else:
        flash(_("%(name)s is suspended.", name=member.username), "success")
    return redirect(url_for("moderation.member", username=member.username))


@bp.post("/u/<username>/<any(unsilence, unsuspend):action>")
@moderator_required
@member_view
def lift_restriction(member, action: str):
    if not DecisionForm().validate():
        abort(400)
    lift = actions.lift_silence if action == "unsilence" else actions.lift_suspension
    try:
        lift(current_user, member)
    except NotAllowed:
        abort(403)
    except BoardError as error:
        flash(error.message, "error")
    else:
        flash(_("The restriction was lifted."), "success")
    return redirect(url_for("moderation.member", username=member.username))
