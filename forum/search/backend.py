"""What the search service hands a backend, and what it gets back."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa

from forum.search.analysis import Splitter

#: Limits of a document's boost from plugins (``extra_search_boosts``): solved
#: topics and the like count a little, never more than a title match.
MIN_BOOST = 0.8
MAX_BOOST = 1.25
#: Recent activity counts a little: a post written now scores up to this much
#: more (x 1.1), half as much more after ``RECENT_HALF_LIFE_DAYS``.
RECENT_WEIGHT = 0.1
RECENT_HALF_LIFE_DAYS = 90.0


def recency_factor(age_seconds: float) -> float:
    """Return the ranking factor of a post ``age_seconds`` old (1.1 new, towards 1.0)."""
    return 1.0 + RECENT_WEIGHT * 0.5 ** (max(age_seconds, 0.0) / (RECENT_HALF_LIFE_DAYS * 86400))


def clamp_boost(value: float) -> float:
    return min(MAX_BOOST, max(MIN_BOOST, value))


@dataclass
class Criteria:
    """A parsed query with names resolved and permissions attached."""

    #: Analysed terms of the loose words: every entry must match, each a list of
    #: alternatives ("Erste-Hilfe" gives two entries, ["erst"] and ["hilf"];
    #: "Betreuer*innen" one with three forms).
    words: list[list[str]] = field(default_factory=list)
    #: Per entry of ``words``, the first part of compounds it also finds
    #: (analysis.compound_head), or "".
    heads: list[str] = field(default_factory=list)
    #: The raw loose words (PostgreSQL analyses them itself).
    raw_words: list[str] = field(default_factory=list)
    #: "word*": what indexed terms must start with (analysis.prefix_term), and
    #: the words as written (without the "*"), for PostgreSQL.
    prefixes: list[str] = field(default_factory=list)
    raw_prefixes: list[str] = field(default_factory=list)
    #: Analysed terms of each phrase, and the phrases as written.
    phrases: list[list[str]] = field(default_factory=list)
    raw_phrases: list[str] = field(default_factory=list)
    user_ids: list[int] = field(default_factory=list)
    category_ids: list[int] | None = None
    topic_id: int | None = None
    in_title: bool = False
    in_first: bool = False
    #: Any of the words is enough (similar topics), more of them rank higher.
    any_word: bool = False
    #: ``words`` are terms of the index as they are (a correction's check):
    #: PostgreSQL searches them exactly, without analysing them again and
    #: without compounds (Whoosh always searches the analysed terms).
    lexemes: bool = False
    closed: bool | None = None
    after: datetime | None = None
    before: datetime | None = None
    order: str = "relevance"
    #: SQL conditions on Post/Topic from plugin filter words.
    conditions: list[sa.ColumnElement[bool]] = field(default_factory=list)
    #: From forum.permissions: category read levels the searcher may see ...
    levels: tuple[str, ...] = ("public",)
    #: ... and the visibility flags that hide a document from them.
    excluded_flags: frozenset[str] = frozenset()

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases or self.prefixes)


@dataclass
class Hit:
    topic_id: int
    post_id: int
    score: float


@dataclass
class Hits:
    #: Topics matching, after permissions and filters.
    total: int
    #: The requested window of topics, each with its best post.
    hits: list[Hit]
    #: When not 0: more than this many topics match, and ``total`` counts
    #: those ranked (PostgreSQL ranks a bounded set of matches:
    #: postgres_backend.RANKED_TOPICS).
    more_than: int = 0
    #: The hits' posts by id when the search was asked to load them
    #: (``PostLoad``); a hit whose post may not be shown has none.
    posts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PostLoad:
    """The hits' posts a caller shows, loaded with the search: PostgreSQL in
    the search's own statement (a round trip less), Whoosh with one more
    (``load_posts``)."""

    #: Which posts may be shown, on Post, Topic and Category (joined): the
    #: index already filtered, so this only catches an index that lags behind.
    condition: sa.ColumnElement[bool]
    #: Loader options; Post.topic and Topic.category are joined (contains_eager).
    options: tuple = ()
    #: Columns of Post, Topic and Category: when given, ``Hits.posts`` holds
    #: rows of them instead of objects, for a caller that reads a few values
    #: (the correction's check: loading a post and its topic as objects cost
    #: ~2 ms of CPU for one row at a million posts, the row ~0.3).
    columns: tuple = ()
    #: What names the condition, options and columns, the same in every load
    #: of this shape (the kind of load and what the reader's permissions
    #: depend on), or None: the PostgreSQL backend keeps its statements per
    #: shape (postgres_shapes.py).
    shape: tuple | None = None


def load_posts(hits: Hits, load: PostLoad) -> Hits:
    """Fill ``hits.posts`` with the hits' posts ``load`` allows (one statement)."""
    from forum.boards.models import Post, Topic
    from forum.extensions import db

    if hits.hits and load.columns:
        rows = db.session.execute(
            sa.select(Post.id.label("shown_id"), *load.columns)
            .join(Post.topic)
            .join(Topic.category)
            .where(Post.id.in_([hit.post_id for hit in hits.hits]), load.condition)
        )
        hits.posts = {row.shown_id: row for row in rows}
    elif hits.hits:
        ids = [hit.post_id for hit in hits.hits]
        posts = db.session.scalars(
            sa.select(Post)
            .join(Post.topic)
            .join(Topic.category)
            .where(Post.id.in_(ids), load.condition)
            .options(*load.options)
        )
        hits.posts = {post.id: post for post in posts}
    return hits


