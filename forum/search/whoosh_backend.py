"""The embedded backend: a Whoosh index in instance/ (one folder per forum).

Writers take Whoosh's lock file with a timeout; a writer that cannot get it
leaves its outbox rows for whoever holds the lock (the holder keeps draining
the outbox until it is empty), so gunicorn workers never show lock errors and
never lose an update. Each thread keeps a searcher and refreshes it only when
another writer has committed.
"""

import threading
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from whoosh import index, query, writing
from whoosh.fields import BOOLEAN, ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.idsets import BitSet
from whoosh.scoring import BM25F

from forum.boards.models import Topic
from forum.extensions import db
from forum.search.analysis import Splitter, analyzer
from forum.search.backend import Criteria, Hit, Hits, Progress
from forum.search.documents import Document

#: A word in the title counts this many times a word in the text.
TITLE_BOOST = 3.0
INDEX_NAME = "posts"


def _epoch(value: datetime) -> int:
    return int(value.astimezone(UTC).timestamp())


def schema(splitter: Splitter) -> Schema:
    text = analyzer(splitter)
    return Schema(
        post_id=ID(unique=True, stored=True),
        topic_id=NUMERIC(bits=64, signed=False, sortable=True, stored=True),
        category_id=NUMERIC(bits=64, signed=False),
        user_id=NUMERIC(bits=64, signed=False),
        level=ID,
        flags=KEYWORD,
        first=BOOLEAN,
        closed=BOOLEAN,
        created=NUMERIC(bits=64, sortable=True),
        likes=NUMERIC(bits=64, sortable=True),
        title=TEXT(analyzer=text),
        body=TEXT(analyzer=text),
    )


