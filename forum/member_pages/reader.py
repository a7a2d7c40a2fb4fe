"""What a kept member topic page fills in for its reader: one statement, the header.

``reader_facts`` asks everything personal the page shows in one statement
(built once per role, forum/permissions/shapes.py): the header's counts and
whom the reader ignores (forum/messages), the review queue's count for staff
(forum/moderation), the reader's likes, bookmarks and flags on the page's
posts, whether they have replies awaiting approval in the topic, their read
position, watching levels and whether their last visit is recent.
``user_nav`` renders the header's personal part (``_user_nav.html``, the
template the ordinary page includes) from these, kept per facts.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, g, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from forum import permissions
from forum.boards.models import Bookmark, Post, PostLike, TopicUser
from forum.boards.reading import visits_after
from forum.db import Prepared
from forum.extensions import db
from forum.kept_pages import marker
from forum.membership.views import admin_url_of
from forum.messages.queries import IGNORED, NOTIFICATIONS, UNREAD, header_parts
from forum.moderation.models import Flag, ReviewItem, ReviewStatus
from forum.moderation.services import pending_count_select
from forum.notifications.models import CategoryUser, Level
from forum.post_blocks import BlockCache, app_block_cache
from forum.review.held import HELD_POST

# The parts of the statement's rows besides the header's (0-2).
LIKE, BOOKMARK, FLAG, HELD, LAST_READ, TOPIC_LEVEL, CATEGORY_LEVEL, RECENT_VISIT, REVIEW = range(
    10, 19
)


@dataclass(frozen=True)
class ReaderFacts:
    """One reader's personal answers for one page of one topic."""

    notifications: int
    messages: int
    ignored: frozenset[int]
    liked: frozenset[int]
    bookmarked: frozenset[int]
    flagged: frozenset[int]
    held: int
    last_read: int | None
    topic_level: int | None
    category_level: int | None
    visited_recently: bool
    #: The review queue's count (staff only; None for others).
    review: int | None


def _statement(reader):
    mine = sa.and_(TopicUser.user_id == reader.id, TopicUser.topic_id == sa.bindparam("topic_id"))
    # The page's posts by their numbers, not a list of ids: a list is written
    # into the statement each time it runs (SQLAlchemy's "expanding" IN).
    ids = sa.select(Post.id).where(
        Post.topic_id == sa.bindparam("topic_id"),
        Post.post_number.between(sa.bindparam("first"), sa.bindparam("last")),
    )
    parts = header_parts(reader, True, True)
    parts += [
        sa.select(sa.literal(LIKE), PostLike.post_id).where(
            PostLike.user_id == reader.id, PostLike.post_id.in_(ids)
        ),
        sa.select(sa.literal(BOOKMARK), Bookmark.post_id).where(
            Bookmark.user_id == reader.id, Bookmark.post_id.in_(ids)
        ),
        sa.select(sa.literal(FLAG), Flag.post_id).where(
            Flag.user_id == reader.id, Flag.post_id.in_(ids)
        ),
        sa.select(sa.literal(HELD), sa.func.count())
        .select_from(ReviewItem)
        .where(
            ReviewItem.kind == HELD_POST,
            ReviewItem.user_id == reader.id,
            ReviewItem.status == ReviewStatus.PENDING,
            ReviewItem.topic_id == sa.bindparam("topic_id"),
        ),
        sa.select(sa.literal(LAST_READ), TopicUser.last_read_post_number).where(mine),
        sa.select(sa.literal(TOPIC_LEVEL), TopicUser.notification_level).where(mine),
        sa.select(
            sa.literal(RECENT_VISIT),
            sa.case((TopicUser.last_visited_at > sa.bindparam("visits_after"), 1), else_=0),
        ).where(mine),
        sa.select(sa.literal(CATEGORY_LEVEL), CategoryUser.level).where(
            CategoryUser.user_id == reader.id,
            CategoryUser.category_id == sa.bindparam("category_id"),
        ),
    ]
    if reader.is_staff:
        parts.append(sa.select(sa.literal(REVIEW), pending_count_select().scalar_subquery()))
    return sa.union_all(*parts)


