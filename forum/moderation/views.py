"""The coordinator's review queue (flagging, topic and member tools: tool_views.py).

Everything for staff answers 404 to anybody else, so the pages do not reveal
that they exist. Decisions go through the services, which claim review items
atomically: a second moderator gets "already handled by X", never a double.
"""

from flask import (
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
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from forum import permissions, plugins
from forum.errors import BoardError
from forum.extensions import db
from forum.kept_pages import building
from forum.membership import applications
from forum.messages import queries as message_queries
from forum.moderation import queries, services
from forum.moderation.blueprint import bp, moderator_required
from forum.moderation.forms import (
    FLAG_REASON_LABELS,
    STATUS_LABELS,
    DecisionForm,
    FlagDecisionForm,
    RejectForm,
    ReviewFilterForm,
)
from forum.review.held import HELD_POST
from forum.review.queue import AlreadyHandled
from forum.routing import bounded_id
from forum.urls import safe_next_url, topic_url

REVIEW_PAGE_SIZE = 30


@bp.app_context_processor
def review_count():
    """Give moderators the number of items waiting (one query, only for them)."""
    if not permissions.can_moderate(current_user):
        return {"viewer_can_moderate": False}
    if building() is not None:
        # A member page kept with slots: its header's count is filled per reader.
        return {"viewer_can_moderate": True, "review_pending_count": None}
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
        "review_status_labels": STATUS_LABELS,
        "flag_reason_labels": FLAG_REASON_LABELS,
    }


@bp.context_processor
def plugin_review_kinds():
    """Labels and card templates of the review kinds that plugins register."""
    kinds = plugins.review_kinds()
    return {
        "plugin_kind_labels": {name: kind.label for name, kind in kinds.items()},
        "plugin_kind_templates": {name: kind.template for name, kind in kinds.items()},
    }


RESOLUTION_LABELS = {
    "approve": _l("approved"),
    "reject": _l("rejected"),
    "agree_hide": _l("agreed, post hidden"),
    "agree_delete": _l("agreed, post deleted"),
    "disagree": _l("disagreed, post restored"),
    "ignore": _l("ignored"),
}


@bp.app_template_filter("resolution_label")
def resolution_label(resolution: str) -> str:
    return str(RESOLUTION_LABELS.get(resolution, resolution))


@bp.app_template_filter("held_reason")
def held_reason(reason: str) -> str:
    """Say why a post waits for review ("new_member", "watched_word:<word>")."""
    if reason == "new_member":
        return _("it is among the first posts of a new member")
    if reason == "category_new_member":
        return _("it is a new member's topic in a category that holds them")
    if reason == "new_member_upload":
        return _("it has a picture or file from a member with few posts")
    if reason.startswith("watched_word:"):
        return _("it contains the watched word “%(word)s”", word=reason.partition(":")[2])
    return reason


def _back(default: str):
    return redirect(safe_next_url(request.form.get("next")) or default)


# --- The queue ----------------------------------------------------------------------


@bp.get("/review")
@moderator_required
def review():
    filter_form = ReviewFilterForm(request.args)
    kind = filter_form.kind.data if filter_form.kind.data in queries.known_kinds() else None
    status = filter_form.status.data
    if status not in queries.STATUS_FILTERS:
        status = filter_form.status.data = "pending"
    before = request.args.get("before", type=bounded_id)
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
            plugin_kind=plugins.review_kinds().get(row.item.kind),
            message_context=_message_context(row),
        ),
        status,
    )


def _message_context(row) -> list:
    """A flagged personal message is shown with the few posts around it, nothing more
    of its conversation (moderators do not read private conversations otherwise)."""
    item = row.item
    if item.post is None or row.topic is None or not permissions.is_private(row.topic):
        return []
    return message_queries.flag_context(item.post)


@bp.get("/review/<int:item_id>")
@moderator_required
def review_item(item_id: int):
    return _item_page(_row_or_404(item_id))


def _already_handled(error: AlreadyHandled, item_id: int):
    flash(error.message, "warning")
    return redirect(url_for("moderation.review_item", item_id=item_id))


def _decision_row(item_id: int) -> queries.ReviewRow:
    """Load the item for a plain decision (approve, a plugin's action): 400 on a bad form."""
    row = _row_or_404(item_id)
    if not DecisionForm().validate():
        abort(400)
    return row


def _decide(item_id: int, decide):
    """Return ``decide()``'s answer; when it is refused, say why on the item's page."""
    try:
        return decide()
    except AlreadyHandled as error:
        return _already_handled(error, item_id)
    except BoardError as error:
        flash(error.message, "error")
        return redirect(url_for("moderation.review_item", item_id=item_id))


@bp.post("/review/<int:item_id>/action/<action>")
@moderator_required
def plugin_action(item_id: int, action: str):
    """Apply an action of a review kind that a plugin registered."""
    item = _decision_row(item_id).item

    def decide():
        services.decide_plugin_item(current_user, item, action, request.form)
        flash(_("Done."), "success")
        return _back(url_for("moderation.review"))

    return _decide(item_id, decide)


@bp.post("/review/<int:item_id>/approve")
@moderator_required
def approve(item_id: int):
    item = _decision_row(item_id).item
    if item.kind not in (applications.JOIN_REQUEST, HELD_POST):
        abort(400)

    def decide():
        if item.kind == applications.JOIN_REQUEST:
            applications.approve_application(current_user, item)
            flash(_("%(name)s is now a member.", name=item.user.username), "success")
            return _back(url_for("moderation.review"))
        post = services.approve_held_post(current_user, item)
        flash(_("The post was published."), "success")
        if request.form.get("next"):
            return _back(url_for("moderation.review"))
        return redirect(f"{topic_url(post.topic, post.post_number)}#post_{post.post_number}")

    return _decide(item_id, decide)


@bp.post("/review/<int:item_id>/reject")
@moderator_required
def reject(item_id: int):
    row = _row_or_404(item_id)
    item = row.item
    if item.kind not in (applications.JOIN_REQUEST, HELD_POST):
        abort(400)
    form = RejectForm(templates=queries.rejection_templates())
    if not form.validate():
        return _item_page(row, reject_form=form, status=400)
    try:
        if item.kind == applications.JOIN_REQUEST:
            applications.reject_application(current_user, item, form.reason.data)
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
    except AlreadyHandled as error:
        return _already_handled(error, item_id)
    except BoardError as error:
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
    except AlreadyHandled as error:
        return _already_handled(error, item_id)
    except BoardError as error:
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
