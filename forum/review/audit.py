"""The audit log: every staff action, written in the action's own transaction."""

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from forum import plugins
from forum.extensions import db
from forum.moderation.models import AuditLog
from forum.users.models import User

#: What the log shows for each action code (the code stays in the database).
ACTION_LABELS = {
    "add_watched_word": _l("Watched word added"),
    "approve_application": _l("Join request approved"),
    "approve_post": _l("Held post approved"),
    "change_setting": _l("Setting changed"),
    "close_topic": _l("Topic closed"),
    "create_invitation": _l("Invitation sent"),
    "create_question": _l("Membership question added"),
    "create_rejection_template": _l("Rejection reason added"),
    "delete_post": _l("Post deleted"),
    "delete_rejection_template": _l("Rejection reason removed"),
    "delete_topic": _l("Topic deleted"),
    "edit_post": _l("Post edited"),
    "edit_site_text": _l("Page text edited"),
    "flags_agree_delete": _l("Flags agreed: post deleted"),
    "flags_agree_hide": _l("Flags agreed: post hidden"),
    "flags_disagree": _l("Flags rejected: post shown again"),
    "flags_ignore": _l("Flags ignored"),
    "hide_post_by_flags": _l("Post hidden by flags"),
    "list_topic": _l("Topic listed again"),
    "move_question": _l("Membership question moved"),
    "move_topic": _l("Topic moved"),
    "pin_topic": _l("Topic pinned"),
    "pin_topic_globally": _l("Topic pinned for all categories"),
    "reject_application": _l("Join request rejected"),
    "reject_post": _l("Held post rejected"),
    "remove_watched_word": _l("Watched word removed"),
    "reopen_topic": _l("Topic reopened"),
    "restore_post": _l("Post restored"),
    "restore_topic": _l("Topic restored"),
    "silence_user": _l("Member silenced"),
    "suspend_user": _l("Member suspended"),
    "unlist_topic": _l("Topic unlisted"),
    "unpin_topic": _l("Topic unpinned"),
    "unsilence_user": _l("Silence lifted"),
    "unsuspend_user": _l("Suspension lifted"),
    "update_question": _l("Membership question changed"),
    "update_rejection_template": _l("Rejection reason changed"),
    # Categories and the first start (forum/admin/categories.py, setup.py).
    "archive_category": _l("Category archived"),
    "create_category": _l("Category created"),
    "delete_category": _l("Category deleted"),
    "move_category_topics": _l("Category's topics moved"),
    "reorder_categories": _l("Categories reordered"),
    "unarchive_category": _l("Category reopened"),
    "update_category": _l("Category changed"),
    "complete_setup": _l("First start set-up finished"),
    "skip_setup": _l("First start set-up skipped"),
    # People (forum/admin/people_actions.py)
    "change_role": _l("Role changed"),
    "confirm_email": _l("E-mail address confirmed by hand"),
    "resend_confirmation": _l("Confirmation link sent again"),
    "send_password_reset": _l("Password reset link sent"),
    "delete_account": _l("Account anonymised"),
    "merge_accounts": _l("Accounts merged"),
    "create_api_key": _l("API key created"),
    "revoke_api_key": _l("API key revoked"),
    # Organisations (forum/organisations/)
    "create_organisation": _l("Organisation created"),
    "update_organisation": _l("Organisation profile changed"),
    "verify_organisation": _l("Organisation verified"),
    "unverify_organisation": _l("Verified mark removed"),
    "add_representative": _l("Representative added"),
    "remove_representative": _l("Representative removed"),
    "leave_organisation": _l("Representative left"),
    "organisation_request_confirm": _l("Representative request confirmed"),
    "organisation_request_decline": _l("Representative request declined"),
    "create_opportunity": _l("Volunteering opportunity posted"),
    "update_opportunity": _l("Volunteering opportunity changed"),
    "fill_opportunity": _l("Volunteering opportunity marked filled"),
    "reopen_opportunity": _l("Volunteering opportunity open again"),
    "add_activity_field": _l("Field of activity added"),
    "rename_activity_field": _l("Field of activity renamed"),
    "remove_activity_field": _l("Field of activity removed"),
}

TARGET_LABELS = {
    "activity_field": _l("Field of activity"),
    "api_key": _l("API key"),
    "category": _l("Category"),
    "invitation": _l("Invitation"),
    "membership_question": _l("Membership question"),
    "opportunity": _l("Volunteering opportunity"),
    "organisation": _l("Organisation"),
    "post": _l("Post"),
    "rejection_template": _l("Rejection reason"),
    "review_item": _l("Review item"),
    "setting": _l("Setting"),
    "site_text": _l("Page text"),
    "topic": _l("Topic"),
    "user": _l("Member"),
    "watched_word": _l("Watched word"),
}


def action_label(action: str) -> str:
    """Return the readable name of an action code; a plugin's review decisions
    ("<kind>_<action>") are named by the kind and the button."""
    label = ACTION_LABELS.get(action)
    if label is not None:
        return str(label)
    for kind in plugins.review_kinds().values():
        prefix = f"{kind.name}_"
        if action.startswith(prefix) and action[len(prefix) :] in kind.actions:
            return f"{kind.label}: {kind.actions[action[len(prefix) :]][0]}"
    return action


