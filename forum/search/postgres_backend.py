"""The scale-out backend: PostgreSQL full-text search ('german' configuration).

Each post's vector lives in ``search_documents`` (GIN-indexed), built from the
title (weight A) and the text (weight B) after Python added umlaut folding and
compound parts, next to copies of what queries filter on (topic, read level,
visibility flags, ...), kept in step by the outbox like the Whoosh index. A
query ranks the rows of that one table: joining every match to posts, topics
and categories first cost ~200 ms for a common word at 100,000 posts. Like
the Whoosh index, the copies follow a change (a category's new read level)
when the outbox is applied, normally after the response; until then a
search may count what it no longer shows, never show it: the results are
loaded through forum.permissions again. Several app servers share it;
processors serialise on an advisory lock.
"""

import re
import time

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, array

from forum.boards.models import Post, Topic
from forum.db import utcnow
from forum.search.analysis import Splitter, expanded_text
from forum.search.backend import (
    RECENT_HALF_LIFE_DAYS,
    RECENT_WEIGHT,
    Criteria,
    Hits,
    Progress,
)
from forum.search.documents import FLAGS
from forum.search.models import SearchDocument, SearchOutbox, SearchTerm
from forum.search.postgres_bounded import Bounded, _matches, _page
from forum.search.postgres_sql import (
    ALL_TERMS,
    STAGE,
    STAGE_COPY,
    STAGE_INSERT,
    STAGE_TABLE,
    STAGE_TERMS,
    build_tsquery,
)

#: Any constant: processors of the outbox take this transaction-level lock.
ADVISORY_LOCK = 0x5EA4C4
BATCH = 1000
#: Documents per COPY when the whole index is rebuilt.
REBUILD_BATCH = 5000
#: ts_rank's weights of D, C, B (the text) and A (the title): a word in the
#: title counts ten times a word in the text, so a topic whose title holds
#: the words comes before one whose text merely holds them close together
#: (PostgreSQL's default, {0.1, 0.2, 0.4, 1.0}, let the text win).
RANK_WEIGHTS = sa.literal_column("'{0.1, 0.2, 0.1, 1.0}'::float4[]")
#: A text query ranks the matches among the newest posts (and the first posts
#: within TITLE_DEPTH windows whose title holds the words), in a window sized
#: from the vocabulary for about twice RANKED_TOPICS matches (FIRST_WINDOW
#: posts when the words are not in it); when it holds no more the window
#: grows until it does, or it holds every post. Then the count says "more
#: than" (postgres_bounded.py, docs/search.md "Ranking").
RANKED_TOPICS = 200
FIRST_WINDOW = 15_000
TITLE_DEPTH = 10


def _ranked(text_rank):
    """Return ``text_rank`` times the document's boost (solved topics, from
    plugins) and its recency (backend.recency_factor, here in SQL)."""
    document = SearchDocument
    age = time.time() - sa.func.extract("epoch", document.created_at)
    half_lives = age / (RECENT_HALF_LIFE_DAYS * 86400)
    recency = 1.0 + RECENT_WEIGHT * sa.func.power(0.5, sa.func.greatest(half_lives, 0.0))
    return text_rank * document.boost * recency


