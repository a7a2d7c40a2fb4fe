"""The coordinator's pages: the review queue, flagging, topic and member tools.

Everything for staff answers 404 to anybody else, so the pages do not reveal
that they exist. Decisions go through the services, which claim review items
atomically: a second moderator gets "already handled by X", never a double.
"""

from functools import wraps

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from forum import permissions
from forum.auth.services import safe_next_url
from forum.boards import queries as board_queries
from forum.boards import services as boards
from forum.extensions import db
from forum.moderation import actions, queries, services
from forum.moderation.forms import (
    FLAG_REASON_HINTS,
    FLAG_REASON_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    DecisionForm,
    FlagDecisionForm,
    FlagForm,
    MemberActionForm,
    MoveTopicForm,
    RejectForm,
    ReviewFilterForm,
)
from forum.moderation.held import HELD_POST
from forum.templating import topic_url
from forum.users.models import Role
from forum.users.services import get_user_by_username

bp = Blueprint("moderation", __name__)

REVIEW_PAGE_SIZE = 30


@bp.app_context_processor
def review_count():
    """Give moderators the number of items waiting (one query, only for them)."""
    if not permissions.can_moderate(current_user):
        return {"viewer_can_moderate": False}
    if "review_pending_count" not in g:
        try:
            g.review_pending_count = services.pending_count()
        except SQLAlchemyError:
            # An error page rendered after a failed transaction must still render.
            db.session.rollback()
            g.review_pending_count = None
    return {"viewer_can_moderate": True, "review_pending_count": g.review_pending_count}


@bp.app_context_processor
def review_labels():
    return {
        "review_kind_labels": KIND_LABELS,
        "review_status_labels": STATUS_LABELS,
        "flag_reason_labels": FLAG_REASON_LABELS,
    }


RESOLUTION_LABELS = {
    "approve": _l("approved"),
    "reject": _l("rejected"),
    "agree_hide": _l("agreed, post hidden"),
    "agree_delete": _l("agreed, post deleted"),
    "disagree": _l("disagreed, post restored"),
    "ignore": _l("ignored"),
}
ROLE_LABELS = {
    Role.APPLICANT: _l("Applicant"),
    Role.MEMBER: _l("Member"),
    Role.MODERATOR: _l("Moderator"),
    Role.ADMIN: _l("Admin"),
}


@bp.app_template_filter("resolution_label")
def resolution_label(resolution: str) -> str:
    return str(RESOLUTION_LABELS.get(resolution, resolution))


@bp.app_template_filter("held_reason")
def held_reason(reason: str) -> str:
    """Say why a post waits for review ("new_member", "watched_word:<word>")."""
    if reason == "new_member":
        return _("it is among the first posts of a new member")
    if reason.startswith("watched_word:"):
        return _("it contains the watched word “%(word)s”", word=reason.partition(":")[2])
    return reason


