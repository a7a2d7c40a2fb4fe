"""A PostgreSQL search's statements, built once per shape and kept per process.

Building a ranking statement (its conditions, the tsquery, the rank, the
window's layers, the join to the posts) cost ~2-3 ms of Python at a million
posts before the database saw it, 8-15 ms in a guest's corrected typo, which
runs four to five of them; the values in it are what changes from search to
search. So every value is a bound parameter: ``Shape.key`` names what the
statement's text depends on (the number of levels and words, each word's
alternatives' kinds, which filters, the order, ...), ``Shape.values`` binds
the rest, and ``kept`` keeps the built statement under its key (bench/README.md,
"Search at a million posts: statements built once per shape").
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from forum.search.backend import RECENT_HALF_LIFE_DAYS, RECENT_WEIGHT, Criteria
from forum.search.models import SearchDocument
from forum.search.postgres_sql import Tsquery

#: Statements kept per process, the least recently used dropped first: the
#: shapes people use are a few dozen (the 86 searches of bench/search_bench.py,
#: 43 queries as guest and member, make 34), but a query's words and their alternatives
#: make many more. Fewer than SQLAlchemy's cache of compiled statements holds
#: (500 per engine), which keeps each statement with its compiled form: while
#: it holds them, these cost no memory of their own (clearing the 34 freed 94 KB).
KEPT_SHAPES = 100
_kept: OrderedDict[Hashable, Any] = OrderedDict()
_kept_lock = threading.Lock()

#: ts_rank's weights of D, C, B (the text) and A (the title): a word in the
#: title counts ten times a word in the text, so a topic whose title holds
#: the words comes before one whose text merely holds them close together
#: (PostgreSQL's default, {0.1, 0.2, 0.4, 1.0}, let the text win).
RANK_WEIGHTS = sa.literal_column("'{0.1, 0.2, 0.1, 1.0}'::float4[]")
#: The condition of `in:first` (and similar topics).
FIRST = SearchDocument.post_number == 1


def kept(key: Hashable | None, build: Callable[[], Any]) -> Any:
    """Return what ``build`` makes for ``key``, built once per process (every
    time when ``key`` is None: a shape that cannot be named)."""
    if key is None:
        return build()
    with _kept_lock:
        built = _kept.get(key)
        if built is not None:
            _kept.move_to_end(key)
            return built
    built = build()
    with _kept_lock:
        _kept[key] = built
        while len(_kept) > KEPT_SHAPES:
            _kept.popitem(last=False)
    return built


def _title(vector):
    """The title's part (weight A) of a document's vector."""
    return sa.func.ts_filter(vector, sa.literal_column("'{a}'"))


class Shape:
    """A search's filters, conditions and rank with bound parameters: ``key``
    says what else they depend on (None when plugin conditions, which carry
    their own values, make it unnameable), ``values`` binds them. The
    expressions are built only when a statement of this key is."""

    def __init__(self, criteria: Criteria, tsquery: Tsquery | None) -> None:
        self.criteria = criteria
        self.text = tsquery
        c = criteria
        values: dict[str, Any] = {f"level_{i}": level for i, level in enumerate(c.levels)}
        if c.excluded_flags:
            values["excluded"] = sorted(c.excluded_flags)
        if c.user_ids:
            values["user_ids"] = list(c.user_ids)
        if c.category_ids is not None:
            values["category_ids"] = list(c.category_ids)
        if c.topic_id is not None:
            values["topic_id"] = c.topic_id
        if c.after:
            values["after"] = c.after
        if c.before:
            values["before"] = c.before
        if tsquery is not None:
            values["now"] = time.time()
            values.update(tsquery.values)
        self.values = values
        filters = (
            len(c.levels), bool(c.excluded_flags), bool(c.user_ids), c.category_ids is not None,
            c.topic_id is not None, c.in_first, c.closed, bool(c.after), bool(c.before),
        )  # fmt: skip
        text = None if tsquery is None else (tsquery.key, c.in_title)
        self.key = None if c.conditions else (filters, text)

    @cached_property
    def filters(self) -> list:
        """The conditions besides the words (and `in:title`'s on the words)."""
        c, document = self.criteria, SearchDocument
        levels = [sa.bindparam(f"level_{i}", type_=sa.String()) for i in range(len(c.levels))]
        filters = [document.level.in_(levels)]
        if c.excluded_flags:
            array = ARRAY(sa.String(30))
            excluded = sa.cast(sa.bindparam("excluded", type_=array), array)
            flags = sa.type_coerce(document.flags, array)  # for its ``&&``
            filters.append(~flags.overlap(excluded))
        if c.user_ids:
            filters.append(document.user_id.in_(sa.bindparam("user_ids", expanding=True)))
        if c.category_ids is not None:
            filters.append(document.category_id.in_(sa.bindparam("category_ids", expanding=True)))
        if c.topic_id is not None:
            filters.append(document.topic_id == sa.bindparam("topic_id"))
        if c.in_first:
            filters.append(FIRST)
        if c.closed is not None:
            filters.append(document.closed.is_(c.closed))
        if c.after:
            filters.append(document.created_at >= sa.bindparam("after"))
        if c.before:
            filters.append(document.created_at < sa.bindparam("before"))
        if c.conditions:
            # Plugin filter words are conditions on topics.
            from forum.boards.models import Topic

            topics = sa.select(Topic.id).where(*c.conditions)
            filters.append(document.topic_id.in_(topics))
        if self.text is not None and c.in_title:
            filters.append(_title(document.vector).op("@@")(self.tsquery))
        return filters

    @cached_property
    def title_filters(self) -> list:
        """The title part's filters: only first posts have a title vector, so
        without `post_number = 1` their titles are found through its GIN
        index, not by reading every first post of ten windows
        (ix_search_documents_first)."""
        return [f for f in self.filters if f is not FIRST]

    @cached_property
    def tsquery(self):
        return None if self.text is None else self.text.build()

    @cached_property
    def conditions(self) -> list:
        if self.text is None:
            return list(self.filters)
        return [*self.filters, SearchDocument.vector.op("@@")(self.tsquery)]

    @cached_property
    def rank(self):
        """ts_rank times the document's boost (solved topics, from plugins)
        and its recency (backend.recency_factor, here in SQL)."""
        if self.text is None:
            return sa.literal(0.0)
        document = SearchDocument
        text_rank = sa.func.ts_rank(RANK_WEIGHTS, document.vector, self.tsquery)
        age = sa.bindparam("now", type_=sa.Double()) - sa.func.extract("epoch", document.created_at)
        half_lives = age / (RECENT_HALF_LIFE_DAYS * 86400)
        recency = 1.0 + RECENT_WEIGHT * sa.func.power(0.5, sa.func.greatest(half_lives, 0.0))
        return text_rank * document.boost * recency
