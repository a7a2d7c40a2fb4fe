"""Who hears about a post: replies, mentions, quotes, watchers, likes and staff edits.

forum/notifications/outbox.py calls these functions after the response has
gone out, with ids, in the transaction that deletes their job (they leave the
commit to it): the reply request costs the same with 0 or 500 watchers. Each
function runs a fixed number of statements, however many people are told.

Rules: nobody hears about a post they may not read (forum.permissions), nor
about their own action; a muted topic or category stays silent; one post
makes at most one notification per person, of the highest kind in
``PRIORITY`` (private_message > mentioned > replied > quoted > watching_first_post
> posted). A conversation's participants (every staff member for the office's
inbox) hear of its posts here too, in the same job as everything else: written
in the post's own transaction, a crash cannot lose them.
"""

import functools
import re

import sqlalchemy as sa

from forum import permissions
from forum.boards.models import Post, Topic
from forum.db import utcnow
from forum.extensions import db
from forum.markdown import mentioned_usernames
from forum.messages.models import IgnoredUser, MessageParticipant
from forum.notifications import watching
from forum.notifications.models import PRIORITY, Level, Notification
from forum.users.models import Role, User

#: The header ``quote_markdown`` writes: "> **@name** [↑](/t/slug/1/3):".
QUOTE_HEADER = re.compile(r"^>\s*\*\*@([A-Za-z0-9_.\-]+)\*\*\s*\[↑\]", re.MULTILINE)


def _users_named(names: set[str]) -> dict[str, int]:
    if not names:
        return {}
    rows = db.session.execute(
        sa.select(User.username_lower, User.id).where(User.username_lower.in_(sorted(names)))
    )
    return dict(rows.all())


def conversation_members(topic: Topic) -> set[int]:
    """Return who takes part in a conversation: its active participants, and every
    staff member who is not suspended when the office's inbox takes part (two queries)."""
    rows = db.session.execute(
        sa.select(MessageParticipant.user_id).where(
            MessageParticipant.topic_id == topic.id, MessageParticipant.left_at.is_(None)
        )
    ).all()
    members = {user_id for (user_id,) in rows if user_id is not None}
    if any(user_id is None for (user_id,) in rows):
        members |= set(
            db.session.scalars(
                sa.select(User.id).where(
                    User.role.in_((Role.MODERATOR, Role.ADMIN)),
                    sa.or_(User.suspended_until.is_(None), User.suspended_until < utcnow()),
                )
            )
        )
    return members


def post_data(post: Post, topic: Topic, actor: User) -> dict:
    """What every post notification's ``data`` holds (the mail helper relies on it)."""
    return {
        "post_id": post.id,
        "post_number": post.post_number,
        "title": topic.title,
        "actor": actor.username,
        "topic_id": topic.id,
    }


def reasons_for(
    post: Post, topic: Topic, first: bool, *, edited: bool = False, watchers: set[int] | None = None
) -> dict[int, str]:
    """Return user id -> the highest kind this post concerns them with (after an
    edit: only mentions and quotes). ``watchers``: the topic's, when the caller
    read them already."""
    candidates: dict[int, set[str]] = {}

    def add(user_id: int | None, kind: str) -> None:
        if user_id is not None:
            candidates.setdefault(user_id, set()).add(kind)

    mentioned = {name.lower() for name in mentioned_usernames(post.cooked)}
    quoted = {name.lower() for name in QUOTE_HEADER.findall(post.raw)}
    ids = _users_named(mentioned | quoted)
    for name in mentioned:
        add(ids.get(name), "mentioned")
    for name in quoted:
        add(ids.get(name), "quoted")
    if edited:
        pass
    elif not first:
        if post.reply_to_post_number is not None:
            add(
                db.session.scalar(
                    sa.select(Post.user_id).where(
                        Post.topic_id == topic.id,
                        Post.post_number == post.reply_to_post_number,
                    )
                ),
                "replied",
            )
        else:
            add(topic.user_id, "replied")  # an answer to the topic answers who asked
    if not edited and permissions.is_private(topic):
        for user_id in conversation_members(topic):
            add(user_id, "private_message")
    if edited:
        watchers = set()
    elif watchers is None:
        watchers = watching.watchers(topic)
    for user_id in watchers:
        add(user_id, "watching_first_post" if first else "posted")
    return {
        user_id: next(kind for kind in PRIORITY if kind in kinds)
        for user_id, kinds in candidates.items()
    }


#: One statement for all of a post's notifications (built once).
#: Without RETURNING: nobody reads the new rows' ids.
_NOTIFICATION = sa.insert(Notification.__table__).inline()


@functools.cache
def _readers(check_muted: bool) -> sa.Select:
    """Who of ``reader_ids`` may be told of ``post_id`` by ``actor_id``: less those who
    muted the topic (``check_muted``: some are no watchers), who chose not to hear
    from the actor, and who were told about the post already. Built once."""
    return sa.select(User).where(
        User.id.in_(sa.bindparam("reader_ids", expanding=True)),
        ~watching.muted_clause(User.id) if check_muted else sa.true(),
        ~sa.exists().where(
            IgnoredUser.user_id == User.id,
            IgnoredUser.ignored_id == sa.bindparam("actor_id", type_=sa.Integer),
        ),
        ~sa.exists().where(
            Notification.user_id == User.id,
            Notification.post_id == sa.bindparam("post_id", type_=sa.Integer),
        ),
    )


