"""PostgreSQL ranks a bounded set of matches (docs/search.md, "Ranking").

A word in 10 % of a million posts has tens of thousands of readable
matches; reading and ranking every one cost about a second. So a text query
ranks the matches among the newest posts (a window) and, for "best match
first", the first posts whose title holds the words within TITLE_DEPTH
windows. The window's size comes from the vocabulary (``search_terms``: how
many documents hold each word) and the share of documents the reader's
levels make readable (the planner's statistics): wide enough for about twice
as many matches as topics are wanted, narrow for a word in half the posts.
When ranking every match through the GIN index costs less than reading the
window (rare words; a guest's words in the public documents' index), it
does that. When the estimate was wrong and the window
holds too few topics, it grows and the query runs again.
"""

import math
import time

import sqlalchemy as sa

from forum.search.backend import Hit, Hits
from forum.search.models import SearchDocument
from forum.search.postgres_shapes import kept

#: The smallest window the estimate may choose (about a millisecond to read),
#: and at least this many posts per topic wanted: the newest posts belong to
#: few topics (at a million posts the newest 1,000 to 110 topics, 4,000 to
#: 627), and for a word in half the posts the 1,000 newest held fewer than
#: the 200 topics wanted: a second round, ~20 ms more.
MIN_WINDOW = 1_000
MIN_POSTS_PER_TOPIC = 10
#: A window may be narrower than twice the wanted topics' matches where this
#: many times the wanted topics should hold a match (_first_window): the
#: matches of two words together are spread over more topics than those of
#: one, and twice them read 1.2 to 1.3 times the posts needed. At a million
#: posts the narrower window held 0.7 to 1.2 times the topics estimated.
SLACK = 1.5
#: Search pages rank enough topics for ten pages of them; a caller wanting
#: fewer (similar topics: 5, a correction's check: 1) this many per result.
TOPICS_PER_RESULT = 10
#: What reading costs, in microseconds at a million posts (EXPLAIN ANALYZE):
#: a row of the window tested, an entry of a word's list in the GIN index,
#: and a match fetched from the table, tested and ranked.
ROW_COST = 1.3
ENTRY_COST = 0.3
FETCH_COST = 8.0
#: A public document's post id, else NULL: a guest's window is a range of it,
#: read through its own index (``ix_search_documents_public_ids``), a fifth of
#: the rows. An expression only the window states (the level a literal, as in
#: the index): a partial index of the public ids was also read whole, in
#: place of the public GIN index, for a guest's query ranking every match
#: (220,000 rows, 500 ms at a million posts).
PUBLIC_ID = sa.case((SearchDocument.level == sa.literal_column("'public'"), SearchDocument.post_id))
#: Seconds the level shares are kept per process (they change slowly).
SHARES_KEPT = 600
_shares: tuple[float, dict[str, float]] = (0.0, {})


def shares() -> dict[str, float]:
    """Return each read level's share of the documents, and first posts' share
    under the key 1, from the planner's statistics (no table read), kept for
    SHARES_KEPT seconds; empty before the first ANALYZE."""
    from forum.extensions import db

    global _shares
    at, found = _shares
    if time.monotonic() - at < SHARES_KEPT:
        return found
    rows = db.session.execute(
        sa.text(
            "SELECT attname, most_common_vals::text::text[] AS vals, most_common_freqs AS freqs "
            "FROM pg_stats WHERE tablename = 'search_documents' "
            "AND attname IN ('level', 'post_number')"
        )
    ).all()
    found = {}
    for row in rows:
        for value, share in zip(row.vals or (), row.freqs or (), strict=True):
            if row.attname == "level":
                found[value] = share
            elif value == "1":
                found[1] = share
    _shares = (time.monotonic(), found)
    return found