Progress = Callable[[int], None]


class Backend(Protocol):
    name: str

    def search(
        self, criteria: Criteria, offset: int, limit: int, load: PostLoad | None = None
    ) -> Hits:
        """Return the window of matching topics and how many there are, with
        their posts when ``load`` says which may be shown."""

    def apply(self, session, load, remove) -> list:
        """Under the backend's lock, call ``load()`` -> (outbox rows, Work), write the
        work, then ``remove(rows)`` before releasing the lock; return the rows."""

    def rebuild(self, session, load, progress: Progress | None = None) -> int:
        """Replace the index with the documents ``load()`` yields; return their number."""

    def after_rebuild(self) -> None:
        """Tidy up after ``rebuild`` was committed (outside any transaction)."""

    def holds(self, terms: list[str]) -> bool:
        """Whether any document (whoever may read it) holds one of the analysed ``terms``."""

    def suggest(self, term: str) -> list[str]:
        """Return indexed terms close to the analysed ``term``, best first
        (spelling.closest); the caller checks the reader may see them."""

    def corrector(
        self, terms: list[str], near: list[str], levels: tuple[str, ...], excluded_flags
    ) -> Callable[[str], list[str]] | None:
        """None when a document the reader may find (``levels``, less
        ``excluded_flags``) holds one of the analysed ``terms``, else
        ``suggest`` (PostgreSQL reads the vocabulary near the terms ``near``
        in the same statement). Held by a document the reader may not find
        counts as not held: otherwise the missing correction would tell."""

    def document_count(self) -> int: ...

    def needs_rebuild(self) -> bool:
        """Whether the index was built in a layout this version cannot read."""

    def close(self) -> None: ...


def get_backend(app=None) -> Backend:
    """Return the backend the app factory attached to ``app`` (the current app by default)."""
    from flask import current_app

    return (app or current_app).extensions["search"]


def splitter_of(app, session=None) -> Splitter:
    """Return the compound splitter: the shipped word list, the deployer's file
    (SEARCH_COMPOUND_WORDS) and the admin's words (SEARCH_EXTRA_WORDS, a run-time
    setting read once per request, or with the indexer's ``session``)."""
    from forum.search.analysis import splitter_for

    file = app.config.get("SEARCH_COMPOUND_WORDS") or None
    return splitter_for(file, admin_words(app, session))


def admin_words(app, session=None) -> tuple[str, ...]:
    """Return the words an admin added on the settings page.

    The indexer passes its own ``session``: it may run in ``db.session``'s
    after-commit hook, where that session can emit no SQL.
    """
    from flask import has_app_context

    from forum.extensions import runtime_setting
    from forum.site.models import SiteSetting

    default = app.config.get("SEARCH_EXTRA_WORDS", "")
    if session is not None:
        key = SiteSetting.key == "SEARCH_EXTRA_WORDS"
        value = session.scalar(sa.select(SiteSetting.value).where(key))
        value = default if value is None else value
    elif has_app_context() and "SEARCH_EXTRA_WORDS" in app.config:
        value = runtime_setting("SEARCH_EXTRA_WORDS")
    else:
        value = default
    return tuple(sorted(set((value or "").split())))
