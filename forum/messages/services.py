"""Starting a conversation, adding people to it, leaving it, ignoring members.

A conversation is a topic in the hidden messages category; its first post and
replies are written by forum.boards like any post (markdown, quotes, likes,
edits, watched words, holding). Every function owns its transaction.
"""

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from forum import permissions
from forum.boards import services as boards
from forum.boards.models import Category, Post, ReadLevel, Topic, WriteLevel
from forum.boards.policy import ask_plugins, hold_reason, refuse_blocked_words
from forum.db import utcnow
from forum.errors import BoardError, NotAllowed
from forum.extensions import db
from forum.messages.models import IgnoredUser, MessageParticipant, MessagePreference
from forum.moderation.models import ReviewItem
from forum.notifications import outbox
from forum.notifications.services import notify
from forum.review.held import Draft, hold_post
from forum.site.services import setting
from forum.users.models import User

#: The draft field a held conversation keeps its recipients in until approval.
HELD_RECIPIENTS = "message.recipients"
HELD_OFFICE = "message.office"


def messages_category() -> Category:
    """Return the hidden category that holds every conversation (made on first use)."""
    category = db.session.scalar(
        sa.select(Category).where(Category.read_level == ReadLevel.PRIVATE).order_by(Category.id)
    )
    if category is not None:
        return category
    slug, number = "private-messages", 1
    while db.session.scalar(sa.select(Category.id).where(Category.slug == slug)):
        number += 1
        slug = f"private-messages-{number}"
    category = Category(
        name="Nachrichten", slug=slug, description="", position=10**6,
        read_level=ReadLevel.PRIVATE, write_level=WriteLevel.STAFF,
    )  # fmt: skip
    db.session.add(category)
    db.session.flush()
    return category


def find_recipients(names: list[str]) -> tuple[list[User], list[str]]:
    """Return the accounts named (case-insensitive, without '@') and the names not found."""
    wanted = {name.strip().lstrip("@").lower(): name for name in names if name.strip().lstrip("@")}
    if not wanted:
        return [], []
    found = list(
        db.session.scalars(
            sa.select(User).where(User.username_lower.in_(list(wanted))).order_by(User.username)
        )
    )
    known = {user.username_lower for user in found}
    return found, [name for key, name in wanted.items() if key not in known]


def _check_recipients(author: User, recipients: list[User], to_office: bool) -> None:
    if not permissions.can_send_message(author):
        raise NotAllowed(_l("You may not write messages."))
    if not recipients and not to_office:
        raise BoardError(_l("Please name at least one recipient."))
    if len(recipients) + int(to_office) > current_app.config["MESSAGE_MAX_RECIPIENTS"]:
        raise BoardError(
            _l(
                "A message can go to at most %(n)d recipients.",
                n=current_app.config["MESSAGE_MAX_RECIPIENTS"],
            )
        )
    for recipient in recipients:
        if not permissions.can_message(author, recipient):
            raise BoardError(
                _l("%(name)s cannot receive messages from you.", name=recipient.username)
            )


def start_conversation(
    author: User, recipients: list[User], title: str, raw: str, *, to_office: bool = False,
    invited: bool = False,
) -> Topic | ReviewItem:  # fmt: skip
    """Start a conversation with ``recipients`` (and the coordination office's
    inbox); return its topic, or the review item when it is held.

    ``invited``: the recipients asked to be written to (an organisation's
    representatives answering "Ich bin interessiert"), so a new member may
    write to them before their first post is approved; watched words still hold.
    """
    recipients = [r for r in {r.id: r for r in recipients}.values() if r.id != author.id]
    _check_recipients(author, recipients, to_office)
    only_staff = all(r.is_staff for r in recipients)
    new_member = not author.is_staff and author.published_post_count < _hold_first_posts()
    if new_member and not only_staff and not invited:
        raise BoardError(
            _l(
                "Until your first post has been approved you can write to the coordination "
                "office and to moderators only."
            )
        )
    category = messages_category()
    screening = refuse_blocked_words(f"{title}\n{raw}")
    verdict = ask_plugins(
        user=author, category=category, topic=None, post=None, title=title, raw=raw, extra={}
    )
    reason = hold_reason(author, screening, verdict, raw=raw)
    if reason == "new_member":
        reason = None  # a new member's message reaches staff only (checked above)
    if reason:
        extra = {HELD_RECIPIENTS: [r.id for r in recipients], HELD_OFFICE: to_office}
        draft = Draft(raw=raw, category_id=category.id, title=title.strip(), extra=extra)
        return hold_post(author, draft, reason)
    topic = boards.create_topic(author, category, title, raw, commit=False)
    _add_participants(topic, author, recipients, to_office)
    db.session.commit()
    post = db.session.scalar(sa.select(Post).where(Post.topic_id == topic.id))
    boards.topic_published(topic, post, author, {})
    return topic