class WhooshBackend:
    name = "whoosh"

    def __init__(self, directory: str | Path, splitter: Splitter, lock_timeout: float) -> None:
        self.directory = Path(directory)
        self.splitter = splitter
        self.lock_timeout = lock_timeout
        self._local = threading.local()
        self._ix = None
        self._open_lock = threading.Lock()
        #: Every thread's searcher, so ``close`` can release their files.
        self._searchers: set = set()

    # --- The index itself ------------------------------------------------------------

    def _index(self):
        with self._open_lock:
            if self._ix is None:
                self.directory.mkdir(parents=True, exist_ok=True)
                if index.exists_in(str(self.directory), INDEX_NAME):
                    self._ix = index.open_dir(
                        str(self.directory), indexname=INDEX_NAME, schema=schema(self.splitter)
                    )
                else:
                    self._ix = self._create()
            return self._ix

    def _create(self):
        try:
            return index.create_in(str(self.directory), schema(self.splitter), INDEX_NAME)
        except index.LockError:  # pragma: no cover (another process creates it)
            return index.open_dir(
                str(self.directory), indexname=INDEX_NAME, schema=schema(self.splitter)
            )

    def _searcher(self):
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None and searcher.up_to_date():
            return searcher
        if searcher is not None and searcher.doc_count_all():
            fresh = searcher.refresh()  # reuses the segments that did not change
        else:
            # Whoosh cannot refresh a searcher of an empty index.
            if searcher is not None:
                searcher.close()
            fresh = self._index().searcher(weighting=BM25F())
        with self._open_lock:
            self._searchers.discard(searcher)
            self._searchers.add(fresh)
        self._local.searcher = fresh
        self._local.permission_sets = {}
        return fresh

    def close(self) -> None:
        """Close every thread's searcher (app shutdown, tests)."""
        with self._open_lock:
            for searcher in self._searchers:
                searcher.close()
            self._searchers.clear()
        self._local = threading.local()

    def document_count(self) -> int:
        return self._searcher().doc_count()

    # --- Writing -----------------------------------------------------------------------

    def _fields(self, document: Document) -> dict:
        return {
            "post_id": str(document.post_id),
            "topic_id": document.topic_id,
            "category_id": document.category_id,
            "user_id": document.user_id,
            "level": document.level,
            "flags": " ".join(document.flags),
            "first": document.post_number == 1,
            "closed": document.closed,
            "created": _epoch(document.created_at),
            "likes": document.like_count,
            "title": document.title,
            "body": document.text,
        }

    def apply(self, session, load):
        """Take the writer lock, then ``load()`` the outbox batch and write it.

        Loading under the lock keeps two processes from writing an older state
        over a newer one. Returns the outbox rows applied. Raises
        whoosh.index.LockError when another writer holds the lock longer than
        SEARCH_LOCK_TIMEOUT (the rows stay; that writer drains the outbox).
        """
        writer = self._index().writer(timeout=self.lock_timeout, delay=0.05)
        try:
            rows, work = load()
            for post_id in work.post_ids_gone:
                writer.delete_by_term("post_id", str(post_id))
            for topic_id in work.topic_ids_gone:
                writer.delete_by_term("topic_id", topic_id)
            for document in work.documents:
                writer.update_document(**self._fields(document))
        except BaseException:
            writer.cancel()
            raise
        if rows:
            writer.commit()
        else:
            writer.cancel()
        return rows

    def rebuild(self, session, load, progress: Progress | None = None) -> int:
        """Replace the whole index with the documents ``load()`` yields, under the lock."""
        writer = self._index().writer(timeout=max(self.lock_timeout, 30.0), delay=0.1,
                                      limitmb=256)  # fmt: skip
        count = 0
        try:
            for document in load():
                writer.add_document(**self._fields(document))
                count += 1
                if progress is not None:
                    progress(1)
        except BaseException:
            writer.cancel()
            raise
        # CLEAR drops every existing segment: readers switch on their next refresh.
        writer.commit(mergetype=writing.CLEAR)
        return count

    # --- Searching ---------------------------------------------------------------------

    def _permission_filter(self, searcher, criteria: Criteria):
        """Return the documents the searcher may see (cached per searcher generation)."""
        key = (criteria.levels, criteria.excluded_flags)
        cached = self._local.permission_sets.get(key)
        if cached is None:
            allowed: query.Query = query.Or([query.Term("level", lv) for lv in criteria.levels])
            if criteria.excluded_flags:
                hidden = [query.Term("flags", flag) for flag in sorted(criteria.excluded_flags)]
                allowed = query.AndNot(allowed, query.Or(hidden))
            cached = BitSet(searcher.docs_for_query(allowed), size=searcher.doc_count_all())
            self._local.permission_sets[key] = cached
        return cached

    def _text_query(self, criteria: Criteria) -> query.Query:
        fields = ("title",) if criteria.in_title else ("title", "body")
        parts = []
        for terms in criteria.words:
            for term in terms:
                parts.append(
                    query.Or(
                        [
                            query.Term(f, term, boost=TITLE_BOOST if f == "title" else 1.0)
                            for f in fields
                        ]
                    )
                )
        for terms in criteria.phrases:
            if len(terms) == 1:
                parts.append(query.Or([query.Term(f, terms[0]) for f in fields]))
            else:
                parts.append(query.Or([query.Phrase(f, terms) for f in fields]))
        return query.And(parts) if parts else query.Every()

    def _filters(self, criteria: Criteria, topic_ids: list[int] | None) -> list[query.Query]:
        filters: list[query.Query] = []
        if criteria.user_ids:
            filters.append(query.Or([query.Term("user_id", i) for i in criteria.user_ids]))
        if criteria.category_ids is not None:
            filters.append(query.Or([query.Term("category_id", i) for i in criteria.category_ids]))
        if criteria.topic_id is not None:
            filters.append(query.Term("topic_id", criteria.topic_id))
        if criteria.in_first:
            filters.append(query.Term("first", True))
        if criteria.closed is not None:
            filters.append(query.Term("closed", criteria.closed))
        if criteria.after or criteria.before:
            filters.append(
                query.NumericRange(
                    "created",
                    _epoch(criteria.after) if criteria.after else None,
                    _epoch(criteria.before) - 1 if criteria.before else None,
                )
            )
        if topic_ids is not None:
            filters.append(query.Or([query.Term("topic_id", i) for i in topic_ids]))
        return filters

    def search(self, criteria: Criteria, offset: int, limit: int) -> Hits:
        """Return matching topics, best first, with their best post."""
        topic_ids = None
        if criteria.conditions:
            # Plugin filter words are SQL conditions on topics: resolve them first.
            topic_ids = list(db.session.scalars(sa.select(Topic.id).where(*criteria.conditions)))
            if not topic_ids:
                return Hits(0, [])
        searcher = self._searcher()
        allowed = self._permission_filter(searcher, criteria)
        filters = self._filters(criteria, topic_ids)
        if filters:
            narrowed = BitSet(
                searcher.docs_for_query(query.And(filters)), size=searcher.doc_count_all()
            )
            allowed = allowed & narrowed
        if not allowed:
            # Whoosh takes an empty filter for "no filter": never hand it one.
            return Hits(0, [])
        sortedby, reverse = None, False
        if criteria.order in ("latest", "oldest") or not criteria.has_text:
            sortedby, reverse = "created", criteria.order != "oldest"
        elif criteria.order == "likes":
            sortedby, reverse = "likes", True
        results = searcher.search(
            self._text_query(criteria),
            filter=allowed,
            limit=None,
            sortedby=sortedby,
            reverse=reverse,
        )
        topic_column = searcher.reader().column_reader("topic_id")
        created_column = searcher.reader().column_reader("created")
        best: dict[int, tuple[float, int, int]] = {}
        for score, docnum in results.top_n:
            topic_id = topic_column[docnum]
            if topic_id not in best:
                best[topic_id] = (score, created_column[docnum], docnum)
        groups = list(best.items())
        if sortedby is None:
            # Best match first; among equal scores the newer post wins.
            groups.sort(key=lambda item: (-round(item[1][0], 6), -item[1][1]))
        window = groups[offset : offset + limit]
        return Hits(
            total=len(groups),
            hits=[
                Hit(
                    topic_id=topic_id,
                    post_id=int(searcher.stored_fields(docnum)["post_id"]),
                    score=score if sortedby is None else 0.0,
                )
                for topic_id, (score, _created, docnum) in window
            ],
        )
