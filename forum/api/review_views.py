"""The review queue for staff in Discourse's shape: ``GET /review.json`` and
``PUT /review/{id}/perform/{action}``.

The same permission decision as the review pages (``can_moderate``), the
same queries and the same decisions, which write the same audit log entries;
an item another moderator decided first answers 409, as Discourse's
conflicts do. Discourse's action names map to the queue's decisions in
forum/api/reviewables.py.
"""

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from forum import permissions
from forum.api import reviewables
from forum.api.responses import ApiError, forbidden, invalid, not_found, payload
from forum.api.views import bp
from forum.errors import BoardError, NotAllowed
from forum.membership import applications
from forum.moderation import queries, services
from forum.moderation.forms import FlagDecisionForm, RejectForm
from forum.review.held import HELD_POST
from forum.review.queue import AlreadyHandled
from forum.routing import MAX_ID

PAGE = 30


def _require_staff() -> None:
    if not current_user.is_authenticated:
        raise ApiError(403, _("You need to be logged in to do that."), "not_logged_in")
    if not permissions.can_moderate(current_user):
        raise forbidden()


@bp.get("/review.json")
def review_list():
    """Pending items (``status`` picks others), newest first; ``type`` filters."""
    _require_staff()
    status = request.args.get("status", "pending")
    if status not in reviewables.STATUS_NAMES:
        raise invalid(_("Unknown status."))
    kind = None
    if request.args.get("type"):
        kind = reviewables.kind_of(request.args["type"])
        if kind is None:
            raise invalid(_("Unknown type."))
    before = request.args.get("before", type=int)
    before = before if before is not None and 0 < before <= MAX_ID else None
    window = queries.review_window(kind=kind, status=status, before=before, limit=PAGE)
    used = {name for row in window.rows for name in reviewables.actions_for(row.item.kind)}
    labels = {
        name: action.label
        for row in window.rows
        for name, action in reviewables.actions_for(row.item.kind).items()
    }
    more = None
    if window.next_before:
        more = f"/review.json?status={status}&before={window.next_before}"
        if kind:
            more += f"&type={reviewables.type_name(kind)}"
    return jsonify(
        reviewables=[reviewables.reviewable(row, current_user) for row in window.rows],
        users=reviewables.people(window.rows, current_user),
        bundled_actions=[
            {"id": name, "label": labels[name], "action_ids": [name]} for name in sorted(used)
        ],
        reviewable_actions=[{"id": name, "label": labels[name]} for name in sorted(used)],
        meta={
            "total_rows_reviewables": len(window.rows),
            "reviewable_count": services.pending_count(),
            "load_more_reviewables": more,
            "status": status,
            "types": {"created_by": "user", "target_created_by": "user"},
        },
    )


def _decide(item, action: reviewables.Action, data: MultiDict):
    """Make the decision the review page makes for ``action``; return what it created."""
    if item.kind not in (applications.JOIN_REQUEST, HELD_POST, services.FLAGGED_POST):
        services.decide_plugin_item(current_user, item, action.decision, data)
        return None
    if action.decision == "approve":
        if item.kind == applications.JOIN_REQUEST:
            applications.approve_application(current_user, item)
            return None
        return services.approve_held_post(current_user, item)
    if action.decision == "reject":
        form = RejectForm(
            formdata=MultiDict(
                {
                    "reason": data.get("reject_reason", data.get("reason", "")),
                    "template": data.get("template", "0") or "0",
                }
            ),
            templates=queries.rejection_templates(),
            meta={"csrf": False},
        )
        if not form.validate():
            raise invalid(" ".join(str(m) for e in form.errors.values() for m in e))
        if item.kind == applications.JOIN_REQUEST:
            applications.reject_application(current_user, item, form.reason.data)
        else:
            services.reject_held_post(current_user, item, form.reason.data)
        return None
    form = FlagDecisionForm(
        formdata=MultiDict(
            {
                "decision": action.decision,
                "silence_days": data.get("silence_days", ""),
                "reason": data.get("reason", ""),
            }
        ),
        meta={"csrf": False},
    )
    if not form.validate():
        raise invalid(" ".join(str(m) for e in form.errors.values() for m in e))
    services.resolve_flags(
        current_user,
        item,
        action.decision,
        reason=form.reason.data or "",
        silence_days=form.silence_days.data or 0,
    )
    return None


@bp.put("/review/<int:item_id>/perform/<action_name>.json")
@bp.put("/review/<int:item_id>/perform/<action_name>")
def review_perform(item_id: int, action_name: str):
    """Decide a pending item; ``version`` (Discourse's) is accepted and not needed."""
    _require_staff()
    row = queries.review_row(item_id)
    if row is None:
        raise not_found()
    item = row.item
    action = reviewables.actions_for(item.kind).get(action_name)
    if action is None:
        raise ApiError(403, _("This action cannot be performed on this item."), "invalid_access")
    data = payload()
    try:
        created = _decide(item, action, data)
    except AlreadyHandled as error:
        raise ApiError(409, error.message, "conflict") from None
    except NotAllowed:
        raise forbidden() from None
    except BoardError as error:
        raise invalid(error.message) from None
    answer = {
        "success": True,
        "transition_to": str(item.status),
        "transition_to_id": reviewables.STATUSES[item.status],
        "remove_reviewable_ids": [item.id],
        "version": 0,
        "reviewable_count": services.pending_count(),
    }
    if created is not None:
        answer["created_post_id"] = created.id
        answer["created_post_topic_id"] = created.topic_id
    return jsonify(answer)
