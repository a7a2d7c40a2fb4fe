"""What the Whoosh index files hold, read a posting block or a column at a time.

The query evaluator (``whoosh_engine``) needs a term's postings, a
document's word sequence and per-document numbers (topic, creation time,
likes, field lengths). Whoosh's reader API hands them out one value per
Python call; here they are read in bulk with C-level steps from Whoosh's
block postings (``W3LeafMatcher``) and column files. Another codec falls back
to Whoosh's generic API (slower, same results).

Per segment, ``SegmentTables`` caches what the queries need per document and
the permission sets per (readable levels, hidden flags). A segment's
documents never change (only its deletions grow), so a commit only costs the
tables of the new segment.
"""

import io
import os
import sys
import threading
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate, chain, compress, repeat

from whoosh import columns
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.reading import TermNotFound
from whoosh.util.numeric import length_to_byte

# --- Reading postings -------------------------------------------------------------------


def _leaf(matcher):
    """Return the block matcher under Whoosh's wrappers (deletions, boosts), or None."""
    while not isinstance(matcher, W3LeafMatcher):
        matcher = getattr(matcher, "child", None)
        if matcher is None:
            return None
    return matcher


def posting_blocks(reader, fieldname: str, text) -> Iterator[tuple[Sequence[int], Iterable[float]]]:
    """Yield the postings of a term in one segment reader as (ids, weights) a
    block (up to 1,024 postings, whoosh_backend.POSTING_BLOCKS) at a time,
    deleted documents included.

    By blocks, so that a common word's 50,000 postings are never all held as
    Python objects at once: a query's peak memory stays low.
    """
    try:
        matcher = reader.postings(fieldname, reader.schema[fieldname].to_bytes(text))
    except (TermNotFound, ValueError):
        return
    leaf = _leaf(matcher)
    if leaf is None:  # pragma: no cover (another codec: Whoosh's generic, slower API)
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        yield ids, weights
        return
    # A block's data is one pickled tuple (ids as deltas, weights, values): read
    # it as W3LeafMatcher._read_ids/_read_weights do, with C-level steps.
    leaf.reset()
    while not leaf._atend and leaf._blocklength:
        if leaf._data is None:
            leaf._read_data()
        block_ids, block_weights = leaf._data[0], leaf._data[1]
        if not leaf._byteids:
            block_ids = tuple(accumulate(block_ids))
        if block_weights is None:
            block_weights = repeat(1.0, leaf._blocklength)
        elif isinstance(block_weights, float):
            block_weights = repeat(block_weights, leaf._blocklength)
        yield block_ids, block_weights
        leaf._next_block()


def term_ids(reader, fieldname: str, text) -> Iterator[int]:
    """Yield the documents of a segment holding a term, deleted ones included (a
    block at a time: a list of a common word's 50,000 took 2 MB at a query's peak)."""
    return chain.from_iterable(ids for ids, _weights in posting_blocks(reader, fieldname, text))


def column_values(reader, fieldname: str) -> Callable[[int], bytes]:
    """Return document -> value of a bytes column, read with one ``pread`` each.

    Whoosh's reader seeks and reads through a buffered file, which fills its
    8 KB buffer for every value of ~300 bytes.
    """
    column = reader.column_reader(fieldname, translate=False)
    if not isinstance(column, columns.VarBytesColumn.Reader):
        return column.__getitem__  # pragma: no cover (an empty segment)
    pread = getattr(os, "pread", None)  # not on Windows
    try:
        descriptor = column._dbfile.file.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        descriptor = None  # an index held in memory
    if pread is None or descriptor is None:
        return column.__getitem__
    base, offsets, lengths = column._basepos, column._offsets, column._lengths
    return lambda doc: pread(descriptor, lengths[doc], base + offsets[doc])


# --- Document bitmaps ---------------------------------------------------------------------


def mark(bitmap: bytearray, docs: Iterable[int], value: int) -> None:
    """Set the byte of each of ``docs`` in ``bitmap`` to ``value`` (C-level steps)."""
    deque(map(bitmap.__setitem__, docs, repeat(value)), maxlen=0)


def marked(docs: Iterable[int], bitmap: bytearray) -> set[int]:
    """Return the documents of ``docs`` (iterated twice) whose byte in ``bitmap`` is set."""
    return set(compress(docs, map(bitmap.__getitem__, docs)))


def unmarked(bitmap: bytearray, docs: Iterable[int]) -> bytearray:
    """Return a copy of ``bitmap`` with the bytes of ``docs`` cleared."""
    copy = bytearray(bitmap)
    mark(copy, docs, 0)
    return copy


# --- Per-segment tables -------------------------------------------------------------------


def _numeric_column(reader, fieldname: str) -> array | list:
    """Return a numeric column's values for every document of a segment (NUMERIC
    fields: their sortable form, which keeps the order)."""
    count = reader.doc_count_all()
    column = reader.column_reader(fieldname, translate=False)
    if isinstance(column, columns.NumericColumn.Reader):
        raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
        values = array(column._typecode, raw)
        if sys.byteorder == "little":
            values.byteswap()  # Whoosh writes them big-endian ("!")
        if len(values) < count:
            values.extend(repeat(column._default, count - len(values)))
        return _narrowest(values)
    return list(column)  # pragma: no cover (an empty segment or another column type)


