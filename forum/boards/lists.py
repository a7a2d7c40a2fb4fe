"""Category and topic lists as windows with a fixed number of queries.

Keyset windows on last activity; everything a row shows is loaded eagerly
(tests/boards/test_query_counts.py fails on an N+1).
"""

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager, joinedload, load_only

from forum import permissions
from forum.boards.models import (
    Category,
    HelpKind,
    HelpStatus,
    Municipality,
    Post,
    Topic,
    TopicSort,
    TopicUser,
)
from forum.db import utcnow
from forum.extensions import db
from forum.notifications.models import CategoryUser, Level
from forum.routing import bounded_id, parse_cursor
from forum.users.models import User

#: The columns of a user a list shows (not hashes or e-mail addresses).
_PERSON = (User.id, User.username, User.display_name)

#: Topics never opened count as "new" for this long after they were created.
NEW_TOPIC_WINDOW = timedelta(days=14)

#: Avatars a list row shows: the original poster, then the most active others.
POSTERS_PER_TOPIC = 5


@dataclass(frozen=True)
class HelpFilter:
    kind: HelpKind | None = None
    municipality: Municipality | None = None
    status: HelpStatus | None = None

    @property
    def active(self) -> bool:
        return any((self.kind, self.municipality, self.status))


@dataclass(frozen=True)
class Poster:
    username: str
    name: str


@dataclass
class TopicRow:
    topic: Topic
    #: None for guests and for topics never opened.
    last_read_post_number: int | None = None
    is_new: bool = False
    #: The original poster first, then the most active others (POSTERS_PER_TOPIC).
    posters: list[Poster] = field(default_factory=list)

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


#: Archived categories stay readable by their URL but leave the lists.
LISTED = Category.archived_at.is_(None)


def readable_categories(user, *, archived: bool = True) -> list[Category]:
    """Return every category the user may read, ordered for display (without the
    archived ones when ``archived`` is false)."""

    def build(reader):
        query = sa.select(Category).where(permissions.readable_categories_clause(reader))
        if not archived:
            query = query.where(LISTED)
        return query.order_by(Category.position, Category.name)

    statement = permissions.shaped(f"lists.categories.{archived}", user, build)
    return list(db.session.scalars(statement, permissions.reader_params(user)))


def categories_overview(user, latest_per_category: int = 3) -> list[CategoryOverview]:
    """Return top-level categories with their subcategories and latest topics (2 queries)."""
    categories = readable_categories(user, archived=False)
    overviews = {c.id: CategoryOverview(c) for c in categories if c.parent_id is None}
    parent_of = {}
    for category in categories:
        if category.parent_id in overviews:
            overviews[category.parent_id].subcategories.append(category)
            parent_of[category.id] = category.parent_id
    if not categories:
        return []
    # One small index range per category (UNION ALL of LIMITed selects): a
    # window function over all topics would sort every topic of the forum. The
    # statement depends on the number of categories only (built once per number).
    statement = permissions.shaped(
        f"lists.overview.{len(categories)}.{latest_per_category}",
        None,
        lambda _reader: _overview_statement(len(categories), latest_per_category),
    )
    params = {f"category_{n}": category.id for n, category in enumerate(categories)}
    latest = db.session.scalars(statement, params)
    for topic in latest:
        owner = parent_of.get(topic.category_id, topic.category_id)
        if owner in overviews and len(overviews[owner].latest) < latest_per_category:
            overviews[owner].latest.append(topic)
    return list(overviews.values())


def _overview_statement(count: int, latest_per_category: int):
    newest = [
        sa.select(
            sa.select(Topic.id)
            .where(
                Topic.category_id == sa.bindparam(f"category_{n}"),
                Topic.deleted_at.is_(None),
                Topic.unlisted.is_(False),
            )
            .order_by(Topic.bumped_at.desc(), Topic.id.desc())
            .limit(latest_per_category)
            .subquery()
        )
        for n in range(count)
    ]
    # Only the titles, times and links show (forum/category_cards.py): no people
    # loaded with them, and no other column (loading whole topics was a fifth of
    # a member's categories page).
    return (
        sa.select(Topic)
        .options(load_only(Topic.category_id, Topic.slug, Topic.title, Topic.bumped_at))
        .where(Topic.id.in_(sa.union_all(*newest).scalar_subquery()))
        .order_by(Topic.bumped_at.desc())
    )


