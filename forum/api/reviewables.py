"""The review queue in Discourse's shape: reviewable types, statuses, actions.

Discourse's action names where one of the queue's decisions does the same
thing; each maps to the decision the review pages make (docs/api.md has the
table). A plugin's review kind keeps its own action names.
"""

from dataclasses import dataclass

from forum import plugins
from forum.api import serializers
from forum.membership.applications import JOIN_REQUEST
from forum.moderation.models import ReviewStatus
from forum.moderation.services import FLAGGED_POST
from forum.review.held import HELD_POST
from forum.urls import topic_url

#: Discourse's reviewable status numbers.
STATUSES = {
    ReviewStatus.PENDING: 0,
    ReviewStatus.APPROVED: 1,
    ReviewStatus.REJECTED: 2,
    ReviewStatus.IGNORED: 3,
}
STATUS_NAMES = {"pending", "approved", "rejected", "ignored", "all"}
#: The queue's kinds as Discourse's reviewable types.
TYPES = {
    JOIN_REQUEST: "ReviewableUser",
    HELD_POST: "ReviewableQueuedPost",
    FLAGGED_POST: "ReviewableFlaggedPost",
}
#: Discourse's post_action_type_id of each flag reason.
FLAG_SCORE_TYPES = {"off_topic": 3, "inappropriate": 4, "other": 7, "spam": 8}


@dataclass(frozen=True)
class Action:
    """A Discourse action name and the queue's decision it stands for."""

    label: str
    #: "approve", "reject", a flag decision, or a plugin kind's action.
    decision: str
    #: The decision needs a reason the person reads (``reject_reason``).
    needs_reason: bool = False


ACTIONS: dict[str, dict[str, Action]] = {
    HELD_POST: {
        "approve_post": Action("Approve post", "approve"),
        "reject_post": Action("Reject post", "reject", needs_reason=True),
    },
    JOIN_REQUEST: {
        "approve_user": Action("Approve user", "approve"),
        "reject_user": Action("Reject user", "reject", needs_reason=True),
    },
    FLAGGED_POST: {
        "agree_and_hide": Action("Agree and hide post", "agree_hide"),
        "agree_and_keep_hidden": Action("Agree and keep the post hidden", "agree_hide"),
        "delete_and_agree": Action("Delete post and agree", "agree_delete"),
        "disagree": Action("Disagree", "disagree"),
        "ignore": Action("Ignore", "ignore"),
        "ignore_and_do_nothing": Action("Ignore", "ignore"),
    },
}


def type_name(kind: str) -> str:
    """Discourse's type for a kind; a plugin's kind "event_proposal" is ReviewableEventProposal."""
    return TYPES.get(kind) or "Reviewable" + "".join(p.capitalize() for p in kind.split("_"))


def kind_of(type_or_kind: str) -> str | None:
    """The queue's kind for a Discourse type (or a kind's own name), None if unknown."""
    for kind in (*TYPES, *plugins.review_kinds()):
        if type_or_kind in (kind, type_name(kind)):
            return kind
    return None


def actions_for(kind: str) -> dict[str, Action]:
    if kind in ACTIONS:
        return ACTIONS[kind]
    plugin_kind = plugins.review_kinds().get(kind)
    if plugin_kind is None:
        return {}
    return {name: Action(str(label), name) for name, (label, _apply) in plugin_kind.actions.items()}


def reviewable(row, viewer) -> dict:
    """One review item; pending items list the actions ``PUT …/perform/{action}`` takes."""
    item = row.item
    data = {
        "id": item.id,
        "type": type_name(item.kind),
        "status": STATUSES[item.status],
        "created_at": item.created_at.isoformat(),
        "version": 0,
        "score": float(len(row.flags)),
        "can_edit": False,
        "topic_id": item.topic_id,
        "category_id": row.category.id if row.category is not None else None,
        "created_by_id": item.user_id,
        "target_created_by_id": item.user_id,
        "reason": item.reason,
        "resolution": item.resolution or None,
        "resolution_reason": item.resolution_reason or None,
        "target_url": None,
        "bundled_action_ids": (
            list(actions_for(item.kind)) if item.status == ReviewStatus.PENDING else []
        ),
        "payload": {},
        "reviewable_scores": [
            {
                "id": flag.id,
                "user_id": flag.user_id,
                "score_type": FLAG_SCORE_TYPES.get(str(flag.reason), 7),
                "reason": str(flag.reason),
                "message": flag.message or None,
                "created_at": flag.created_at.isoformat(),
            }
            for flag in row.flags
        ],
    }
    if item.kind == HELD_POST:
        payload = item.payload or {}
        data["payload"] = {
            key: payload.get(key)
            for key in ("raw", "title", "category_id", "topic_id", "reply_to_post_number")
        }
    elif item.kind == JOIN_REQUEST and item.user is not None:
        data["user_id"] = item.user_id
        answers = getattr(row.application, "answers", None)
        data["payload"] = {"username": item.user.username, "answers": answers or []}
    if item.post is not None and row.topic is not None:
        data["post_id"] = item.post.id
        data["target_url"] = topic_url(row.topic, item.post.post_number)
        if item.kind == FLAGGED_POST:
            data["payload"] = {
                "raw": item.post.raw,
                "cooked": item.post.cooked,
                "hidden": item.post.hidden_at is not None,
                "deleted": item.post.deleted_at is not None,
            }
    return data


def people(rows, viewer) -> list[dict]:
    found = {}
    for row in rows:
        if row.item.user is not None:
            found[row.item.user.id] = row.item.user
        for flag in row.flags:
            found[flag.user.id] = flag.user
    return [serializers.user(person, viewer) for person in found.values()]