def _narrowest(values: array) -> array:
    """Return ``values`` in 4 bytes each when they fit (times in seconds until
    2038, like counts): Whoosh stores ``created`` and ``likes`` in 8, and every
    worker keeps these per document (0.8 MB less at 100,000 posts)."""
    if values.itemsize <= 4:
        return values
    try:
        return array("i", values)
    except OverflowError:
        return values


def _length_bytes(reader, fieldname: str) -> bytes:
    """Return each document's encoded field length (Whoosh's one-byte approximation)."""
    count = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    # The codec's own name for the column ("_body_len"): with a name of our own
    # ("_body_L2", never written) every worker's first search read the lengths
    # one Python call each, 3.7 s of CPU at a million posts.
    lenfield = _lenfield(fieldname)
    if perdoc is not None and perdoc.has_column(lenfield):
        column = perdoc.column_reader(lenfield, LENGTHS_COLUMN)
        if isinstance(column, columns.FixedBytesColumn.Reader) and column._fixedlen == 1:
            raw = column._dbfile.get(column._basepos, column._count)
            return bytes(raw) + bytes(count - len(raw))
    return bytes(  # pragma: no cover (another codec)
        length_to_byte(reader.doc_field_length(d, fieldname, 0)) for d in range(count)
    )


class SegmentTables:
    """Per-document arrays and permission sets of one segment.

    Valid for every reader of the segment: documents never change (an update
    deletes and adds), so only the deletions are taken from the reader at hand.
    """

    def __init__(self, reader) -> None:
        self.count = reader.doc_count_all()
        # An array, 4 bytes a document: a list of shared int objects took
        # 1.1 MB of every worker at 100,000 posts (8 bytes a document and the
        # ints), the array 0.4 MB; the int a lookup makes costs ~1 ms for the
        # 40,000 matches of a common word.
        self.topic: array | list = _numeric_column(reader, "topic_id")
        self.created = _numeric_column(reader, "created")
        self.likes = _numeric_column(reader, "likes")
        boost = _numeric_column(reader, "boost")
        #: None when no document has one (no plugin ranks): 0.4 MB less.
        self.boost = boost if any(boost) else None
        #: (day, factors, greatest): each document's ranking factor, renewed
        #: daily (an array: 8 bytes a document, not a list of float objects).
        self._factors: tuple[int, array, float] | None = None
        self._lengths: dict[str, bytes] = {}
        #: (levels, excluded flags) -> (allowed, documents). Allowed: a bitmap,
        #: one byte a document, 1 where readable (a guest reads a fifth of the
        #: posts: a set of their numbers took 1.7 MB of every worker at
        #: 100,000 posts, the bitmap 0.1 MB). Not allowed (most documents
        #: readable): the set of the few documents *not* readable.
        self.permission_sets: dict[tuple, tuple[bool, bytearray | frozenset[int]]] = {}

    def factors(self, now: int) -> array:
        """Return each document's ranking factor at ``now`` (seconds since 1970):
        the plugins' boost times its recency (backend.recency_factor), computed
        once a day per segment."""
        day = now // 86400
        if self._factors is None or self._factors[0] != day:
            from forum.search.backend import recency_factor

            start = day * 86400
            values = array(
                "d",
                (
                    (1.0 + boost / 1000) * recency_factor(start - created)
                    for boost, created in zip(
                        self.boost or repeat(0, self.count), self.created, strict=True
                    )
                ),
            )
            self._factors = (day, values, max(values, default=1.0))
        return self._factors[1]

    def greatest_factor(self, now: int) -> float:
        """Return the greatest of the documents' ranking factors at ``now``."""
        self.factors(now)
        return self._factors[2]

    def lengths(self, reader, fieldname: str) -> bytes:
        found = self._lengths.get(fieldname)
        if found is None:
            found = self._lengths[fieldname] = _length_bytes(reader, fieldname)
        return found

    def permissions(self, reader, levels: tuple[str, ...], flags: frozenset[str]):
        key = (levels, flags)
        found = self.permission_sets.get(key)
        if found is None:
            wanted = sum(reader.doc_frequency("level", level) for level in levels)
            if wanted * 2 > self.count:
                # Most documents are readable: collect the others (the other
                # levels and the flagged), never a set of nearly every document.
                others = [t.decode() for t in reader.lexicon("level") if t.decode() not in levels]
                blocked: set[int] = set()
                for name, terms in (("level", others), ("flags", flags)):
                    for term in terms:
                        blocked.update(term_ids(reader, name, term))
                found = (False, frozenset(blocked))
            else:
                readable = bytearray(self.count)
                for level in levels:
                    mark(readable, term_ids(reader, "level", level), 1)
                for flag in flags:
                    mark(readable, term_ids(reader, "flags", flag), 0)
                found = (True, readable)
            self.permission_sets[key] = found
        return found


class TableCache:
    """SegmentTables per segment id, for the segments of the latest searcher."""

    def __init__(self) -> None:
        self._tables: dict[str, SegmentTables] = {}
        self._lock = threading.Lock()

    def get(self, reader) -> SegmentTables:
        segment_id = reader.segment().segment_id()
        found = self._tables.get(segment_id)
        if found is None:
            found = SegmentTables(reader)
            with self._lock:
                self._tables[segment_id] = found
        return found

    def keep_only(self, searcher) -> None:
        """Forget the tables of segments merged away."""
        readers = [reader for reader, _base in searcher.reader().leaf_readers()]
        alive = {r.segment().segment_id() for r in readers if r.segment() is not None}
        with self._lock:
            for segment_id in set(self._tables) - alive:
                del self._tables[segment_id]
