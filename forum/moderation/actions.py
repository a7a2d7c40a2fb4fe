"""Moderator actions on topics and members: close, pin, unlist, move,
silence and suspend; each is written to the audit log."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from forum import permissions, plugins
from forum.boards import counters
from forum.boards.models import Category, Topic
from forum.db import utcnow
from forum.errors import BoardError, NotAllowed
from forum.extensions import db
from forum.mail import send_template_mail
from forum.notifications.services import notify
from forum.review.audit import log_action
from forum.review.queue import require_reason
from forum.users.models import User

# --- Topics ---------------------------------------------------------------------------


def _require_staff(user: User) -> None:
    if not permissions.is_staff(user):
        raise NotAllowed(_l("Only moderators can do this."))


def set_closed(moderator: User, topic: Topic, closed: bool, reason: str = "") -> None:
    _require_staff(moderator)
    topic.closed = closed
    log_action(
        moderator, "close_topic" if closed else "reopen_topic", target_type="topic",
        target_id=topic.id, target_label=topic.title, reason=reason,
    )  # fmt: skip
    db.session.commit()
    plugins.notify_event("topic_closed", topic=topic, user=moderator, closed=closed)


def set_pinned(moderator: User, topic: Topic, pinned: bool, *, globally: bool = False) -> None:
    _require_staff(moderator)
    topic.pinned_at = utcnow() if pinned else None
    topic.pinned_globally = pinned and globally
    action = ("pin_topic_globally" if globally else "pin_topic") if pinned else "unpin_topic"
    log_action(moderator, action, target_type="topic", target_id=topic.id, target_label=topic.title)
    db.session.commit()


def set_unlisted(moderator: User, topic: Topic, unlisted: bool) -> None:
    _require_staff(moderator)
    topic.unlisted = unlisted
    log_action(
        moderator, "unlist_topic" if unlisted else "list_topic", target_type="topic",
        target_id=topic.id, target_label=topic.title,
    )  # fmt: skip
    db.session.commit()


def move_topic(moderator: User, topic: Topic, category: Category, reason: str = "") -> None:
    _require_staff(moderator)
    if category.id == topic.category_id:
        return
    old = topic.category
    counters.topic_moved(topic, old.id, category.id)
    if category.kind.value != "help":
        topic.help_kind = topic.municipality = topic.help_status = None
    log_action(
        moderator, "move_topic", target_type="topic", target_id=topic.id,
        target_label=topic.title, reason=reason, source=old.name, destination=category.name,
    )  # fmt: skip
    db.session.commit()
    plugins.notify_event(
        "topic_moved", topic=topic, user=moderator, old_category=old, new_category=category
    )


# --- Members --------------------------------------------------------------------------


def _check_target(moderator: User, member: User) -> None:
    """Refuse unless permissions.can_moderate_member allows; say why."""
    if permissions.can_moderate_member(moderator, member):
        return
    _require_staff(moderator)
    if member.id == moderator.id:
        raise BoardError(_l("You cannot do this to yourself."))
    raise NotAllowed(_l("Only an admin can do this to staff."))


def apply_silence(moderator: User, member: User, days: int, reason: str) -> None:
    member.silenced_until = utcnow() + timedelta(days=days)
    member.silence_reason = reason
    notify(member.id, "silenced", reason=reason, until=member.silenced_until.isoformat())
    log_action(
        moderator, "silence_user", target_type="user", target_id=member.id,
        target_label=member.username, reason=reason, days=days,
    )  # fmt: skip


def silence_user(moderator: User, member: User, days: int, reason: str) -> None:
    """Let a member read but not write for ``days`` days."""
    _check_target(moderator, member)
    if days < 1:
        raise BoardError(_l("Please choose a duration of at least one day."))
    apply_silence(moderator, member, days, require_reason(reason))
    db.session.commit()


def suspend_user(moderator: User, member: User, days: int, reason: str) -> None:
    """Keep a member from logging in for ``days`` days."""
    _check_target(moderator, member)
    if days < 1:
        raise BoardError(_l("Please choose a duration of at least one day."))
    member.suspended_until = utcnow() + timedelta(days=days)
    member.suspend_reason = require_reason(reason)
    log_action(
        moderator, "suspend_user", target_type="user", target_id=member.id,
        target_label=member.username, reason=member.suspend_reason, days=days,
    )  # fmt: skip
    db.session.commit()
    plugins.notify_event(
        "user_suspended", user=member, moderator=moderator, until=member.suspended_until,
        reason=member.suspend_reason,
    )  # fmt: skip
    send_template_mail(
        member,
        "suspended",
        _l("Your account was suspended"),
        reason=member.suspend_reason,
        until=member.suspended_until,
    )


def lift_silence(moderator: User, member: User) -> None:
    """Let a silenced member write again."""
    _lift(moderator, member, silence=True)


def lift_suspension(moderator: User, member: User) -> None:
    """Let a suspended member log in again."""
    _lift(moderator, member, silence=False)


def _lift(moderator: User, member: User, *, silence: bool) -> None:
    _check_target(moderator, member)
    if silence:
        member.silenced_until, member.silence_reason = None, ""
    else:
        member.suspended_until, member.suspend_reason = None, ""
    log_action(
        moderator, "unsilence_user" if silence else "unsuspend_user", target_type="user",
        target_id=member.id, target_label=member.username,
    )  # fmt: skip
    db.session.commit()
