"""The embedded backend: a Whoosh index in instance/ (one folder per forum).

Writers take Whoosh's lock files with a timeout; a writer that cannot get them
leaves its outbox rows for whoever holds the lock (the holder keeps draining
the outbox until it is empty), so gunicorn workers never show lock errors and
never lose an update. Each thread keeps a searcher (whoosh_reader: a reader,
not Whoosh's Searcher) and opens a new one only when a writer has committed.
Queries are evaluated by whoosh_engine on what whoosh_segments reads from the
index files.
"""

import logging
import secrets
import threading
import time
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

import sqlalchemy as sa
from whoosh import index, writing
from whoosh.codec.base import Automata
from whoosh.codec.whoosh3 import W3Codec, W3Segment
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.fields import BOOLEAN, COLUMN, ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.util import IDCHARS
from whoosh.util.filelock import try_for

from forum.boards.models import Topic
from forum.extensions import db
from forum.search.analysis import Splitter, analyzer, index_terms
from forum.search.backend import Criteria, Hit, Hits, PostLoad, Progress, load_posts
from forum.search.documents import FIRST_FLAGS_SIGNATURE, Document, flags_signature
from forum.search.whoosh_engine import Clause, Evaluator, Request
from forum.search.whoosh_reader import IndexReading
from forum.search.whoosh_segments import TableCache

log = logging.getLogger(__name__)

#: A word in the title counts this many times a word in the text.
TITLE_BOOST = 3.0
INDEX_NAME = "posts"
#: The layout of the index files; a change of ``schema()`` raises it, and an
#: index of another layout, or of other visibility flags (``flags_signature``),
#: asks for a reindex (see ``needs_rebuild``).
#: 2: title and text without positions, word sequences for phrases.
#: 3: gender-inclusive forms indexed as their masculine and feminine forms,
#: lemmas beside the words (forum/search/lemmas.py).
#: 4: the plugins' ranking factor per document (``boost``).
LAYOUT = "4"
LAYOUT_FILE = "layout.txt"
#: Postings are written in blocks of up to 1,024 (Whoosh: 128). A query reads
#: every block of its words, and per block Whoosh's reader makes a dozen
#: Python calls and zlib one: with 128 postings a block, that was more than
#: half the time of reading a common word's 35,000 postings. Segments written
#: before keep their blocks (read the same, slower) until a reindex.
POSTING_BLOCKS = {"blocklimit": 1024}


def _epoch(value: datetime) -> int:
    return int(value.astimezone(UTC).timestamp())


def schema(splitter: Splitter) -> Schema:
    """Return the index's fields.

    Numbers looked up by value index one term each (``shift_step=0``: no range
    queries on them); ``created`` and ``likes`` are only sorted and compared,
    so they are columns without terms.

    Title and text keep term frequencies but no positions: Whoosh stores a
    posting's positions as a pickled list inside the posting block, and
    unpickling them was most of a word query's time. Phrases are checked on
    the word sequences in ``title_words`` and ``body_words`` (one value per
    document, cheap to write) for the documents holding every word.

    Changing this needs a reindex (``FORMAT``).
    """
    text = analyzer(splitter)
    return Schema(
        post_id=ID(unique=True, stored=True),
        topic_id=NUMERIC(bits=64, signed=False, sortable=True, shift_step=0),
        category_id=NUMERIC(bits=64, signed=False, shift_step=0),
        user_id=NUMERIC(bits=64, signed=False, shift_step=0),
        level=ID,
        flags=KEYWORD,
        first=BOOLEAN,
        closed=BOOLEAN,
        created=COLUMN(NumericColumn("q")),
        likes=COLUMN(NumericColumn("q")),
        # The plugins' ranking factor in thousandths above 1 (0: none; a
        # segment without the column reads 0 too).
        boost=COLUMN(NumericColumn("i")),
        title=TEXT(analyzer=text, phrase=False),
        body=TEXT(analyzer=text, phrase=False),
        title_words=COLUMN(VarBytesColumn()),
        body_words=COLUMN(VarBytesColumn()),
    )