def moderator_required(view):
    """Answer 404 to everybody but moderators: staff pages stay unknown."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not permissions.can_moderate(current_user):
            abort(404)
        return view(*args, **kwargs)

    return wrapped


def _back(default: str):
    return redirect(safe_next_url(request.form.get("next")) or default)


# --- The queue ----------------------------------------------------------------------


@bp.get("/review")
@moderator_required
def review():
    filter_form = ReviewFilterForm(request.args)
    kind = filter_form.kind.data if filter_form.kind.data in queries.KINDS else None
    status = filter_form.status.data
    if status not in queries.STATUS_FILTERS:
        status = filter_form.status.data = "pending"
    before = request.args.get("before", type=int)
    window = queries.review_window(kind=kind, status=status, before=before, limit=REVIEW_PAGE_SIZE)
    filters = {k: v for k, v in (("kind", kind), ("status", status)) if v}
    return render_template(
        "moderation/review.html",
        window=window,
        filter_form=filter_form,
        filters=filters,
        here=request.full_path,
        decision_form=DecisionForm(formdata=None),
    )


def _row_or_404(item_id: int) -> queries.ReviewRow:
    row = queries.review_row(item_id)
    if row is None:
        abort(404)
    return row


def _item_page(row, *, reject_form=None, flag_form=None, status: int = 200):
    templates = queries.rejection_templates()
    next_url = safe_next_url(request.values.get("next")) or ""
    if reject_form is None:
        reject_form = RejectForm(formdata=None, templates=templates, next=next_url)
    if flag_form is None:
        flag_form = FlagDecisionForm(formdata=None, next=next_url)
    return (
        render_template(
            "moderation/item.html",
            row=row,
            item=row.item,
            reject_form=reject_form,
            flag_form=flag_form,
            decision_form=DecisionForm(formdata=None, next=next_url),
            next_url=next_url,
        ),
        status,
    )


@bp.get("/review/<int:item_id>")
@moderator_required
def review_item(item_id: int):
    return _item_page(_row_or_404(item_id))


def _already_handled(error: services.AlreadyHandled, item_id: int):
    flash(error.message, "warning")
    return redirect(url_for("moderation.review_item", item_id=item_id))


@bp.post("/review/<int:item_id>/approve")
@moderator_required
def approve(item_id: int):
    row = _row_or_404(item_id)
    item = row.item
    form = DecisionForm()
    if not form.validate():
        abort(400)
    try:
        if item.kind == services.JOIN_REQUEST:
            services.approve_application(current_user, item)
            flash(_("%(name)s is now a member.", name=item.user.username), "success")
        elif item.kind == HELD_POST:
            post = services.approve_held_post(current_user, item)
            flash(_("The post was published."), "success")
            if not form.next.data:
                return redirect(
                    f"{topic_url(post.topic, post.post_number)}#post_{post.post_number}"
                )
        else:
            abort(400)
    except services.AlreadyHandled as error:
        return _already_handled(error, item_id)
    except boards.BoardError as error:
        flash(error.message, "error")
        return redirect(url_for("moderation.review_item", item_id=item_id))
    return _back(url_for("moderation.review"))


@bp.post("/review/<int:item_id>/reject")
@moderator_required
def reject(item_id: int):
    row = _row_or_404(item_id)
    item = row.item
    if item.kind not in (services.JOIN_REQUEST, HELD_POST):
        abort(400)
    form = RejectForm(templates=queries.rejection_templates())
    if not form.validate():
        return _item_page(row, reject_form=form, status=400)
    try:
        if item.kind == services.JOIN_REQUEST:
            services.reject_application(current_user, item, form.reason.data)
            flash(
                _("The join request was rejected; %(name)s is told why.", name=item.user.username),
                "success",
            )
        else:
            services.reject_held_post(current_user, item, form.reason.data)
            flash(
                _("The post was rejected; %(name)s is told why.", name=item.user.username),
                "success",
            )
    except services.AlreadyHandled as error:
        return _already_handled(error, item_id)
    except boards.BoardError as error:
        form.reason.errors.append(error.message)
        return _item_page(row, reject_form=form, status=400)
    return _back(url_for("moderation.review"))


@bp.post("/review/<int:item_id>/flags")
@moderator_required
def decide_flags(item_id: int):
    row = _row_or_404(item_id)
    item = row.item
    if item.kind != services.FLAGGED_POST:
        abort(400)
    form = FlagDecisionForm()
    if not form.validate():
        return _item_page(row, flag_form=form, status=400)
    decision = form.decision.data
    silence_days = form.silence_days.data or 0
    try:
        services.resolve_flags(
            current_user, item, decision, reason=form.reason.data or "", silence_days=silence_days
        )
    except services.AlreadyHandled as error:
        return _already_handled(error, item_id)
    except boards.BoardError as error:
        form.form_errors.append(error.message)
        return _item_page(row, flag_form=form, status=400)
    messages = {
        "agree_hide": _("The post is hidden."),
        "agree_delete": _("The post was deleted."),
        "disagree": _("The flags were rejected; the post is visible again."),
        "ignore": _("The flags were ignored."),
    }
    flash(messages[decision], "success")
    return _back(url_for("moderation.review"))


# --- Flagging -------------------------------------------------------------------------


@bp.route("/p/<int:post_id>/flag", methods=["GET", "POST"])
@login_required
def flag(post_id: int):
    post = board_queries.get_post(post_id)
    if post is None or not permissions.can_read_topic(current_user, post.topic):
        abort(404)
    if post.is_deleted and not permissions.can_see_deleted(current_user):
        abort(404)
    if not permissions.can_flag_post(current_user, post):
        abort(403)
    form = FlagForm()
    if form.validate_on_submit():
        try:
            services.flag_post(current_user, post, form.reason.data, form.message.data or "")
        except boards.NotAllowed:
            abort(403)
        except boards.BoardError as error:
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
            show_text=post.is_visible or permissions.can_see_hidden_post(current_user, post),
            reason_hints=FLAG_REASON_HINTS,
        ),
        400 if form.is_submitted() else 200,
    )


# --- Topic tools ------------------------------------------------------------------------


def _topic_or_404(topic_id: int):
    topic = board_queries.get_topic(topic_id)
    if topic is None or not permissions.can_read_topic(current_user, topic):
        abort(404)
    return topic


def _topic_action(moderator, topic, action: str) -> str:
    """Apply one panel action; return the message to show."""
    if action == "close":
        actions.set_closed(moderator, topic, True)
        return _("The topic was closed.")
    if action == "reopen":
        actions.set_closed(moderator, topic, False)
        return _("The topic was reopened.")
    if action == "pin":
        actions.set_pinned(moderator, topic, True)
        return _("The topic is pinned in its category.")
    if action == "pin_globally":
        actions.set_pinned(moderator, topic, True, globally=True)
        return _("The topic is pinned everywhere.")
    if action == "unpin":
        actions.set_pinned(moderator, topic, False)
        return _("The topic is no longer pinned.")
    if action == "unlist":
        actions.set_unlisted(moderator, topic, True)
        return _("The topic is unlisted: only its link leads to it.")
    if action == "list":
        actions.set_unlisted(moderator, topic, False)
        return _("The topic is listed again.")
    first = board_queries.get_post_by_number(topic, 1)
    if action == "delete" and first is not None:
        boards.delete_post(moderator, first)
        return _("The topic was deleted.")
    if action == "restore" and first is not None:
        boards.restore_post(moderator, first)
        return _("The topic was restored.")
    abort(400)


@bp.post("/t/<int:topic_id>/moderate")
@moderator_required
def moderate_topic(topic_id: int):
    topic = _topic_or_404(topic_id)
    if not DecisionForm().validate():
        abort(400)
    try:
        message = _topic_action(current_user, topic, request.form.get("action", ""))
    except boards.NotAllowed:
        abort(403)
    except boards.BoardError as error:
        flash(error.message, "error")
    else:
        flash(message, "success")
    return redirect(topic_url(topic))


@bp.post("/t/<int:topic_id>/move")
@moderator_required
def move_topic(topic_id: int):
    topic = _topic_or_404(topic_id)
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


def _member_or_404(username: str):
    member = get_user_by_username(username)
    if member is None:
        abort(404)
    return member


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
def member(username: str):
    return _member_page(_member_or_404(username))


@bp.post("/u/<username>/<any(silence, suspend):action>")
@moderator_required
def restrict_member(username: str, action: str):
    member = _member_or_404(username)
    form = MemberActionForm(prefix=action)
    forms = {f"{action}_form": form}
    if not form.validate():
        return _member_page(member, **forms, status=400)
    apply = actions.silence_user if action == "silence" else actions.suspend_user
    try:
        apply(current_user, member, form.days.data, form.reason.data)
    except boards.BoardError as error:
        form.form_errors.append(error.message)
        return _member_page(
            member, **forms, status=403 if isinstance(error, boards.NotAllowed) else 400
        )
    if action == "silence":
        flash(_("%(name)s is silenced.", name=member.username), "success")
    else:
        flash(_("%(name)s is suspended.", name=member.username), "success")
    return redirect(url_for("moderation.member", username=member.username))


@bp.post("/u/<username>/<any(unsilence, unsuspend):action>")
@moderator_required
def lift_restriction(username: str, action: str):
    member = _member_or_404(username)
    if not DecisionForm().validate():
        abort(400)
    lift = actions.lift_silence if action == "unsilence" else actions.lift_suspension
    try:
        lift(current_user, member)
    except boards.NotAllowed:
        abort(403)
    except boards.BoardError as error:
        flash(error.message, "error")
    else:
        flash(_("The restriction was lifted."), "success")
    return redirect(url_for("moderation.member", username=member.username))
