"""The read path: lists and topic pages as windows with a fixed number of queries.

Everything a page shows is loaded here on purpose with eager loading; the
query-count tests (tests/boards/test_query_counts.py) fail on an N+1.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from forum import permissions
from forum.boards.models import (
    Bookmark,
    Category,
    HelpKind,
    HelpStatus,
    Municipality,
    Post,
    PostLike,
    PostRevision,
    Topic,
    TopicUser,
)
from forum.db import utcnow
from forum.extensions import db
from forum.moderation.held import held_posts_of
from forum.moderation.models import Flag
from forum.routing import parse_cursor
from forum.users.models import User

#: The columns of a user a list shows (not hashes or e-mail addresses).
_PERSON = (User.id, User.username, User.display_name)

#: Topics never opened count as "new" for this long after they were created.
NEW_TOPIC_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class HelpFilter:
    kind: HelpKind | None = None
    municipality: Municipality | None = None
    status: HelpStatus | None = None

    @property
    def active(self) -> bool:
        return any((self.kind, self.municipality, self.status))


@dataclass
class TopicRow:
    topic: Topic
    #: None for guests and for topics never opened.
    last_read_post_number: int | None = None
    is_new: bool = False

    @property
    def unread_count(self) -> int:
        if self.last_read_post_number is None:
            return 0
        return max(self.topic.highest_post_number - self.last_read_post_number, 0)


@dataclass
class TopicList:
    pinned: list[TopicRow]
    rows: list[TopicRow]
    #: Cursor for the next window ("<iso time>_<id>"), None on the last one.
    next_cursor: str | None


# --- Categories -------------------------------------------------------------------


@dataclass
class CategoryOverview:
    category: Category
    subcategories: list[Category] = field(default_factory=list)
    latest: list[Topic] = field(default_factory=list)


def readable_categories(user) -> list[Category]:
    """Return every category the user may read, ordered for display."""
    return list(
        db.session.scalars(
            sa.select(Category)
            .where(permissions.readable_categories_clause(user))
            .order_by(Category.position, Category.name)
        )
    )


def categories_overview(user, latest_per_category: int = 3) -> list[CategoryOverview]:
    """Return top-level categories with their subcategories and latest topics (2 queries)."""
    categories = readable_categories(user)
    overviews = {c.id: CategoryOverview(c) for c in categories if c.parent_id is None}
    parent_of = {}
    for category in categories:
        if category.parent_id in overviews:
            overviews[category.parent_id].subcategories.append(category)
            parent_of[category.id] = category.parent_id
    if not categories:
        return []
    # One small index range per category (UNION ALL of LIMITed selects): a
    # window function over all topics would sort every topic of the forum.
    newest = [
        sa.select(
            sa.select(Topic.id)
            .where(
                Topic.category_id == category.id,
                Topic.deleted_at.is_(None),
                Topic.unlisted.is_(False),
            )
            .order_by(Topic.bumped_at.desc(), Topic.id.desc())
            .limit(latest_per_category)
            .subquery()
        )
        for category in categories
    ]
    latest = db.session.scalars(
        sa.select(Topic)
        .where(Topic.id.in_(sa.union_all(*newest).scalar_subquery()))
        .options(joinedload(Topic.last_post_user).load_only(*_PERSON))
        .order_by(Topic.bumped_at.desc())
    )
    for topic in latest:
        owner = parent_of.get(topic.category_id, topic.category_id)
        if owner in overviews and len(overviews[owner].latest) < latest_per_category:
            overviews[owner].latest.append(topic)
    return list(overviews.values())


def category_colors() -> list[str]:
    """Return the distinct colours of all categories (not secret: no names)."""
    return list(db.session.scalars(sa.select(Category.color).distinct().order_by(Category.color)))


def get_category(category_id: int) -> Category | None:
    return db.session.get(Category, category_id)


# --- Topic lists --------------------------------------------------------------------


def _parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    return parse_cursor(cursor)


def _cursor_for(topic: Topic) -> str:
    return f"{topic.bumped_at.isoformat()}_{topic.id}"


def _list_query(user):
    return (
        sa.select(Topic)
        .join(Topic.category)
        .options(
            contains_eager(Topic.category),
            joinedload(Topic.user).load_only(*_PERSON),
            joinedload(Topic.last_post_user).load_only(*_PERSON),
        )
        .where(permissions.visible_topics_clause(user))
    )


def _read_states(user, topics: list[Topic]) -> dict[int, int]:
    if not topics or not getattr(user, "is_authenticated", False):
        return {}
    rows = db.session.execute(
        sa.select(TopicUser.topic_id, TopicUser.last_read_post_number).where(
            TopicUser.user_id == user.id, TopicUser.topic_id.in_([t.id for t in topics])
        )
    )
    # Not dict(rows): a Result has .keys() and would be taken for a mapping.
    return {topic_id: last_read for topic_id, last_read in rows}


def _rows(user, topics: list[Topic], states: dict[int, int]) -> list[TopicRow]:
    signed_in = getattr(user, "is_authenticated", False)
    new_since = utcnow() - NEW_TOPIC_WINDOW
    return [
        TopicRow(
            topic,
            states.get(topic.id),
            is_new=signed_in and topic.id not in states and topic.created_at >= new_since,
        )
        for topic in topics
    ]


def list_topics(
    user,
    *,
    category: Category | None = None,
    help_filter: HelpFilter | None = None,
    cursor: str | None = None,
    limit: int = 30,
) -> TopicList:
    """Return a window of topics by last activity, pinned ones first on the first window."""
    query = _list_query(user)
    if category is not None:
        # Ids first: "category_id = x OR category_id IN (subquery)" defeats the
        # (category_id, bumped_at) index and sorts the whole category.
        ids = [category.id, *db.session.scalars(
            sa.select(Category.id).where(Category.parent_id == category.id)
        )]  # fmt: skip
        query = query.where(
            Topic.category_id == category.id if len(ids) == 1 else Topic.category_id.in_(ids)
        )
        pinned_clause = Topic.pinned_at.is_not(None)
    else:
        pinned_clause = sa.and_(Topic.pinned_at.is_not(None), Topic.pinned_globally)
    if help_filter is not None:
        if help_filter.kind:
            query = query.where(Topic.help_kind == help_filter.kind)
        if help_filter.municipality:
            query = query.where(Topic.municipality == help_filter.municipality)
        if help_filter.status:
            query = query.where(Topic.help_status == help_filter.status)
    position = _parse_cursor(cursor)
    pinned: list[Topic] = []
    filtered = bool(help_filter and help_filter.active)
    if position is None and not filtered:
        pinned = list(
            db.session.scalars(query.where(pinned_clause).order_by(Topic.pinned_at.desc()))
        )
    # Pinned topics head the first window and never come again further down;
    # a filtered help list shows them in their place instead.
    stream = query if filtered else query.where(sa.not_(pinned_clause))
    if position is not None:
        stamp, topic_id = position
        stream = stream.where(
            sa.or_(Topic.bumped_at < stamp, sa.and_(Topic.bumped_at == stamp, Topic.id < topic_id))
        )
    topics = list(
        db.session.scalars(
            stream.order_by(Topic.bumped_at.desc(), Topic.id.desc()).limit(limit + 1)
        )
    )
    has_more = len(topics) > limit
    topics = topics[:limit]
    states = _read_states(user, pinned + topics)
    return TopicList(
        pinned=_rows(user, pinned, states),
        rows=_rows(user, topics, states),
        next_cursor=_cursor_for(topics[-1]) if has_more else None,
    )


def list_unread(user, *, limit: int = 30) -> TopicList:
    """Return topics with posts the user has not read, and new topics never opened."""
    new_since = max(user.created_at, utcnow() - NEW_TOPIC_WINDOW)
    reading = aliased(TopicUser)
    query = (
        _list_query(user)
        .outerjoin(reading, sa.and_(reading.topic_id == Topic.id, reading.user_id == user.id))
        .where(
            sa.or_(
                reading.last_read_post_number < Topic.highest_post_number,
                sa.and_(reading.topic_id.is_(None), Topic.created_at >= new_since),
            )
        )
        .order_by(Topic.bumped_at.desc(), Topic.id.desc())
        .limit(limit)
    )
    topics = list(db.session.scalars(query))
    return TopicList(
        pinned=[], rows=_rows(user, topics, _read_states(user, topics)), next_cursor=None
    )


# --- Topic page ----------------------------------------------------------------------


@dataclass
class ReplyLink:
    post_number: int
    username: str


@dataclass
class PostView:
    post: Post
    reply_to_username: str | None
    replies: list[ReplyLink]
    liked: bool
    bookmarked: bool
    can_edit: bool
    can_delete: bool
    can_restore: bool
    can_like: bool
    can_flag: bool
    #: Hidden after flags: the text is shown only to its author and staff.
    show_hidden_text: bool


@dataclass
class TopicPage:
    topic: Topic
    posts: list[PostView]
    page: int
    page_count: int
    last_read_post_number: int | None
    #: The reader's own replies awaiting approval in this topic (review items).
    held: list = field(default_factory=list)


def get_topic(topic_id: int) -> Topic | None:
    """Return the topic with its category loaded (one query)."""
    return db.session.scalar(
        sa.select(Topic).where(Topic.id == topic_id).options(joinedload(Topic.category))
    )


def page_of_post(post_number: int, per_page: int) -> int:
    return max(math.ceil(post_number / per_page), 1)


def topic_page(user, topic: Topic, page: int, per_page: int) -> TopicPage:
    """Return one window of a topic's posts with everything the page shows."""
    page_count = page_of_post(topic.highest_post_number, per_page)
    page = min(max(page, 1), page_count)
    first, last = (page - 1) * per_page + 1, page * per_page
    query = (
        sa.select(Post)
        .where(Post.topic_id == topic.id, Post.post_number.between(first, last))
        .options(joinedload(Post.user))
        .order_by(Post.post_number)
    )
    posts = list(db.session.scalars(query))
    for post in posts:
        # The topic is already loaded; share it instead of loading it per post.
        set_committed_value(post, "topic", topic)
    numbers = [p.post_number for p in posts]
    wanted = {p.reply_to_post_number for p in posts if p.reply_to_post_number} - set(numbers)

    # Replies to posts in the window, and authors of replied-to posts outside it.
    related = db.session.execute(
        sa.select(Post.post_number, Post.reply_to_post_number, User.username, Post.deleted_at)
        .join(User, User.id == Post.user_id)
        .where(
            Post.topic_id == topic.id,
            sa.or_(Post.reply_to_post_number.in_(numbers), Post.post_number.in_(wanted)),
        )
        .order_by(Post.post_number)
    ).all()
    replies: dict[int, list[ReplyLink]] = {}
    usernames = {p.post_number: p.user.username for p in posts}
    for number, reply_to, username, deleted_at in related:
        if number in wanted:
            usernames[number] = username
        if reply_to in numbers and deleted_at is None:
            replies.setdefault(reply_to, []).append(ReplyLink(number, username))

    liked: set[int] = set()
    bookmarked: set[int] = set()
    flagged: set[int] = set()
    held: list = []
    last_read = None
    if getattr(user, "is_authenticated", False) and posts:
        ids = [p.id for p in posts]
        # The reader's likes, bookmarks and flags on this window in one query.
        marks = sa.union_all(
            sa.select(sa.literal("like"), PostLike.post_id).where(
                PostLike.user_id == user.id, PostLike.post_id.in_(ids)
            ),
            sa.select(sa.literal("bookmark"), Bookmark.post_id).where(
                Bookmark.user_id == user.id, Bookmark.post_id.in_(ids)
            ),
            sa.select(sa.literal("flag"), Flag.post_id).where(
                Flag.user_id == user.id, Flag.post_id.in_(ids)
            ),
        )
        by_kind: dict[str, set[int]] = {"like": set(), "bookmark": set(), "flag": set()}
        for kind, post_id in db.session.execute(marks):
            by_kind[kind].add(post_id)
        liked, bookmarked, flagged = by_kind["like"], by_kind["bookmark"], by_kind["flag"]
        last_read = db.session.scalar(
            sa.select(TopicUser.last_read_post_number).where(
                TopicUser.user_id == user.id, TopicUser.topic_id == topic.id
            )
        )
        # The reader's own posts still waiting for review, shown only to them.
        held = held_posts_of(user, topic.id)
    show_deleted = permissions.can_see_deleted(user)
    views = [
        PostView(
            post=post,
            reply_to_username=usernames.get(post.reply_to_post_number),
            replies=replies.get(post.post_number, []),
            liked=post.id in liked,
            bookmarked=post.id in bookmarked,
            can_edit=permissions.can_edit_post(user, post),
            can_delete=permissions.can_delete_post(user, post),
            can_restore=permissions.can_restore_post(user, post),
            can_like=permissions.can_like_post(user, post),
            can_flag=permissions.can_flag_post(user, post) and post.id not in flagged,
            show_hidden_text=post.is_hidden and permissions.can_see_hidden_post(user, post),
        )
        for post in posts
        if show_deleted or not post.is_deleted or post.post_number == 1
    ]
    return TopicPage(topic, views, page, page_count, last_read, held)