def _ids() -> tuple:
    """Return the lowest and highest post id indexed, asked once per request
    (a corrected search asks three times; a post written since only widens
    the window a little, as the window is counted back from the highest),
    mostly with the vocabulary (postgres_sql._starts)."""
    from flask import g

    from forum.extensions import db

    ids = g.get("search_ids")
    if ids is None or ids[1] is None:
        document = SearchDocument
        ids = g.search_ids = tuple(
            db.session.execute(
                sa.select(sa.func.min(document.post_id), sa.func.max(document.post_id))
            ).one()
        )
    return ids


def _order_by(columns, order: str) -> tuple:
    """Return the sort keys of ``order`` over a query's rank, creation time and likes."""
    return {
        "relevance": (columns.rank.desc(), columns.created_at.desc()),
        "latest": (columns.created_at.desc(),),
        "oldest": (columns.created_at.asc(),),
        "likes": (columns.like_count.desc(), columns.rank.desc()),
    }[order]


class Bounded:
    """One text query's bounded ranking (postgres_backend.search)."""

    def __init__(self, shape, order: str, bounds: tuple) -> None:
        #: The query's conditions, rank and tsquery (postgres_shapes.Shape).
        self.shape = shape
        self.order = order
        #: postgres_backend's RANKED_TOPICS, FIRST_WINDOW, TITLE_DEPTH (read
        #: at call time, so tests can make them tiny).
        self.ranked_topics, self.first_window, self.title_depth = bounds
        #: Whether the reader finds public documents only, and the column a
        #: window is a range of (page sets them).
        self.public = False
        self.ids = SearchDocument.post_id

    def page(
        self, estimate: list[int] | None, criteria, offset: int, limit: int, load=None
    ) -> Hits:
        """Return the topics ``offset`` to ``offset + limit`` of the ranking
        (with their posts: ``load``, backend.PostLoad)."""

        low, high = _ids()
        if high is None:
            return Hits(0, [])
        span = high - low + 1
        enough = min(self.ranked_topics, TOPICS_PER_RESULT * (offset + limit))
        self.public = tuple(criteria.levels) == ("public",)
        window, whole_cost = self._first_window(estimate, criteria, span, enough)
        # A guest's window reads the public documents alone (PUBLIC_ID), but
        # for `in:first` the first posts' index, which holds fewer.
        read = 1.0
        if self.public and not criteria.in_first:
            self.ids, read = PUBLIC_ID, shares().get("public", 1.0)
        scan = True
        while True:
            whole = window >= span or window * read * ROW_COST > whole_cost
            parts = self._parts(window, whole, scan, high, low)
            if load is not None and estimate is not None and not all(estimate):
                # The vocabulary holds no word a match needs (a typo, before
                # its correction): the same statement without the posts' join
                # and their objects (~2 ms of CPU at a million posts), again
                # with them if it finds something after all.
                hits = _page(*parts, self.order, offset, limit)
                if hits.total:
                    hits = _page(*parts, self.order, offset, limit, load)
            else:
                hits = _page(*parts, self.order, offset, limit, load)
            if whole or hits.total > enough:
                hits.more_than = 0 if whole else enough
                return hits
            # Widen to where 1.5 times the topics wanted should be; a window
            # that held none gives way to all posts (the word is rare: cheap).
            if not hits.total:
                window = span
            else:
                window = max(window * 2, window * 3 * (enough + 1) // (2 * hits.total))
            # Without an estimate, wider windows let the planner choose.
            scan = estimate is not None

    def _first_window(self, estimate, criteria, span: int, enough: int) -> tuple[int, float]:
        """Return the first window, and what ranking every match through the
        GIN index would cost (in the units of ROW_COST; infinite when unknown).

        Without an estimate: FIRST_WINDOW. With one, the window where twice
        ``enough`` readable matches should be (some share a topic), the words
        taken as independent, or a narrower one where SLACK times ``enough``
        topics should hold a match: w posts are w / p topics of p posts (p
        from the share of first posts), a share of them readable (read levels
        are the categories'), each holding a match with probability
        1 - (1 - words)^p. A guest's query uses the public documents' index,
        whose lists are shorter by their share."""
        if estimate is None:
            return self.first_window, math.inf
        known = shares()
        share = sum(known.get(level, 0.0) for level in criteria.levels) if known else 1.0
        indexed = known.get("public", 1.0) if self.public else 1.0
        if criteria.any_word:
            words = min(1.0, estimate[0] / span)
        else:
            words = math.prod(min(1.0, documents / span) for documents in estimate)
        whole_cost = indexed * (ENTRY_COST * sum(estimate) + FETCH_COST * span * words)
        first = known.get(1) or 1.0
        # Posts per topic (one for `in:first`, whose topics count one post).
        per_topic = 1.0 if criteria.in_first else 1.0 / first
        if criteria.in_first:
            share *= first
        density = share * words
        if density <= 0:
            return span, whole_cost
        wanted = 2 * enough / density
        # 1 - (1 - words)^p without the cancellation of 1 - words: several
        # rare words together (a share below 1e-16) made it 0 and the window
        # a division by zero.
        held = 1.0 if words >= 1.0 else -math.expm1(per_topic * math.log1p(-words))
        topics = share / per_topic * held
        if topics > 0:
            wanted = min(wanted, SLACK * enough / topics)
        least = min(max(MIN_WINDOW, MIN_POSTS_PER_TOPIC * enough), self.first_window)
        # No wider than every post: `page` ranks every match then.
        return max(least, math.ceil(min(wanted, span))), whole_cost

    def _parts(self, window: int, whole: bool, scan: bool, high: int, low: int) -> tuple:
        """The key of the SELECTs of the matches to rank within ``window``,
        what builds them, and their values (for _page)."""
        shape = self.shape
        if whole:
            return (
                shape.key and (shape.key, "whole"),
                lambda: [_matches(shape.conditions, shape.rank)],
                shape.values,
            )
        values = dict(shape.values)
        oldest = self.order == "oldest"
        values["edge"] = low + window if oldest else high - window
        # Titles TITLE_DEPTH windows back, no further than from the first
        # window: the bitmap of a wider range of the primary key alone
        # took 48 ms (400,000 posts).
        titles = self.order == "relevance"
        if titles:
            values["title_edge"] = high - min(window, self.first_window) * self.title_depth
        ids = self.ids

        def build() -> list:
            document = SearchDocument
            edge = ids < sa.bindparam("edge") if oldest else ids > sa.bindparam("edge")
            if scan:
                # The function behind `@@`, which the GIN index cannot serve:
                # the window is read through the primary key and each row tested
                # (a guest's public documents through PUBLIC_ID's index, first
                # posts only through their own index, for `in:first`).
                text = sa.func.ts_match_vq(document.vector, shape.tsquery)
                parts = [_matches([*shape.filters, text, edge], shape.rank)]
            else:
                parts = [_matches([*shape.conditions, edge], shape.rank)]
            if titles:
                title_edge = document.post_id > sa.bindparam("title_edge")
                parts.append(
                    _title_matches([*shape.title_filters, title_edge], shape.rank, shape.tsquery)
                )
            return parts

        key = shape.key and (shape.key, "window", scan, ids is PUBLIC_ID, titles)
        return key, build, values


def _page(key, parts, values: dict, order: str, offset: int, limit: int, load=None) -> Hits:
    """Return the window of topics (each with its best post) among the
    matches ``parts()`` makes (SELECTs of post, topic, rank, creation time,
    likes; a post in two of them counts once), and how many topics there
    are; with ``load`` (backend.PostLoad) their posts in the same statement.
    The statement is kept under ``key`` and the load's shape (postgres_shapes)
    and run with ``values``."""
    from forum.extensions import db

    if key is not None and load is not None:
        key = None if load.shape is None else (key, order, load.shape)
    elif key is not None:
        key = (key, order)
    built = kept(key, lambda: _Statements(parts(), order, load))
    values = {**values, "offset": offset, "limit": limit}
    if load is None:
        rows, posts = db.session.execute(built.window, values).all(), {}
    else:
        rows, posts = _with_posts(built.window, values, load)
    total = rows[0].total if rows else 0
    if not rows and offset:
        total = db.session.scalar(built.count, values)
    if not rows:
        return Hits(total or 0, [])
    return Hits(
        total=total,
        hits=[Hit(topic_id=r.topic_id, post_id=r.post_id, score=float(r.rank)) for r in rows],
        posts=posts,
    )


class _Statements:
    """A page's statement (with the posts ``load`` says, backend.PostLoad),
    and the count of its topics for a page past the last."""

    __slots__ = ("count", "window")

    def __init__(self, parts: list, order: str, load) -> None:
        matches = (parts[0] if len(parts) == 1 else sa.union(*parts)).subquery()
        # The best post of each topic comes first in its partition.
        ranked = _order_by(matches.c, order)
        best = sa.select(
            matches,
            sa.func.row_number()
            .over(partition_by=matches.c.topic_id, order_by=(*ranked, matches.c.post_id.desc()))
            .label("position"),
        ).subquery()
        outer = (*_order_by(best.c, order), best.c.topic_id)
        window = (
            sa.select(
                best.c.post_id,
                best.c.topic_id,
                best.c.rank,
                sa.func.count().over().label("total"),
            )
            .where(best.c.position == 1)
            .order_by(*outer)
            .offset(sa.bindparam("offset", type_=sa.Integer()))
            .limit(sa.bindparam("limit", type_=sa.Integer()))
        )
        if load is not None:
            window = _with_posts_statement(
                window.add_columns(best.c.created_at, best.c.like_count), order, load
            )
        self.window = window
        self.count = sa.select(sa.func.count()).select_from(best).where(best.c.position == 1)


def _with_posts_statement(window, order: str, load):
    """``window`` (in ``order``) joined to the posts ``load`` allows: a LEFT
    JOIN, as a hit whose post may not be shown (an index behind) still
    counts, as it did when the posts were a statement of their own."""
    from sqlalchemy.orm import join

    from forum.boards.models import Category, Post, Topic

    hits = window.subquery()
    shown = join(Post, Topic, Post.topic).join(Category, Topic.category)
    loaded = (Post.id.label("shown_id"), *load.columns) if load.columns else (Post,)
    statement = (
        sa.select(hits.c.post_id, hits.c.topic_id, hits.c.rank, hits.c.total, *loaded)
        .select_from(hits.outerjoin(shown, sa.and_(Post.id == hits.c.post_id, load.condition)))
        .order_by(*_order_by(hits.c, order), hits.c.topic_id)
    )
    return statement if load.columns else statement.options(*load.options)


def _with_posts(statement, values: dict, load) -> tuple[list, dict]:
    """Run the statement of _with_posts_statement: the hits' rows in order,
    and their posts by id (objects, or rows of ``load.columns``)."""
    from forum.extensions import db

    rows = db.session.execute(statement, values).all()
    if load.columns:
        return rows, {row.shown_id: row for row in rows if row.shown_id is not None}
    return rows, {row.Post.id: row.Post for row in rows if row.Post is not None}


def _matches(conditions, rank) -> sa.Select:
    document = SearchDocument
    return sa.select(
        document.post_id,
        document.topic_id,
        rank.label("rank"),
        document.created_at,
        document.like_count,
    ).where(*conditions)


def _title_matches(filters, rank, tsquery) -> sa.Select:
    """The first posts (any age) whose title holds the words, found through
    the index on their titles (``title_vector``): a title match older than
    the window still comes first."""
    return _matches([SearchDocument.title_vector.op("@@")(tsquery), *filters], rank)
