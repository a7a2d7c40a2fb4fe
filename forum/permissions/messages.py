"""Personal messages: who reads a private conversation, who may write to whom."""

from typing import Any

import sqlalchemy as sa

from forum.boards.models import ReadLevel, Topic
from forum.extensions import db
from forum.messages.models import IgnoredUser, MessageParticipant, MessagePreference
from forum.permissions.roles import _account, can_write
from forum.users.models import User


def private_topics_clause(user: Any) -> sa.ColumnElement[bool]:
    """Return a SQL condition on Topic: the private conversations ``user`` reads
    (theirs, unless they left; for staff also those of the group inbox)."""
    account = _account(user)
    if account is None or not account.is_member:
        return sa.false()
    mine = MessageParticipant.user_id == account.id
    if account.is_staff:
        mine = sa.or_(mine, MessageParticipant.user_id.is_(None))
    return sa.and_(
        Topic.deleted_at.is_(None),
        Topic.id.in_(
            sa.select(MessageParticipant.topic_id).where(mine, MessageParticipant.left_at.is_(None))
        ),
    )


def is_private(topic: Topic) -> bool:
    """Whether the topic is a private conversation (in the messages category)."""
    return topic.category.read_level == ReadLevel.PRIVATE


def is_participant(user: Any, topic: Topic) -> bool:
    """Whether ``user`` takes part in the private conversation (and has not left);
    staff take part in every conversation of the coordination office's inbox."""
    account = _account(user)
    if account is None or not account.is_member or not is_private(topic):
        return False
    for participant in topic.participants:
        if participant.left_at is not None:
            continue
        if participant.user_id == account.id or (participant.user_id is None and account.is_staff):
            return True
    return False


def reaches_only_staff(topic: Topic) -> bool:
    """Whether a private conversation is read by staff only besides its writer
    (the office's inbox, a moderator): a new member's messages there need no review."""
    others = [p for p in topic.participants if p.left_at is None and p.user_id != topic.user_id]
    return bool(others) and all(p.user_id is None or p.user.is_staff for p in others)


def is_ignoring(user_id: int, other_id: int) -> bool:
    """Whether member ``user_id`` ignores ``other_id`` (no messages, no mention
    notifications from them). One query; lists use ``ignored_ids``."""
    return (
        db.session.scalar(
            sa.select(IgnoredUser.user_id).where(
                IgnoredUser.user_id == user_id, IgnoredUser.ignored_id == other_id
            )
        )
        is not None
    )


def can_receive_messages(user: Any) -> bool:
    """Members and staff receive messages; applicants, guests and suspended accounts do not."""
    account = _account(user) if user is not None else None
    return account is not None and account.is_member and not account.is_suspended


def can_send_message(user: Any) -> bool:
    """Members who may write may write messages (silenced ones may not)."""
    return can_write(user)


def can_message(sender: Any, recipient: User) -> bool:
    """Whether ``sender`` may start a conversation with ``recipient`` (or add them to one)."""
    account = _account(sender)
    if account is None or not can_send_message(sender) or not can_receive_messages(recipient):
        return False
    if account.id == recipient.id:
        return False
    if account.is_staff:
        return True
    if is_ignoring(recipient.id, account.id):
        return False
    from_members = db.session.scalar(
        sa.select(MessagePreference.from_members).where(MessagePreference.user_id == recipient.id)
    )
    return from_members is not False


def can_invite(user: Any, topic: Topic) -> bool:
    """Any participant may add someone to a conversation they may write in."""
    return is_participant(user, topic) and can_write(user) and not topic.closed


def can_leave(user: Any, topic: Topic) -> bool:
    """A member leaves a conversation they take part in by name (staff reach the
    office's inbox through their role and cannot leave it)."""
    account = _account(user)
    return account is not None and any(
        p.user_id == account.id and p.left_at is None for p in topic.participants
    )