# --- Topic lists --------------------------------------------------------------------


#: The column each order sorts by (newest first, then by id).
SORT_COLUMNS = {
    TopicSort.LATEST: Topic.bumped_at,
    TopicSort.NEWEST: Topic.created_at,
    TopicSort.REPLIES: Topic.posts_count,
}


def _parse_cursor(cursor: str | None, sort: TopicSort = TopicSort.LATEST) -> tuple | None:
    if sort != TopicSort.REPLIES:
        return parse_cursor(cursor)
    try:
        count, topic_id = (cursor or "").rsplit("_", 1)
        return bounded_id(count) if count != "0" else 0, bounded_id(topic_id)
    except ValueError:
        return None


def _cursor_for(topic: Topic, sort: TopicSort = TopicSort.LATEST) -> str:
    if sort == TopicSort.REPLIES:
        return f"{topic.posts_count}_{topic.id}"
    return f"{getattr(topic, SORT_COLUMNS[sort].key).isoformat()}_{topic.id}"


def _list_query(user, people: bool = True):
    query = sa.select(Topic).join(Topic.category).options(contains_eager(Topic.category))
    if people:
        # Only the JSON API shows a topic's author and last poster: a page's
        # rows have their posters (_row_details), and loading two more users
        # per topic was a third of a member's list page.
        query = query.options(
            joinedload(Topic.user).load_only(*_PERSON),
            joinedload(Topic.last_post_user).load_only(*_PERSON),
        )
    return query.where(permissions.visible_topics_clause(user))


def _row_details(user, topics: list[Topic]) -> tuple[dict[int, int], dict[int, list[Poster]]]:
    """Return the member's read positions and each topic's most active posters,
    for a whole page in one statement (built once per role: forum/permissions/shapes.py)."""
    if not topics:
        return {}, {}
    statement = permissions.shaped("lists.row_details", user, _row_details_statement)
    params = permissions.reader_params(user, topic_ids=[t.id for t in topics])
    states: dict[int, int] = {}
    ranked: list[tuple[int, int, Poster]] = []
    for kind, topic_id, number, username, display_name in db.session.execute(statement, params):
        if kind == "read":
            states[topic_id] = number
        else:
            ranked.append((topic_id, number, Poster(username, display_name or username)))
    posters: dict[int, list[Poster]] = {}
    for topic_id, _rank, poster in sorted(ranked, key=lambda r: (r[0], r[1])):
        posters.setdefault(topic_id, []).append(poster)
    return states, posters


def _row_details_statement(reader):
    """Posters: each topic's authors are counted over its visible posts and ranked
    in SQL (the original poster first, then by posts and the latest post), so the
    answer holds at most POSTERS_PER_TOPIC rows per topic however long it is.
    Members' read positions come in the same statement."""
    ids = sa.bindparam("topic_ids", expanding=True)
    count = sa.func.count(Post.id)
    per_author = (
        sa.select(
            Post.topic_id,
            Post.user_id,
            sa.func.row_number()
            .over(
                partition_by=Post.topic_id,
                order_by=(
                    sa.case((Post.user_id == Topic.user_id, 0), else_=1),
                    count.desc(),
                    sa.func.max(Post.post_number).desc(),
                ),
            )
            .label("rank"),
        )
        .join(Topic, Topic.id == Post.topic_id)
        .where(Post.topic_id.in_(ids), Post.deleted_at.is_(None))
        .group_by(Post.topic_id, Post.user_id, Topic.user_id)
        .subquery()
    )

    # The names by primary key for the few ranked rows: a join let PostgreSQL
    # hash the whole users table (a sequential scan, 12 ms at 20,000 people).
    def person(column):
        return sa.select(column).where(User.id == per_author.c.user_id).scalar_subquery()

    query = sa.select(
        sa.literal("poster"),
        per_author.c.topic_id,
        per_author.c.rank,
        person(User.username),
        person(User.display_name),
    ).where(per_author.c.rank <= POSTERS_PER_TOPIC)
    if not getattr(reader, "is_authenticated", False):
        return query
    nothing = sa.cast(sa.null(), sa.String)
    return sa.union_all(
        query,
        sa.select(
            sa.literal("read"),
            TopicUser.topic_id,
            TopicUser.last_read_post_number,
            nothing,
            nothing,
        ).where(TopicUser.user_id == reader.id, TopicUser.topic_id.in_(ids)),
    )