def target_label(target_type: str) -> str:
    label = TARGET_LABELS.get(target_type)
    return str(label) if label is not None else target_type


def log_action(
    actor: User | None,
    action: str,
    *,
    target_type: str = "",
    target_id: int | None = None,
    target_label: str = "",
    reason: str = "",
    **details: Any,
) -> None:
    """Record a staff action (``actor`` None: the system, e.g. flags hid a post)."""
    db.session.add(
        AuditLog(
            actor_id=actor.id if actor else None,
            action=action,
            target_type=target_type,
            target_id=target_id,
            target_label=target_label[:255],
            reason=reason,
            details=details,
        )
    )


def list_entries(
    *, action: str | None = None, actor_id: int | None = None, before_id: int | None = None,
    limit: int = 50,
) -> list[AuditLog]:  # fmt: skip
    """Return log entries newest first, filtered, as a window before ``before_id``."""
    query = sa.select(AuditLog).options(joinedload(AuditLog.actor))
    if action:
        query = query.where(AuditLog.action == action)
    if actor_id:
        query = query.where(AuditLog.actor_id == actor_id)
    if before_id:
        query = query.where(AuditLog.id < before_id)
    return list(db.session.scalars(query.order_by(AuditLog.id.desc()).limit(limit)))


def known_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditLog.action).distinct().order_by(AuditLog.action)))


# --- Showing an entry's details: labels for the keys, readable values -------------------

#: What the log shows for each detail key (the key stays in the database).
DETAIL_LABELS = {
    "old": _l("Before"),
    "new": _l("After"),
    "version": _l("Version"),
    "watched_action": _l("Action"),
    "required": _l("Required answer"),
    "changed": _l("Changes"),
    "direction": _l("Moved"),
    "source": _l("From"),
    "destination": _l("To"),
    "count": _l("Topics moved"),
    "days": _l("Days"),
    "title": _l("Title"),
    "flags": _l("Reported by"),
    "posts": _l("Posts"),
    "posts_deleted": _l("Posts deleted"),
    "by_themselves": _l("Deleted by themselves"),
    "merged_id": _l("Merged account (number)"),
    "merged_username": _l("Merged account"),
    "body": _l("Text of the reason"),
    # Fields inside "old"/"new"/"changed" (categories, membership questions).
    "name": _l("Name"),
    "slug": _l("Address (slug)"),
    "description": _l("Description"),
    "color": _l("Colour"),
    "kind": _l("Kind"),
    "read_level": _l("Who may read"),
    "write_level": _l("Who may start topics"),
    "reply_level": _l("Who may reply"),
    "topic_template": _l("Topic template"),
    "default_sort": _l("Topics are sorted by"),
    "hold_new_member_topics": _l("New topics of new members wait for a moderator's approval"),
    "parent_id": _l("Subcategory of"),
    "archived": _l("Archived"),
    "text": _l("Text"),
    "active": _l("Active"),
}

#: Readable names of the coded values stored in details (roles, watched-word actions, ...).
VALUE_LABELS = {
    "applicant": _l("Applicant"),
    "member": _l("Member"),
    "moderator": _l("Moderator"),
    "admin": _l("Admin"),
    "block": _l("Block"),
    "hold": _l("Hold for review"),
    "censor": _l("Censor"),
    "up": _l("up"),
    "down": _l("down"),
    "public": _l("Everybody, guests included"),
    "members": _l("Members"),
    "staff": _l("Moderators and admins"),
    "discussion": _l("Discussion"),
    "organisations": _l("Organisations"),
    "help": _l("Neighbourhood help"),
    "latest": _l("Latest activity"),
    "newest": _l("Newest topics"),
    "replies": _l("Most replies"),
}

NOTHING = "\u2013"  # an en dash: no value

#: Keys whose values are free text or names, never looked up in VALUE_LABELS.
_FREE_TEXT = {"title", "body", "text", "name", "description", "topic_template", "source",
              "destination", "merged_username", "slug", "flags"}  # fmt: skip


def detail_value(value: Any, key: str = "") -> str:
    """Return a stored detail value as a person reads it (yes/no, names, lists)."""
    if value is True:
        return str(_l("yes"))
    if value is False:
        return str(_l("no"))
    if value is None or value == "":
        return NOTHING
    if isinstance(value, dict):
        return "; ".join(f"{detail_label(k)}: {detail_value(v, k)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(detail_value(item, key) for item in value) or NOTHING
    if isinstance(value, str) and key not in _FREE_TEXT and value in VALUE_LABELS:
        return str(VALUE_LABELS[value])
    return str(value)


def detail_label(key: str) -> str:
    """Return the readable name of a detail key; an unknown key reads as words."""
    label = DETAIL_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ").capitalize()


def detail_rows(details: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Return an entry's details as (label, value) pairs, in a stable order."""
    items = sorted((details or {}).items())
    return [(detail_label(key), detail_value(value, key)) for key, value in items]
