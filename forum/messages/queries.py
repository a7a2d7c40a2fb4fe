"""Reading conversations: the member's list, the header's counts (with the
unread notifications), the participants of one conversation, the context of
a flagged message."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, selectinload

from forum import permissions
from forum.boards.models import Post, Topic, TopicUser
from forum.extensions import db
from forum.messages.models import IgnoredUser, MessageParticipant
from forum.notifications import services as notifications
from forum.users.models import User

#: Conversations on the /messages page (newest first).
LIST_LIMIT = 100
#: Posts before and after a flagged message that its review item shows.
FLAG_CONTEXT = 2


@dataclass
class ConversationRow:
    topic: Topic
    unread: int
    #: Active participants other than the reader (names to show).
    others: list[User]
    office: bool


def _unread(reading) -> sa.ColumnElement[int]:
    return Topic.highest_post_number - sa.func.coalesce(reading.last_read_post_number, 0)


#: The parts of the header's rows (part, value): conversations with unread
#: posts, each member the reader ignores, unread notifications.
UNREAD, IGNORED, NOTIFICATIONS = 0, 1, 2


@dataclass(frozen=True)
class HeaderCounts:
    #: Whether the reader has messages (members): the header shows the link.
    member: bool
    #: Unread notifications, and conversations with unread posts (0 for
    #: non-members); None when they could not be read (an error page).
    notifications: int | None
    messages: int | None
    #: Whom the reader ignores (asked on topic pages: their posts are collapsed).
    ignored: frozenset[int] = frozenset()


def _header_statement(member: bool, with_ignored: bool):
    def build(reader):
        parts = header_parts(reader, member, with_ignored)
        return sa.union_all(*parts) if len(parts) > 1 else parts[0]

    return build


def header_parts(reader, member: bool, with_ignored: bool) -> list:
    """Return the header's statements as ``(part, value)`` selects for a ``shaped``
    reader (kept member pages join them to their own: forum/member_pages)."""
    parts = []
    if member:
        reading = aliased(TopicUser)
        parts.append(
            sa.select(sa.literal(UNREAD).label("part"), sa.func.count().label("value"))
            .select_from(Topic)
            .outerjoin(reading, sa.and_(reading.topic_id == Topic.id, reading.user_id == reader.id))
            .where(permissions.private_topics_clause(reader), _unread(reading) > 0)
        )
    if member and with_ignored:
        parts.append(
            sa.select(sa.literal(IGNORED), IgnoredUser.ignored_id).where(
                IgnoredUser.user_id == reader.id
            )
        )
    count = notifications.unread_statement(reader).scalar_subquery()
    parts.append(sa.select(sa.literal(NOTIFICATIONS), count))
    return parts


def header_counts(user, *, with_ignored: bool = False) -> HeaderCounts:
    """Return the counts in a signed-in ``user``'s header: unread notifications
    (everyone signed in: a rejected join request reaches an applicant there),
    for members conversations with unread posts and, ``with_ignored``, whom
    they ignore. One statement, built once per role (forum/permissions/shapes.py):
    asked apart they were two of the three statements every member page ran
    before its own (issue 15). Messages sit above notifications, so the
    notifications' part (its rules in forum/notifications/services.py) is
    asked here."""
    member = permissions.is_member(user)
    with_ignored = with_ignored and member
    statement = permissions.shaped(
        f"messages.header.{member}.{with_ignored}", user, _header_statement(member, with_ignored)
    )
    counts = {UNREAD: 0, NOTIFICATIONS: 0}
    ignored = set()
    for part, value in db.session.execute(statement, permissions.reader_params(user)):
        if part == IGNORED:
            ignored.add(value)
        else:
            counts[part] = value
    return HeaderCounts(member, counts[NOTIFICATIONS], counts[UNREAD], frozenset(ignored))


def conversations(user) -> list[ConversationRow]:
    """Return the user's conversations (staff: with the office's), newest first (two queries)."""
    reading = aliased(TopicUser)
    rows = db.session.execute(
        sa.select(Topic, _unread(reading).label("unread"))
        .outerjoin(reading, sa.and_(reading.topic_id == Topic.id, reading.user_id == user.id))
        .where(permissions.private_topics_clause(user))
        .options(
            selectinload(Topic.participants).joinedload(MessageParticipant.user),
        )
        .order_by(Topic.bumped_at.desc(), Topic.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    result = []
    for topic, unread in rows:
        active = [p for p in topic.participants if p.left_at is None]
        result.append(
            ConversationRow(
                topic=topic,
                unread=max(unread or 0, 0),
                others=[p.user for p in active if p.user is not None and p.user_id != user.id],
                office=any(p.user_id is None for p in active),
            )
        )
    return result


def participants(topic: Topic) -> list[MessageParticipant]:
    """Return the conversation's active participants, the office's inbox first."""
    active = [p for p in topic.participants if p.left_at is None]
    return sorted(active, key=lambda p: (p.user_id is not None, p.user.username if p.user else ""))


def ignored_ids(user) -> set[int]:
    """Return the ids of the members ``user`` ignores (one query)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        db.session.scalars(sa.select(IgnoredUser.ignored_id).where(IgnoredUser.user_id == user.id))
    )


def flag_context(post: Post) -> list[Post]:
    """Return the flagged message with the few visible posts around it: what a
    moderator sees of a private conversation when a participant reports a message."""
    return list(
        db.session.scalars(
            sa.select(Post)
            .where(
                Post.topic_id == post.topic_id,
                Post.post_number.between(
                    post.post_number - FLAG_CONTEXT, post.post_number + FLAG_CONTEXT
                ),
                sa.or_(Post.id == post.id, permissions.visible_posts_clause(None)),
            )
            .options(joinedload(Post.user))
            .order_by(Post.post_number)
        )
    )