def first_unread_post_number(user, topic: Topic) -> int | None:
    """Return where a returning reader should land, or None to start at the top."""
    if not getattr(user, "is_authenticated", False):
        return None
    last_read = db.session.scalar(
        sa.select(TopicUser.last_read_post_number).where(
            TopicUser.user_id == user.id, TopicUser.topic_id == topic.id
        )
    )
    if not last_read or last_read >= topic.highest_post_number:
        return None
    return last_read + 1


def get_post(post_id: int) -> Post | None:
    """Return a post with its topic, the topic's category and the author."""
    return db.session.scalar(
        sa.select(Post)
        .where(Post.id == post_id)
        .options(joinedload(Post.topic).joinedload(Topic.category), joinedload(Post.user))
    )


def get_post_by_number(topic: Topic, post_number: int) -> Post | None:
    post = db.session.scalar(
        sa.select(Post)
        .where(Post.topic_id == topic.id, Post.post_number == post_number)
        .options(joinedload(Post.user))
    )
    if post is not None:
        set_committed_value(post, "topic", topic)
    return post


def post_revisions(post: Post) -> list[PostRevision]:
    return list(
        db.session.scalars(
            sa.select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .options(joinedload(PostRevision.user))
            .order_by(PostRevision.number.desc())
        )
    )