def _prepared(reader) -> Prepared:
    # Compiled once per role and database: its values are all integers and the
    # time of a recent visit, its rows integers (forum/db.py ``Prepared``).
    return Prepared(_statement(reader))


def reader_facts(user, topic, first: int, last: int) -> ReaderFacts:
    """Return ``user``'s answers for the page of ``topic`` showing posts ``first`` to
    ``last`` (by number; one statement)."""
    statement = permissions.shaped("member_pages.reader", user, _prepared)
    params = permissions.reader_params(
        user,
        topic_id=topic.id,
        category_id=topic.category_id,
        first=first,
        last=last,
        visits_after=visits_after(),
    )
    marks: dict[int, set] = {IGNORED: set(), LIKE: set(), BOOKMARK: set(), FLAG: set()}
    values: dict[int, int | None] = {}
    for part, value in statement.execute(db.session.connection(), params):
        if part in marks:
            marks[part].add(value)
        else:
            values[part] = value
    return ReaderFacts(
        notifications=values.get(NOTIFICATIONS) or 0,
        messages=values.get(UNREAD) or 0,
        ignored=frozenset(marks[IGNORED]),
        liked=frozenset(marks[LIKE]),
        bookmarked=frozenset(marks[BOOKMARK]),
        flagged=frozenset(marks[FLAG]),
        held=values.get(HELD) or 0,
        last_read=values.get(LAST_READ),
        topic_level=values.get(TOPIC_LEVEL),
        category_level=values.get(CATEGORY_LEVEL),
        visited_recently=bool(values.get(RECENT_VISIT)),
        review=(values.get(REVIEW) or 0) if REVIEW in values else None,
    )


@dataclass(frozen=True)
class ListReaderFacts:
    """One reader's personal answers for a kept topic list."""

    notifications: int
    messages: int
    #: Whether they muted a category (their latest topics leave it out: not kept).
    mutes: bool
    #: Topic id -> the last post number they read (no entry: never opened).
    read: dict[int, int]
    review: int | None
    #: Their watching level of the listed category (None: none chosen, or no category).
    category_level: int | None = None


MUTES, READ, LIST_CATEGORY_LEVEL = 20, 21, 22


#: Topic ids a list's statement asks about at once: a fixed number of bound values
#: (the last id repeated), one statement per role, never an expanding list, which
#: SQLAlchemy would write into the statement anew each time it runs.
LIST_IDS = 50


def _list_statement(reader, count: int = LIST_IDS):
    nothing = sa.cast(sa.null(), sa.Integer)
    parts = []
    for part in header_parts(reader, True, False):
        inner = part.subquery()
        parts.append(sa.select(inner.c[0], inner.c[1], nothing))
    parts += [
        sa.select(sa.literal(MUTES), sa.func.count(), nothing)
        .select_from(CategoryUser)
        .where(CategoryUser.user_id == reader.id, CategoryUser.level == int(Level.MUTED)),
        sa.select(sa.literal(READ), TopicUser.topic_id, TopicUser.last_read_post_number).where(
            TopicUser.user_id == reader.id,
            TopicUser.topic_id.in_([sa.bindparam(f"topic_{at}") for at in range(count)]),
        ),
        sa.select(sa.literal(LIST_CATEGORY_LEVEL), CategoryUser.level, nothing).where(
            CategoryUser.user_id == reader.id,
            CategoryUser.category_id == sa.bindparam("category_id"),
        ),
    ]
    if reader.is_staff:
        parts.append(
            sa.select(sa.literal(REVIEW), pending_count_select().scalar_subquery(), nothing)
        )
    return sa.union_all(*parts)