def _rows(user, topics: list[Topic], states: dict[int, int], posters=None) -> list[TopicRow]:
    signed_in = getattr(user, "is_authenticated", False)
    new_since = utcnow() - NEW_TOPIC_WINDOW
    posters = posters or {}
    return [
        TopicRow(
            topic,
            states.get(topic.id),
            is_new=signed_in and topic.id not in states and topic.created_at >= new_since,
            posters=posters.get(topic.id, []),
        )
        for topic in topics
    ]


#: A help list's filters: the field of HelpFilter and _ListShape, and its column.
HELP_FILTER_COLUMNS = {
    "kind": Topic.help_kind,
    "municipality": Topic.municipality,
    "status": Topic.help_status,
}


@dataclass(frozen=True)
class _ListShape:
    """What a topic list's statements depend on besides the reader and the values
    bound when they run (category ids, filter values, cursor, limit)."""

    sort: TopicSort
    categories: bool | None
    kind: bool
    municipality: bool
    status: bool
    after: bool
    people: bool


def _list_statements(reader, shape: _ListShape):
    """Return a list's (pinned, window) statements for a kind of reader, with the
    values as bound parameters (built once per shape: forum/permissions/shapes.py)."""
    query = _list_query(reader, shape.people)
    column = SORT_COLUMNS[shape.sort]
    if shape.categories is not None:
        # Ids first: "category_id = x OR category_id IN (subquery)" defeats the
        # (category_id, bumped_at) index and sorts the whole category.
        query = query.where(Topic.category_id.in_(sa.bindparam("category_ids", expanding=True)))
        pinned_clause = Topic.pinned_at.is_not(None)
    else:
        query = query.where(LISTED)
        pinned_clause = sa.and_(Topic.pinned_at.is_not(None), Topic.pinned_globally)
        query = query.where(_not_muted(reader))
    for name, attribute in HELP_FILTER_COLUMNS.items():
        if getattr(shape, name):
            query = query.where(attribute == sa.bindparam(name, type_=attribute.type))
    filtered = shape.kind or shape.municipality or shape.status
    pinned = query.where(pinned_clause).order_by(Topic.pinned_at.desc())
    # Pinned topics head the first window and never come again further down;
    # a filtered help list shows them in their place instead.
    stream = query if filtered else query.where(sa.not_(pinned_clause))
    if shape.after:
        # A row value, not "column < v OR (column = v AND id < i)": PostgreSQL
        # takes the row value as the index range and starts at the cursor; the
        # OR it can only filter by, reading every newer topic first (20 ms for a
        # window 3,000 topics deep at 100,000 topics, growing with the depth).
        # (The values bound with the columns' types: UTCDateTime, not a plain DateTime.)
        after = sa.tuple_(
            sa.bindparam("after_value", type_=column.type),
            sa.bindparam("after_id", type_=Topic.id.type),
        )
        stream = stream.where(sa.tuple_(column, Topic.id) < after)
    stream = stream.order_by(column.desc(), Topic.id.desc()).limit(sa.bindparam("limit"))
    return pinned, stream


