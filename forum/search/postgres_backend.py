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

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, array

from forum.boards.models import Post, Topic
from forum.db import utcnow
from forum.search.analysis import Splitter, expanded_text
from forum.search.backend import (
    Criteria,
    Hits,
    PostLoad,
    Progress,
)
from forum.search.documents import FLAGS
from forum.search.models import SearchDocument, SearchOutbox, SearchTerm
from forum.search.postgres_bounded import Bounded, _matches, _page
from forum.search.postgres_shapes import Shape
from forum.search.postgres_sql import (
    ALL_TERMS,
    STAGE,
    STAGE_COPY,
    STAGE_INSERT,
    STAGE_TABLE,
    STAGE_TERMS,
    TEXT_SETTINGS,
    TUNED,
    build_tsquery,
    tuned,
)

#: Any constant: processors of the outbox take this transaction-level lock.
ADVISORY_LOCK = 0x5EA4C4
BATCH = 1000
#: Documents per COPY when the whole index is rebuilt.
REBUILD_BATCH = 5000
#: A text query ranks the matches among the newest posts (and the first posts
#: within TITLE_DEPTH windows whose title holds the words), in a window sized
#: from the vocabulary for about twice RANKED_TOPICS matches (FIRST_WINDOW
#: posts when the words are not in it); when it holds no more the window
#: grows until it does, or it holds every post. Then the count says "more
#: than" (postgres_bounded.py, docs/search.md "Ranking").
RANKED_TOPICS = 200
FIRST_WINDOW = 15_000
TITLE_DEPTH = 10


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
        return _near(terms, [])[0]

    def suggest(self, term: str) -> list[str]:
        """Return lexemes close to ``term`` (spelling.closest), from the
        vocabulary's words that start with its first three letters (SearchTerm)."""
        from forum.search.spelling import closest

        start = _start(term)
        return closest(term, _near([], [start])[1].get(start, {})) if start else []

    def corrector(self, terms: list[str], near: list[str], levels, excluded_flags):
        """None when a document the reader may find holds one of ``terms``, else
        ``suggest`` for the terms ``near``: one statement asks both (the
        vocabulary's words sharing the first three letters of each, only when
        no such document holds them)."""
        from forum.search.spelling import closest

        starts = sorted({start for term in near if (start := _start(term))})
        held, words = _near(terms, starts, levels, excluded_flags)
        if held:
            return None
        return lambda term: closest(term, words.get(_start(term) or "", {}))

    def search(
        self, criteria: Criteria, offset: int, limit: int, load: PostLoad | None = None
    ) -> Hits:
        """Return the window of matching topics, with their posts when ``load``
        says which may be shown (joined to the last statement's hits)."""
        tsquery = estimate = None
        if criteria.has_text:
            tsquery, estimate = build_tsquery(criteria)
        # Values apart: the statements are kept per shape (postgres_shapes).
        shape = Shape(criteria, tsquery)
        order = criteria.order if criteria.has_text or criteria.order != "relevance" else "latest"
        # The planner prices `@@` like a comparison and prefers testing every
        # row's vector to the GIN index, even for a word in 10 % of the posts
        # (35 ms against 13 at 100,000 posts; the index wins up to ~50 %).
        # JIT compiled each search at a million posts (~100 ms) for a plan
        # that runs in a few. Set once per transaction (tune).
        tune(text=criteria.has_text)
        if criteria.has_text and order != "likes":
            bounds = (RANKED_TOPICS, FIRST_WINDOW, TITLE_DEPTH)
            return Bounded(shape, order, bounds).page(estimate, criteria, offset, limit, load)

        def every_match() -> list:
            return [_matches(shape.conditions, shape.rank)]

        key = shape.key and (shape.key, "all")
        return _page(key, every_match, shape.values, order, offset, limit, load)


def tune(text: bool) -> None:
    """Turn JIT off for the rest of the transaction, and sequential scans for
    a text search (one statement, the first time in a transaction).

    Left so until the transaction ends: a page that corrects a typo searched
    four times, and setting and resetting around each took 8 of its 22
    statements. What follows a search on its page (the results' rows, a
    miss's row, a category by its slug) are lookups by index either way; a
    search without words after one with words plans with sequential scans
    again.
    """
    from forum.extensions import db

    session = db.session()
    settings = tuned(session)
    wanted = set(TEXT_SETTINGS) if text else {"jit"}
    sent = [f"SET LOCAL {name} = off" for name in sorted(wanted - settings)]
    if not text and "enable_seqscan" in settings:
        sent.append("SET LOCAL enable_seqscan TO DEFAULT")
    if sent:
        session.execute(sa.text("; ".join(sent)))
    session.info[TUNED] = (session.get_transaction(), wanted if sent else settings)


def _start(term: str) -> str | None:
    """The first three letters of ``term`` when they can start vocabulary words."""
    start = term[:3]
    return start if len(start) == 3 and re.fullmatch(r"[^\W_]+", start) else None


def _near(
    terms: list[str], starts: list[str], levels, excluded_flags
) -> tuple[bool, dict[str, dict[str, int]]]:
    """Return whether a document of ``levels`` without ``excluded_flags`` holds
    one of ``terms`` (False without any)
    and, unless one does, per start of ``starts`` the vocabulary's words
    beginning with it and their documents. One statement; through the GIN
    index (tune): the planner preferred reading the table in order for the
    word nobody wrote (1.1 to 1.4 s at a million posts)."""
    from flask import g

    from forum.extensions import db

    if terms:
        tune(text=True)
    rows = db.session.execute(
        sa.text(
            "SELECT h.held, n.start, n.word, n.documents FROM (SELECT EXISTS (SELECT FROM "
            "unnest(CAST(:terms AS text[])) AS t (term) JOIN search_documents "
            "ON vector @@ plainto_tsquery('simple', t.term) "
            "AND level = ANY(CAST(:levels AS text[])) "
            "AND NOT flags && CAST(:excluded AS varchar(30)[])) AS held) AS h "
            "LEFT JOIN LATERAL (SELECT s.start, w.word, w.documents "
            "FROM unnest(CAST(:starts AS text[])) AS s (start) CROSS JOIN LATERAL "
            "(SELECT word, documents FROM search_terms WHERE word ~>=~ s.start "
            "AND word ~<~ (s.start || chr(1114111)) LIMIT 5000) AS w WHERE NOT h.held) AS n "
            "ON true"
        ),
        {
            "terms": terms,
            "starts": starts,
            "levels": list(levels),
            "excluded": sorted(excluded_flags),
        },
    ).all()
    vocabulary: dict[str, dict[str, int]] = {}
    for row in rows:
        if row.word is not None:
            vocabulary.setdefault(row.start, {})[row.word] = row.documents
    # The check of a candidate estimates its window from these (postgres_sql._lexemes).
    g.search_vocabulary = {word: n for words in vocabulary.values() for word, n in words.items()}
    return bool(rows and rows[0].held), vocabulary