def list_reader_facts(user, topic_ids: list[int], category_id: int = 0) -> ListReaderFacts:
    """Return ``user``'s answers for a list showing ``topic_ids`` (of the category
    ``category_id``, 0 for all; one statement)."""
    count = max(LIST_IDS, len(topic_ids))
    if count == LIST_IDS:
        statement = permissions.shaped(
            "member_pages.list_reader", user, lambda reader: Prepared(_list_statement(reader))
        )
    else:  # more topics per page than LIST_IDS: a statement of their number
        statement = permissions.shaped(
            f"member_pages.list_reader:{count}",
            user,
            lambda reader: Prepared(_list_statement(reader, count)),
        )
    padded = [*topic_ids, *[topic_ids[-1] if topic_ids else 0] * (count - len(topic_ids))]
    params = permissions.reader_params(
        user, category_id=category_id, **{f"topic_{at}": id_ for at, id_ in enumerate(padded)}
    )
    values: dict[int, int | None] = {}
    read: dict[int, int] = {}
    for part, value, extra in statement.execute(db.session.connection(), params):
        if part == READ:
            read[value] = extra
        else:
            values[part] = value
    return ListReaderFacts(
        notifications=values.get(NOTIFICATIONS) or 0,
        messages=values.get(UNREAD) or 0,
        mutes=bool(values.get(MUTES)),
        read=read,
        review=(values.get(REVIEW) or 0) if REVIEW in values else None,
        category_level=values.get(LIST_CATEGORY_LEVEL),
    )


def _nav_cache(app) -> BlockCache:
    # A header per member and count: small (~3 KB), as many as the reply forms' setting holds.
    return app_block_cache(app, "forum.member_pages.user_nav", "USER_NAV_CACHE_KB")


def user_nav(user, facts: ReaderFacts) -> str:
    """Return the header's personal part for ``user``, its CSRF slot still open."""
    staff = permissions.can_moderate(user)
    admin_url = admin_url_of(user)
    key = (
        str(get_locale()),
        request.script_root,
        request.endpoint,
        user.id,
        user.username,
        user.name,
        user.avatar_key,
        user.avatar_small_key,
        staff,
        facts.review,
        facts.messages,
        facts.notifications,
        admin_url,
    )
    cache = _nav_cache(current_app._get_current_object())
    block = cache.get(key)
    if block is None:
        template = current_app.jinja_env.get_template("_user_nav.html")
        context = {
            "current_user": user,
            "request": request,
            "viewer_can_moderate": staff,
            "unread_message_count": facts.messages,
            "unread_notification_count": facts.notifications,
            "admin_url": admin_url,
            "csrf_token": lambda: Markup(marker("csrf")),  # noqa: S704 (no input)
        }
        if staff:
            context["review_pending_count"] = facts.review
        block = template.render(context)
        cache.set(key, block)
    return block


#: Seconds a signed CSRF token is handed out again to the same session.
TOKEN_REUSE_SECONDS = 60
_TOKENS = "forum.member_pages.tokens"


def reader_token() -> str:
    """Return the reader's CSRF token, as ``generate_csrf`` does, signed at most
    ``TOKEN_REUSE_SECONDS`` ago.

    Flask-WTF signs the session's secret anew for every request (with the time,
    which its check compares with ``WTF_CSRF_TIME_LIMIT``), a twentieth of a
    kept page's time. A token signed a minute ago is as good for the time
    limit less that minute (with no limit, ``None``, it never runs out); with a
    limit under ten minutes every request signs its own.
    """
    app = current_app._get_current_object()
    field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    limit = app.config.get("WTF_CSRF_TIME_LIMIT", 3600)
    if field in g or (limit is not None and limit < 600):
        return generate_csrf()
    lock, tokens = app.extensions.setdefault(_TOKENS, (threading.Lock(), OrderedDict()))
    now = time.monotonic()
    secret = session.get(field)
    if isinstance(secret, str):
        with lock:
            kept = tokens.get(secret)
        if kept is not None and now - kept[1] < TOKEN_REUSE_SECONDS:
            setattr(g, field, kept[0])
            return kept[0]
    token = generate_csrf()
    # A session's first token draws its secret: kept the same way, so its next
    # page within the minute carries the same token as its first.
    secret = session.get(field)
    if not isinstance(secret, str):
        return token
    with lock:
        tokens[secret] = (token, now)
        tokens.move_to_end(secret)
        while len(tokens) > 4096:  # bounded: one per recently active session
            tokens.popitem(last=False)
    return token