class PostgresBackend:
    name = "postgres"

    def __init__(self, engine: sa.Engine, splitter: Splitter) -> None:
        if engine.dialect.name != "postgresql":
            raise RuntimeError(
                "SEARCH_BACKEND = 'postgres' needs a PostgreSQL database, but "
                f"SQLALCHEMY_DATABASE_URI is {engine.dialect.name}. Use SEARCH_BACKEND = "
                "'whoosh' with SQLite."
            )
        self.engine = engine
        self.splitter = splitter

    def close(self) -> None:
        pass

    def needs_rebuild(self) -> bool:
        """Whether rows hold other visibility flags than the posts have now (a new
        or changed ``permissions.POST_STATES``; a reindex fixes it).

        The vectors' layout is the migrations' business. Asked only while the
        outbox is empty: until it is applied, changed posts differ anyway.
        """
        computed = sa.func.array_remove(
            array([sa.case((condition, name)) for name, condition in FLAGS.items()]), sa.null()
        )
        stale = (
            sa.select(SearchDocument.post_id)
            .join(Post, Post.id == SearchDocument.post_id)
            .join(Topic, Topic.id == Post.topic_id)
            .where(SearchDocument.flags != sa.cast(computed, ARRAY(sa.String(30))))
        )
        with self.engine.connect() as connection:
            return bool(
                connection.scalar(
                    sa.select(sa.exists(stale) & ~sa.exists(sa.select(SearchOutbox.id)))
                )
            )

    # --- Writing -----------------------------------------------------------------------

    def _current_splitter(self, session) -> Splitter:
        """The splitter with the admin's words (read once per batch), else the app's."""
        from flask import current_app, has_app_context

        from forum.search.backend import splitter_of

        return splitter_of(current_app, session) if has_app_context() else self.splitter

    def _upsert(self, session, documents, batch_size: int = BATCH, terms: bool = True) -> int:
        """Write ``documents``: COPY their filter columns and expanded texts into
        a temporary table, then one INSERT ... SELECT per batch makes the
        vectors and replaces older rows (a statement per row cost a round trip
        and a parse each: 343 posts/s at a million posts). With ``terms``, the
        documents' lexemes are added to the vocabulary."""
        count = 0
        splitter = self._current_splitter(session)
        titles: dict[str, str] = {}
        rows: list[tuple] = []
        connection = session.connection()
        connection.exec_driver_sql(STAGE_TABLE)
        raw = connection.connection.dbapi_connection

        def flush() -> None:
            if not rows:
                return
            with raw.cursor() as cursor, cursor.copy(STAGE_COPY) as copy:
                for row in rows:
                    copy.write_row(row)
            connection.execute(STAGE_INSERT, {"now": utcnow()})
            if terms:
                connection.execute(STAGE_TERMS)
            connection.exec_driver_sql(f"TRUNCATE {STAGE}")
            rows.clear()

        for d in documents:
            # The posts of a topic share its title: expand it once.
            title = titles.get(d.title)
            if title is None:
                if len(titles) > 10_000:
                    titles.clear()
                title = titles[d.title] = expanded_text(d.title, splitter)
            rows.append((
                d.post_id, d.topic_id, d.category_id, d.user_id, d.post_number, d.level,
                d.flags, d.closed, d.created_at, d.like_count, d.boost,
                title, expanded_text(d.text, splitter),
            ))  # fmt: skip
            count += 1
            if len(rows) >= batch_size:
                flush()
        flush()
        return count

    def apply(self, session, load, remove):
        """Serialise with other processors, then ``load()`` the outbox batch and write it.

        ``remove`` deletes the outbox rows and commits, together with the
        documents; the commit ends the transaction-level lock.
        """
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(ADVISORY_LOCK)))
        rows, work = load()
        # Rows of deleted posts go with them (ON DELETE CASCADE).
        self._upsert(session, work.documents)
        if rows:
            remove(rows)
        return rows

    def rebuild(self, session, load, progress: Progress | None = None) -> int:
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(ADVISORY_LOCK)))
        session.execute(sa.delete(SearchDocument))

        def counted():
            for document in load():
                if progress is not None:
                    progress(1)
                yield document

        count = self._upsert(session, counted(), REBUILD_BATCH, terms=False)
        session.execute(sa.delete(SearchTerm))
        session.execute(ALL_TERMS)
        return count

    def after_rebuild(self) -> None:
        """Clear the replaced rows and renew the planner's statistics.

        The GIN index still points at every replaced row until a vacuum, so
        after a reindex each query visited three times the rows (one word:
        p95 36 -> 108 ms at 100,000 posts) until autovacuum came by. About a
        second at 100,000 posts; VACUUM cannot run in a transaction.
        """
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in (SearchDocument, SearchTerm):
                connection.execute(sa.text(f"VACUUM ANALYZE {table.__tablename__}"))

    def document_count(self) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(sa.select(sa.func.count()).select_from(SearchDocument)) or 0

    # --- Searching ---------------------------------------------------------------------

    def holds(self, terms: list[str]) -> bool:
        """Whether any document holds one of ``terms`` (lexemes, as analysed)."""
        from forum.extensions import db

        queries = [sa.func.plainto_tsquery("simple", term) for term in terms]
        query = queries[0]
        for other in queries[1:]:
            query = query.op("||")(other)
        # Through the GIN index: the planner preferred reading the table in
        # order for the word nobody wrote (1.1 to 1.4 s at a million posts).
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        held = db.session.scalar(
            sa.select(sa.exists().where(SearchDocument.vector.op("@@")(query)))
        )
        db.session.execute(sa.text("SET LOCAL enable_seqscan TO DEFAULT"))
        return bool(held)

    def suggest(self, term: str) -> list[str]:
        """Return lexemes close to ``term`` (spelling.closest), from the
        vocabulary's words that start with its first three letters (SearchTerm)."""
        from forum.extensions import db
        from forum.search.spelling import closest

        start = term[:3]
        if len(start) < 3 or not re.fullmatch(r"[^\W_]+", start):
            return []
        rows = db.session.execute(
            sa.select(SearchTerm.word, SearchTerm.documents)
            .where(SearchTerm.word.like(f"{start}%"))
            .limit(5000)
        ).all()
        return closest(term, dict(rows))

    def _conditions(self, criteria: Criteria) -> list:
        document = SearchDocument
        conditions = [document.level.in_(criteria.levels)]
        if criteria.excluded_flags:
            excluded = sa.cast(sorted(criteria.excluded_flags), ARRAY(sa.String(30)))
            conditions.append(~document.flags.overlap(excluded))
        if criteria.user_ids:
            conditions.append(document.user_id.in_(criteria.user_ids))
        if criteria.category_ids is not None:
            conditions.append(document.category_id.in_(criteria.category_ids))
        if criteria.topic_id is not None:
            conditions.append(document.topic_id == criteria.topic_id)
        if criteria.in_first:
            conditions.append(document.post_number == 1)
        if criteria.closed is not None:
            conditions.append(document.closed.is_(criteria.closed))
        if criteria.after:
            conditions.append(document.created_at >= criteria.after)
        if criteria.before:
            conditions.append(document.created_at < criteria.before)
        if criteria.conditions:
            # Plugin filter words are conditions on topics.
            topics = sa.select(Topic.id).where(*criteria.conditions)
            conditions.append(document.topic_id.in_(topics))
        return conditions

    def search(self, criteria: Criteria, offset: int, limit: int) -> Hits:
        from forum.extensions import db

        document = SearchDocument
        filters = self._conditions(criteria)
        conditions = list(filters)
        tsquery = estimate = None
        if criteria.has_text:
            tsquery, estimate = build_tsquery(criteria)
            if criteria.in_title:
                filters.append(_title(document.vector).op("@@")(tsquery))
            conditions = [*filters, document.vector.op("@@")(tsquery)]
            rank = _ranked(sa.func.ts_rank(RANK_WEIGHTS, document.vector, tsquery))
        else:
            rank = sa.literal(0.0)
        order = criteria.order if criteria.has_text or criteria.order != "relevance" else "latest"
        # Only for this query: the rest of the request plans as configured.
        # (A failed query aborts the transaction; its rollback resets them.)
        # The planner prices `@@` like a comparison and prefers testing every
        # row's vector to the GIN index, even for a word in 10 % of the posts
        # (35 ms against 13 at 100,000 posts; the index wins up to ~50 %).
        # JIT compiled each search at a million posts (~100 ms) for a plan
        # that runs in a few. Both in one round trip, and so is the reset.
        settings = ("enable_seqscan", "jit") if criteria.has_text else ("jit",)
        db.session.execute(sa.text("; ".join(f"SET LOCAL {name} = off" for name in settings)))
        if criteria.has_text and order != "likes":
            bounds = (RANKED_TOPICS, FIRST_WINDOW, TITLE_DEPTH)
            bounded = Bounded(filters, conditions, rank, tsquery, order, bounds)
            hits = bounded.page(estimate, criteria, offset, limit)
        else:
            hits = _page([_matches(conditions, rank)], order, offset, limit)
        db.session.execute(sa.text("; ".join(f"SET LOCAL {name} TO DEFAULT" for name in settings)))
        return hits


def _title(vector):
    """The title's part (weight A) of a document's vector."""
    return sa.func.ts_filter(vector, sa.literal_column("'{a}'"))