def list_topics(
    user,
    *,
    category: Category | None = None,
    help_filter: HelpFilter | None = None,
    cursor: str | None = None,
    limit: int = 30,
    sort: TopicSort = TopicSort.LATEST,
    subcategory_ids: list[int] | None = None,
    people: bool = True,
) -> TopicList:
    """Return a window of topics (by last activity, or as ``sort`` says), pinned
    ones first on the first window. Lists of all categories leave archived ones out.

    A category's list takes in its subcategories; a caller that loaded their ids
    with the category (``get_category_with_subcategory_ids``) saves a statement.
    ``people=False`` leaves each topic's author and last poster unloaded (the
    HTML lists show neither).
    """
    if category is not None and subcategory_ids is None:
        subcategory_ids = list(
            db.session.scalars(sa.select(Category.id).where(Category.parent_id == category.id))
        )
    position = _parse_cursor(cursor, sort)
    filtered = bool(help_filter and help_filter.active)
    shape = _ListShape(
        sort=sort,
        # None: every category; else whether subcategories come too.
        categories=None if category is None else bool(subcategory_ids),
        **{name: bool(help_filter and getattr(help_filter, name)) for name in HELP_FILTER_COLUMNS},
        after=position is not None,
        people=people,
    )
    pinned_statement, stream_statement = permissions.shaped(
        f"lists.topics.{shape}", user, lambda reader: _list_statements(reader, shape)
    )
    params = permissions.reader_params(user, limit=limit + 1)
    if category is not None:
        params["category_ids"] = [category.id, *subcategory_ids]
    for name in HELP_FILTER_COLUMNS:
        if getattr(shape, name):
            params[name] = getattr(help_filter, name)
    if position is not None:
        params["after_value"], params["after_id"] = position
    pinned: list[Topic] = []
    if position is None and not filtered:
        pinned = list(db.session.scalars(pinned_statement, params))
    topics = list(db.session.scalars(stream_statement, params))
    has_more = len(topics) > limit
    topics = topics[:limit]
    states, posters = _row_details(user, pinned + topics)
    return TopicList(
        pinned=_rows(user, pinned, states, posters),
        rows=_rows(user, topics, states, posters),
        next_cursor=_cursor_for(topics[-1], sort) if has_more else None,
    )


def _not_muted(user, reading=None) -> sa.ColumnElement[bool]:
    """A condition on Topic leaving out the member's muted categories (and, with
    their ``reading`` row joined, muted topics); true for guests."""
    if not getattr(user, "is_authenticated", False):
        return sa.true()
    muted = sa.select(CategoryUser.category_id).where(
        CategoryUser.user_id == user.id, CategoryUser.level == int(Level.MUTED)
    )
    condition = Topic.category_id.not_in(muted)
    if reading is not None:
        muted_topic = sa.func.coalesce(reading.notification_level, -1) == int(Level.MUTED)
        condition = sa.and_(condition, sa.not_(muted_topic))
    return condition


def list_unread(user, *, limit: int = 30, people: bool = True) -> TopicList:
    """Return topics with posts the user has not read, and new topics never opened
    (``people`` as for ``list_topics``)."""
    new_since = max(user.created_at, utcnow() - NEW_TOPIC_WINDOW)
    reading = aliased(TopicUser)
    query = (
        _list_query(user, people)
        .where(LISTED)
        .outerjoin(reading, sa.and_(reading.topic_id == Topic.id, reading.user_id == user.id))
        .where(
            sa.or_(
                reading.last_read_post_number < Topic.highest_post_number,
                sa.and_(reading.topic_id.is_(None), Topic.created_at >= new_since),
            ),
            _not_muted(user, reading),
        )
        .order_by(Topic.bumped_at.desc(), Topic.id.desc())
        .limit(limit)
    )
    topics = list(db.session.scalars(query))
    rows = _rows(user, topics, *_row_details(user, topics))
    return TopicList(pinned=[], rows=rows, next_cursor=None)