def _hold_first_posts() -> int:
    return setting("HOLD_FIRST_POSTS")


def _add_participants(topic: Topic, author: User, recipients: list[User], office: bool) -> None:
    rows = [MessageParticipant(topic_id=topic.id, user_id=author.id, added_by_id=author.id)]
    rows += [
        MessageParticipant(topic_id=topic.id, user_id=r.id, added_by_id=author.id)
        for r in recipients
    ]
    if office:
        rows.append(MessageParticipant(topic_id=topic.id, user_id=None, added_by_id=author.id))
    db.session.add_all(rows)
    db.session.flush()
    db.session.expire(topic, ["participants"])


def conversation_approved(topic: Topic, author: User, extra: dict) -> None:
    """Give a held conversation its participants once a moderator approved it."""
    if HELD_RECIPIENTS not in extra or topic.participants:
        return
    recipients = list(
        db.session.scalars(sa.select(User).where(User.id.in_(extra[HELD_RECIPIENTS])))
    )
    _add_participants(topic, author, recipients, bool(extra.get(HELD_OFFICE)))
    # The first post's fan-out may have run before there were participants (it is
    # idempotent: who was told already is not told again), so it runs once more,
    # committed with them.
    first = db.session.scalar(
        sa.select(Post.id).where(Post.topic_id == topic.id, Post.post_number == 1)
    )
    if first is not None:
        outbox.add_job("post", first, author.id, commit=False)
    db.session.commit()


def add_participant(actor: User, topic: Topic, username: str) -> User:
    """Add a member to the conversation (any participant may)."""
    if not permissions.can_invite(actor, topic):
        raise NotAllowed(_l("You may not add anyone to this conversation."))
    found, _missing = find_recipients([username])
    if not found:
        raise BoardError(_l("There is no member called “%(name)s”.", name=username.strip()))
    member = found[0]
    if not permissions.can_message(actor, member):
        raise BoardError(_l("%(name)s cannot receive messages from you.", name=member.username))
    existing = next((p for p in topic.participants if p.user_id == member.id), None)
    if existing is not None and existing.left_at is None:
        raise BoardError(_l("%(name)s takes part already.", name=member.username))
    if existing is not None:
        existing.left_at, existing.added_by_id = None, actor.id
    else:
        db.session.add(
            MessageParticipant(topic_id=topic.id, user_id=member.id, added_by_id=actor.id)
        )
    notify(
        member.id, "private_message", topic_id=topic.id, post_number=1,
        title=topic.title, actor=actor.username,
    )  # fmt: skip
    db.session.commit()
    db.session.expire(topic, ["participants"])
    return member


def leave(member: User, topic: Topic) -> None:
    """Leave a conversation: it disappears from the member's list and pages."""
    if not permissions.can_leave(member, topic):
        raise NotAllowed(_l("You do not take part in this conversation."))
    db.session.execute(
        sa.update(MessageParticipant)
        .where(MessageParticipant.topic_id == topic.id, MessageParticipant.user_id == member.id)
        .values(left_at=utcnow())
    )
    db.session.commit()
    db.session.expire(topic, ["participants"])


# --- Preferences and ignoring ------------------------------------------------------------


def accepts_from_members(user: User) -> bool:
    value = db.session.scalar(
        sa.select(MessagePreference.from_members).where(MessagePreference.user_id == user.id)
    )
    return value is not False


def set_accepts_from_members(user: User, value: bool) -> None:
    preference = db.session.get(MessagePreference, user.id)
    if preference is None:
        preference = MessagePreference(user_id=user.id)
        db.session.add(preference)
    preference.from_members = bool(value)
    db.session.commit()


def ignored_users(user: User) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(IgnoredUser, IgnoredUser.ignored_id == User.id)
            .where(IgnoredUser.user_id == user.id)
            .order_by(User.username_lower)
        )
    )


def ignore(user: User, other: User) -> None:
    """Stop hearing from ``other``; staff cannot be ignored (they must reach everyone)."""
    if other.id == user.id or other.is_staff:
        raise BoardError(_l("You cannot ignore %(name)s.", name=other.username))
    db.session.add(IgnoredUser(user_id=user.id, ignored_id=other.id))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


def unignore(user: User, other: User) -> None:
    db.session.execute(
        sa.delete(IgnoredUser).where(
            IgnoredUser.user_id == user.id, IgnoredUser.ignored_id == other.id
        )
    )
    db.session.commit()