class _UnusedSegmentNames(W3Codec):
    """Whoosh's codec, naming each new segment from ``secrets`` and never after
    files already in the index.

    Whoosh draws segment names from the global ``random``, which Hypothesis
    and any ``random.seed()`` replay: a writer then opened a live segment's
    files for writing, truncated them and left the index unreadable.
    """

    def new_segment(self, storage, indexname):
        taken = set(storage.list())
        while True:
            segid = "".join(secrets.choice(IDCHARS) for _ in range(16))
            if not any(name.startswith(f"{indexname}_{segid}") for name in taken):
                # The TOC pickles the segment with its codec: a plain W3Codec
                # keeps the index files free of references to this module.
                return W3Segment(W3Codec(**POSTING_BLOCKS), indexname, segid=segid)


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
        self._tables = TableCache()

    # --- The index itself ------------------------------------------------------------

    def _index(self):
        with self._open_lock:
            if self._ix is None:
                self.directory.mkdir(parents=True, exist_ok=True)
                if index.exists_in(str(self.directory), INDEX_NAME):
                    self._ix = index.open_dir(
                        str(self.directory), indexname=INDEX_NAME, schema=schema(self.splitter)
                    )
                    if self._layout_outdated():
                        log.warning(
                            "The search index in %s was built by an older version of the "
                            "forum; run `flask --app forum search reindex`.",
                            self.directory,
                        )
                else:
                    self._ix = self._create()
            return self._ix

    def needs_rebuild(self) -> bool:
        """Whether the index files were written in an older layout or with other
        visibility flags (a reindex fixes it).

        Whoosh records the schema of the last writer, not of every segment,
        so the layout is kept in a file of its own, written with a new or
        rebuilt index.
        """
        self._index()
        return self._layout_outdated()

    def _layout_outdated(self) -> bool:
        path = self.directory / LAYOUT_FILE
        if not path.exists():
            return True
        layout, _, flags = path.read_text().partition("\nflags ")
        # Files of the first layout-2 indexes name no flags: they have the first ones.
        written = flags.strip() or FIRST_FLAGS_SIGNATURE
        return layout.strip() != LAYOUT or written != flags_signature()

    def _write_layout(self) -> None:
        (self.directory / LAYOUT_FILE).write_text(f"{LAYOUT}\nflags {flags_signature()}\n")

    def _create(self):
        try:
            created = index.create_in(str(self.directory), schema(self.splitter), INDEX_NAME)
            self._write_layout()
            return created
        except index.LockError:  # pragma: no cover (another process creates it)
            return index.open_dir(
                str(self.directory), indexname=INDEX_NAME, schema=schema(self.splitter)
            )

    def _searcher(self):
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None and searcher.up_to_date():
            return searcher
        # A new reader rather than Whoosh's refresh, which reuses the reader
        # of a segment whose deletions changed, with the old deletions (an
        # edited post would then be found twice). Opening is cheap; what the
        # queries need per segment is kept in self._tables across readers.
        if searcher is not None:
            searcher.close()
        fresh = IndexReading(self._index())
        with self._open_lock:
            self._searchers.discard(searcher)
            self._searchers.add(fresh)
        self._tables.keep_only(fresh)
        self._local.searcher = fresh
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

    def _current_splitter(self, session) -> Splitter:
        """The splitter with the admin's words (read once per batch), else the app's."""
        from flask import current_app, has_app_context

        from forum.search.backend import splitter_of

        return splitter_of(current_app, session) if has_app_context() else self.splitter

    def _fields(self, document: Document, splitter: Splitter) -> dict:
        # Analysed here, once per field: the terms go to the postings (Whoosh
        # takes a list as already analysed), the sequence to the phrase column.
        title, title_words = index_terms(document.title, splitter)
        body, body_words = index_terms(document.text, splitter)
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
            "boost": round((document.boost - 1.0) * 1000),
            "title": title,
            "body": body,
            "title_words": title_words.encode(),
            "body_words": body_words.encode(),
        }

    def apply(self, session, load, remove):
        """Take the outbox lock and the writer lock, ``load()`` the outbox batch,
        write it, commit and ``remove`` the rows before letting the next one in.

        Loading under the lock keeps two processes from writing an older state
        over a newer one; removing the rows under it keeps the next process
        from applying them again. Returns the outbox rows applied. Raises
        whoosh.index.LockError when another process holds a lock longer than
        SEARCH_LOCK_TIMEOUT (the rows stay; that process drains the outbox).
        """
        ix = self._index()
        # The writer lock ends with the writer's commit, before the rows are
        # removed; this one is held until they are.
        outbox_lock = ix.lock("OUTBOX")
        if not try_for(outbox_lock.acquire, timeout=self.lock_timeout, delay=0.05):
            raise index.LockError("another process is applying the search outbox")
        try:
            writer = ix.writer(
                timeout=self.lock_timeout,
                delay=0.05,
                compound=False,
                codec=_UnusedSegmentNames(**POSTING_BLOCKS),
            )
            try:
                rows, work = load()
                splitter = self._current_splitter(session)
                for post_id in work.post_ids_gone:
                    writer.delete_by_term("post_id", str(post_id))
                for topic_id in work.topic_ids_gone:
                    writer.delete_by_term("topic_id", topic_id)
                for document in work.documents:
                    writer.update_document(**self._fields(document, splitter))
            except BaseException:
                writer.cancel()
                raise
            if not rows:
                writer.cancel()
                return rows
            writer.commit()
            remove(rows)
            return rows
        finally:
            outbox_lock.release()

    def rebuild(self, session, load, progress: Progress | None = None) -> int:
        """Replace the whole index with the documents ``load()`` yields, under the lock."""
        writer = self._index().writer(
            timeout=max(self.lock_timeout, 30.0),
            delay=0.1,
            limitmb=256,
            compound=False,
            codec=_UnusedSegmentNames(**POSTING_BLOCKS),
        )
        count = 0
        splitter = self._current_splitter(session)
        try:
            for document in load():
                writer.add_document(**self._fields(document, splitter))
                count += 1
                if progress is not None:
                    progress(1)
        except BaseException:
            writer.cancel()
            raise
        # CLEAR drops every existing segment: readers switch on their next refresh.
        writer.commit(mergetype=writing.CLEAR)
        self._write_layout()
        return count

    def after_rebuild(self) -> None:
        pass  # a rebuild writes one fresh segment

    # --- Searching ---------------------------------------------------------------------

    def _request(self, criteria: Criteria, topic_ids: list[int] | None) -> Request:
        words = {"title": TITLE_BOOST} if criteria.in_title else {"title": TITLE_BOOST, "body": 1.0}
        phrases = {"title": 1.0} if criteria.in_title else {"title": 1.0, "body": 1.0}
        heads = criteria.heads or [""] * len(criteria.words)
        clauses = [
            Clause(alternatives, words, head=head or None)
            for alternatives, head in zip(criteria.words, heads, strict=True)
        ]
        if criteria.any_word:
            terms = [term for alternatives in criteria.words for term in alternatives]
            clauses = [Clause(list(dict.fromkeys(terms)), words, "some")]
        clauses += [Clause([prefix], words, "prefix") for prefix in criteria.prefixes]
        clauses += [Clause(terms, phrases, "phrase") for terms in criteria.phrases]
        any_of: list[list[tuple[str, object]]] = []
        if criteria.user_ids:
            any_of.append([("user_id", i) for i in criteria.user_ids])
        if criteria.category_ids is not None:
            any_of.append([("category_id", i) for i in criteria.category_ids])
        if criteria.topic_id is not None:
            any_of.append([("topic_id", criteria.topic_id)])
        if criteria.in_first:
            any_of.append([("first", True)])
        none_of: list[tuple[str, object]] = []
        if criteria.closed:
            any_of.append([("closed", True)])
        elif criteria.closed is False:
            none_of.append(("closed", True))  # open topics: most of them
        order = criteria.order
        if order in ("latest", "oldest") or not criteria.has_text:
            order = "oldest" if order == "oldest" else "latest"
        return Request(
            clauses=clauses,
            levels=criteria.levels,
            excluded_flags=criteria.excluded_flags,
            any_of=any_of,
            none_of=none_of,
            created_from=_epoch(criteria.after) if criteria.after else None,
            created_before=_epoch(criteria.before) if criteria.before else None,
            topic_ids=frozenset(topic_ids) if topic_ids is not None else None,
            order=order,
            now=int(time.time()),
        )

    def search(
        self, criteria: Criteria, offset: int, limit: int, load: PostLoad | None = None
    ) -> Hits:
        """Return matching topics, best first, with their best post (and its
        row when ``load`` says which may be shown: one statement)."""
        hits = self._search(criteria, offset, limit)
        return hits if load is None else load_posts(hits, load)

    def _search(self, criteria: Criteria, offset: int, limit: int) -> Hits:
        topic_ids = None
        if criteria.conditions:
            # Plugin filter words are SQL conditions on topics: resolve them first.
            topic_ids = list(db.session.scalars(sa.select(Topic.id).where(*criteria.conditions)))
            if not topic_ids:
                return Hits(0, [])
        request = self._request(criteria, topic_ids)
        try:
            return self._hits(self._searcher(), request, offset, limit)
        except Exception:
            # Whoosh opens some files of a segment only when they are first read
            # (stored fields, columns). A writer in another worker may merge
            # that segment away and delete its files after this searcher was
            # opened: once the index has moved on, a fresh searcher reads the
            # segments that exist now. Any other failure is a real one.
            stale = getattr(self._local, "searcher", None)
            if stale is None or stale.up_to_date():
                raise
            log.info("The search index changed during a search; searching again")
            return self._hits(self._searcher(), request, offset, limit)

    def holds(self, terms: list[str], levels, excluded_flags) -> bool:
        """Whether a document the reader may find holds one of ``terms`` (in
        title or text)."""
        searcher = self._searcher()
        return Evaluator(searcher, self._tables).any_readable(
            ("title", "body"), terms, levels, excluded_flags
        )

    def suggest(self, term: str) -> list[str]:
        """Return indexed terms close to ``term`` (spelling.closest), sharing its
        first two letters (most typos do; it keeps the scan short)."""
        from forum.search.spelling import closest, max_distance

        reader = self._searcher().reader()
        # One automaton for both fields: Whoosh's terms_within builds one per
        # call, in Python, and building it was most of a correction's time.
        # A one-letter term shares its one letter (an automaton's prefix longer than
        # its term fails with an IndexError).
        dfa = Automata.levenshtein_dfa(term, max_distance(term), prefix=min(2, len(term)))
        frequencies: dict[str, int] = {}
        # Per segment: Whoosh's cursor over several segments is unfinished.
        for segment, _base in reader.leaf_readers():
            for fieldname in ("title", "body"):
                cursor = segment.cursor(fieldname)
                for word in islice(Automata.find_matches(dfa, cursor), 1000):
                    frequency = segment.doc_frequency(fieldname, word)
                    frequencies[word] = frequencies.get(word, 0) + frequency
        return closest(term, frequencies)

    def corrector(self, terms: list[str], near: list[str], levels, excluded_flags):
        """None when a document the reader may find holds one of ``terms``,
        else ``suggest``."""
        return None if self.holds(terms, levels, excluded_flags) else self.suggest

    def _hits(self, searcher, request, offset: int, limit: int) -> Hits:
        found = Evaluator(searcher, self._tables).run(request, offset, limit)
        return Hits(
            total=found.total,
            hits=[
                Hit(
                    topic_id=topic_id,
                    post_id=int(searcher.stored_fields(docnum)["post_id"]),
                    score=score,
                )
                for score, docnum, topic_id in found.window
            ],
        )