def notify_post(post_id: int, actor_id: int, *, edited: bool = False) -> int:
    """Tell everybody a new post concerns (uncommitted); return how many were told.

    After an edit (``edited``) only those it newly mentions or quotes: nobody
    hears twice about one post.
    """
    post = db.session.get(Post, post_id)
    actor = db.session.get(User, actor_id)
    if post is None or actor is None or not post.is_visible:
        return 0
    topic = post.topic
    first = post.post_number == 1
    # The author's level for the topic, and who watches it (one statement on PostgreSQL).
    watchers = set() if edited else watching.adopt_topic_and_watchers(actor.id, topic)
    reasons = reasons_for(post, topic, first, edited=edited, watchers=watchers)
    reasons.pop(actor.id, None)
    if reasons:
        # One query: who may be told, less those who muted the topic (a
        # watcher's level is known: watching), those who chose not to hear
        # from the actor and those told about this post already.
        others = set(reasons) - watchers
        readers = db.session.scalars(
            _readers(bool(others)),
            {"reader_ids": sorted(reasons), "actor_id": actor.id, "post_id": post.id}
            | watching.params(topic),
        )
        allowed = sorted(u.id for u in readers if permissions.can_read_topic(u, topic))
        # As old as the post: demo content and approved held posts keep their time.
        data, when = post_data(post, topic, actor), utcnow() if edited else post.created_at
        common = {"topic_id": topic.id, "post_id": post.id, "data": data, "created_at": when}
        rows = [{"user_id": u, "kind": reasons[u], **common} for u in allowed]
        if rows:
            db.session.execute(_NOTIFICATION, rows)
    else:
        rows = []
    return len(rows)


def _may_tell(user_id: int, topic: Topic) -> bool:
    reader = db.session.get(User, user_id)
    return (
        reader is not None
        and permissions.can_read_topic(reader, topic)
        and watching.levels_of({user_id}, topic)[user_id] != Level.MUTED
    )


def notify_liked(post_id: int, liker_id: int) -> None:
    """Tell the author of a liked post (uncommitted); likes of one post share one unread
    notification."""
    post = db.session.get(Post, post_id)
    liker = db.session.get(User, liker_id)
    if post is None or liker is None or post.user_id == liker.id or not post.is_visible:
        return
    topic = post.topic
    if not _may_tell(post.user_id, topic):
        return
    unread = db.session.scalar(
        sa.select(Notification)
        .where(
            Notification.user_id == post.user_id,
            Notification.post_id == post.id,
            Notification.kind == "liked",
            Notification.read_at.is_(None),
        )
        .order_by(Notification.id.desc())
        .limit(1)
    )
    if unread is None:
        data = post_data(post, topic, liker) | {"likers": [liker.username], "count": 1}
        db.session.add(
            Notification(
                user_id=post.user_id, kind="liked", topic_id=topic.id, post_id=post.id, data=data
            )
        )
    else:
        data = dict(unread.data or {})
        likers = list(data.get("likers", []))
        if liker.username in likers:
            return  # liked, took it back and liked again: nothing new
        data.update(
            actor=liker.username, likers=[liker.username, *likers][:20],
            count=int(data.get("count", 1)) + 1,
        )  # fmt: skip
        unread.data, unread.created_at = data, utcnow()


def notify_edited(post_id: int, editor_id: int) -> None:
    """Tell an author that staff edited their post (uncommitted; one unread notice per post)."""
    post = db.session.get(Post, post_id)
    editor = db.session.get(User, editor_id)
    if post is None or editor is None or post.user_id == editor.id or not post.is_visible:
        return
    if not permissions.is_staff(editor) or not _may_tell(post.user_id, post.topic):
        return
    unread = db.session.scalar(
        sa.select(Notification).where(
            Notification.user_id == post.user_id,
            Notification.post_id == post.id,
            Notification.kind == "edited",
            Notification.read_at.is_(None),
        )
    )
    data = post_data(post, post.topic, editor)
    if unread is None:
        db.session.add(
            Notification(
                user_id=post.user_id,
                kind="edited",
                topic_id=post.topic_id,
                post_id=post.id,
                data=data,
            )
        )
    else:
        unread.data, unread.created_at = data, utcnow()


def invisible_mentions(post: Post, topic: Topic) -> list[str]:
    """Return the mentioned members who may not read the topic (one query, none
    without mentions): the writer is told they were not notified."""
    names = mentioned_usernames(post.cooked)
    if not names:
        return []
    users = db.session.scalars(
        sa.select(User).where(User.username_lower.in_(sorted(n.lower() for n in names)))
    )
    return sorted(u.username for u in users if not permissions.can_read_topic(u, topic))
