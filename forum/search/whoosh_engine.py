"""Query evaluation for the Whoosh backend, a posting block at a time.

Whoosh's own collectors score one posting per round of Python method calls
(``is_active``, ``id``, ``score``, ``next`` on every matcher of the tree), about
15 µs a posting; a word in 10-40 % of the posts of a 100,000-post forum then
costs 100-400 ms, and results grouped by topic with an exact count cannot stop
early. Here the same BM25F ranking is computed per segment from whole posting
blocks with C-level building blocks (``dict(zip(...))``, set algebra, ``map``
over lookup tables), and only the page's topics are picked with a bounded heap.
The result is the same as scoring every match: exact counts, the best post of
every topic, the same tie-breaks.

Per segment, ``SegmentTables`` caches what the query needs per document
(topic, creation time, likes, field lengths) and the permission sets per
(readable levels, hidden flags). A segment's documents never change (only its
deletions grow), so a commit only costs the tables of the new segment.

It reads Whoosh's block postings (``W3LeafMatcher``) directly; another codec
falls back to Whoosh's generic matcher API (slower, same results).
"""

import heapq
import io
import os
import sys
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain, compress, repeat

from whoosh import columns
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length, length_to_byte

from forum.search.analysis import phrase_matcher

#: Posts sorted in full at first: this many times the topics up to the page's end
#: (at least MIN_TAKE), four times more while they hold too few topics.
TAKE_FACTOR = 4
MIN_TAKE = 64
GROWTH = 4
#: BM25F's parameters, as Whoosh's scoring.BM25F() defaults.
B = 0.75
K1 = 1.2


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
    block (128 postings) at a time, deleted documents included.

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


def term_ids(reader, fieldname: str, text) -> list[int]:
    return [doc for ids, _weights in posting_blocks(reader, fieldname, text) for doc in ids]


def _column_values(reader, fieldname: str) -> Callable[[int], bytes]:
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
        return values
    return list(column)  # pragma: no cover (an empty segment or another column type)


def _length_bytes(reader, fieldname: str) -> bytes:
    """Return each document's encoded field length (Whoosh's one-byte approximation)."""
    count = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    lenfield = f"_{fieldname}_L2"
    if perdoc is not None and perdoc.has_column(lenfield):
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN

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
        self.topic = _numeric_column(reader, "topic_id")
        self.created = _numeric_column(reader, "created")
        self.likes = _numeric_column(reader, "likes")
        self._lengths: dict[str, bytes] = {}
        #: (levels, excluded flags) -> (allowed: bool, documents): the documents
        #: allowed, or (when that is shorter) the documents *not* allowed.
        self.permission_sets: dict[tuple, tuple[bool, frozenset[int]]] = {}

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
                readable: set[int] = set()
                for level in levels:
                    readable.update(term_ids(reader, "level", level))
                for flag in flags:
                    readable.difference_update(term_ids(reader, "flags", flag))
                found = (True, frozenset(readable))
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


# --- Scoring ----------------------------------------------------------------------------


class _ScoreTable(dict):
    """(term frequency, length byte) -> BM25 score of one term in one field."""

    def __init__(self, idf: float, avgfl: float, boost: float) -> None:
        super().__init__()
        self.idf, self.avgfl, self.boost = idf, avgfl or 1.0, boost

    def __missing__(self, key: tuple[float, int]) -> float:
        tf, lbyte = key
        length = byte_to_length(lbyte) if lbyte else 0
        norm = K1 * ((1 - B) + B * length / self.avgfl)
        score = self[key] = self.boost * self.idf * (tf * (K1 + 1)) / (tf + norm)
        return score


@dataclass
class Clause:
    """One term (``terms`` of one element) or phrase, in any of ``fields``."""

    terms: list[str]
    fields: dict[str, float]  # field name -> boost


@dataclass
class Request:
    clauses: list[Clause]
    levels: tuple[str, ...]
    excluded_flags: frozenset[str]
    #: Each a list of (field, term): a document must carry one of them.
    any_of: list[list[tuple[str, object]]] = field(default_factory=list)
    #: (field, term): a document must carry none of them. For a filter most
    #: documents pass (``status:open``): the few excluded make a small set.
    none_of: list[tuple[str, object]] = field(default_factory=list)
    #: ``created`` bounds (seconds since 1970), inclusive lower, exclusive upper.
    created_from: int | None = None
    created_before: int | None = None
    topic_ids: frozenset[int] | None = None
    #: "relevance", "latest", "oldest" or "likes".
    order: str = "relevance"


@dataclass
class Found:
    total: int
    #: (score, global docnum, topic id), the requested window of topics.
    window: list[tuple[float, int, int]]


class Evaluator:
    """Evaluate one Request against a searcher."""

    def __init__(self, searcher, cache: TableCache) -> None:
        self.searcher = searcher
        self.cache = cache
        self._tables: dict[tuple[str, str, float], _ScoreTable] = {}

    def _score_table(self, fieldname: str, text: str, boost: float) -> _ScoreTable:
        key = (fieldname, text, boost)
        table = self._tables.get(key)
        if table is None:
            searcher = self.searcher
            table = self._tables[key] = _ScoreTable(
                searcher.idf(fieldname, text), searcher.avg_field_length(fieldname), boost
            )
        return table

    def _scored(self, reader, segment: SegmentTables, fieldname: str, text: str,
                boost: float, only: set[int] | None = None) -> dict[int, float]:  # fmt: skip
        """Return document -> score of one term in one field (of the documents
        in ``only``, when given)."""
        scores: dict[int, float] = {}
        blocks = posting_blocks(reader, fieldname, text)
        first = next(blocks, None)
        if first is None:
            return scores
        lengths = segment.lengths(reader, fieldname)
        table = self._score_table(fieldname, text, boost)
        for ids, weights in chain((first,), blocks):
            if only is not None:
                wanted = list(map(only.__contains__, ids))
                ids, weights = list(compress(ids, wanted)), compress(weights, wanted)
            pairs = zip(weights, map(lengths.__getitem__, ids), strict=True)
            scores.update(zip(ids, map(table.__getitem__, pairs), strict=True))
        return scores

    def _clause(self, reader, segment: SegmentTables, clause: Clause,
                narrow: Callable[[set[int]], set[int]]) -> dict[int, float]:  # fmt: skip
        """Return document -> score of one clause: the sum over the fields it matches."""
        total: dict[int, float] = {}
        for fieldname, boost in clause.fields.items():
            if len(clause.terms) == 1:
                scores = self._scored(reader, segment, fieldname, clause.terms[0], boost)
            else:
                scores = self._phrase(reader, fieldname, clause.terms, boost, segment, narrow)
            if not total:
                total = scores
            elif len(scores) > len(total):
                for doc, score in total.items():
                    scores[doc] = scores.get(doc, 0.0) + score
                total = scores
            else:
                for doc, score in scores.items():
                    total[doc] = total.get(doc, 0.0) + score
        return total

    def _phrase(self, reader, fieldname: str, terms: list[str], boost: float,
                segment: SegmentTables, narrow: Callable[[set[int]], set[int]],
                ) -> dict[int, float]:  # fmt: skip
        """Documents with ``terms`` at consecutive positions; score: the terms' sum.

        The documents holding every term (and passing ``narrow``) are checked
        on their word sequence, kept in the column ``<field>_words``; only
        those found are scored.
        """
        holding = sorted((term_ids(reader, fieldname, term) for term in terms), key=len)
        if not holding[0]:
            return {}
        candidates = narrow(set(holding[0]).intersection(*holding[1:]))
        del holding
        found = phrase_matcher(terms)
        words = _column_values(reader, f"{fieldname}_words")
        matched = {doc for doc in candidates if found(words(doc))}
        if not matched:
            return {}
        parts = [self._scored(reader, segment, fieldname, term, boost, matched) for term in terms]
        return {doc: sum(part[doc] for part in parts) for doc in matched}

    def _readable(self, reader, segment: SegmentTables, request: Request):
        allowed, docs = segment.permissions(reader, request.levels, request.excluded_flags)
        deleted = reader.deleted_docs_set if reader.has_deletions() else None
        if deleted:
            docs = docs - deleted if allowed else docs | deleted
        return allowed, docs

    def _segment_matches(self, reader, segment: SegmentTables, request: Request):
        """Return local docnum -> score of the segment's documents matching everything."""
        allowed, readable = self._readable(reader, segment, request)
        # Filter words first: they are cheap and narrow the phrases' checks.
        restrict: set[int] | None = None
        for alternatives in request.any_of:
            docs: set[int] = set()
            for fieldname, text in alternatives:
                docs.update(term_ids(reader, fieldname, text))
            restrict = docs if restrict is None else restrict & docs
        excluded: set[int] = set()
        for fieldname, text in request.none_of:
            excluded.update(term_ids(reader, fieldname, text))
        if excluded:  # as if the searcher could not read them
            readable = readable - excluded if allowed else readable | excluded
        if restrict is not None:
            restrict = restrict & readable if allowed else restrict - readable
        matches: dict[int, float] | None = None

        def narrow(docs: set[int]) -> set[int]:
            """Keep the documents that can still match (phrases check only those)."""
            if matches is not None:
                docs &= matches.keys()
            if restrict is not None:
                return docs & restrict
            return docs & readable if allowed else docs - readable

        for clause in sorted(request.clauses, key=lambda c: len(c.terms)):
            scores = self._clause(reader, segment, clause, narrow)
            if matches is None:
                matches = scores
            else:
                small, large = sorted((matches, scores), key=len)
                matches = {doc: score + large[doc] for doc, score in small.items() if doc in large}
            if not matches:
                return {}
        if matches is None:  # no text: every readable document, score 0
            if restrict is not None:
                matches = dict.fromkeys(restrict, 0.0)
            elif allowed:
                matches = dict.fromkeys(readable, 0.0)
            else:
                matches = dict.fromkeys(set(range(segment.count)) - readable, 0.0)
        else:
            keep = matches.keys() & readable if allowed else matches.keys() - readable
            if restrict is not None:
                keep &= restrict
            if len(keep) != len(matches):
                matches = {doc: matches[doc] for doc in keep}
        if request.created_from is not None or request.created_before is not None:
            created = segment.created
            low = request.created_from if request.created_from is not None else -1
            high = request.created_before if request.created_before is not None else 1 << 64
            matches = {d: s for d, s in matches.items() if low <= created[d] < high}
        if request.topic_ids is not None:
            topic, wanted = segment.topic, request.topic_ids
            matches = {d: s for d, s in matches.items() if topic[d] in wanted}
        return matches

    def run(self, request: Request, offset: int, limit: int) -> Found:
        """Return how many topics match and the window of them, best first."""
        parts: list[tuple[SegmentTables, int, dict[int, float]]] = []
        topics: set[int] = set()
        for reader, base in self.searcher.reader().leaf_readers():
            if not reader.doc_count_all():
                continue
            segment = self.cache.get(reader)
            matches = self._segment_matches(reader, segment, request)
            if matches:
                topics.update(map(segment.topic.__getitem__, matches))
                parts.append((segment, base, matches))
        wanted = offset + limit
        if offset >= len(topics):
            return Found(len(topics), [])
        # Only the posts ranking high on the first sort key are sorted in full:
        # the fewest that hold the window's topics (the first appearance of a
        # topic in the descending order is its best post).
        matched = sum(len(matches) for _segment, _base, matches in parts)
        take = max(TAKE_FACTOR * wanted, MIN_TAKE)
        while True:
            cutoff = threshold = None
            if take < matched:
                keys = (_primary(request.order, segment, m) for segment, _b, m in parts)
                threshold = heapq.nlargest(take, chain.from_iterable(keys))[-1]
                # Scores are compared rounded (float noise must not break a
                # tie): keep every post that may round to the threshold.
                cutoff = threshold - 2e-6 if request.order == "relevance" else threshold
            rows: list[tuple] = []
            for segment, base, matches in parts:
                docs = list(matches)
                if cutoff is not None:
                    primary = _primary(request.order, segment, matches)
                    docs = list(compress(docs, map(cutoff.__le__, primary)))
                rows.extend(_rows(request.order, matches, docs, segment, base))
            rows.sort(reverse=True)
            window: dict[int, tuple] = {}
            for row in rows:
                window.setdefault(row[-1], row)
                if len(window) == wanted:
                    break
            if threshold is None:
                break
            # Complete, and every post left out ranks below the whole window.
            if len(window) == wanted and row[0] >= _rounded(request.order, threshold):
                break
            take *= GROWTH
        picked = list(window.values())[offset:wanted]
        return Found(
            len(topics), [(_score(request.order, row), row[-2], row[-1]) for row in picked]
        )


def _primary(order: str, segment: SegmentTables, matches: dict[int, float]) -> Iterable:
    """Return the first sort key of each match, in the dict's order."""
    if order == "relevance":
        return matches.values()
    if order == "likes":
        return map(segment.likes.__getitem__, matches)
    created = map(segment.created.__getitem__, matches)
    return created if order == "latest" else map(int.__neg__, created)


def _rows(
    order: str, matches: dict[int, float], docs: list[int], segment: SegmentTables, base: int
) -> Iterable[tuple]:
    """Return sortable rows ending in (..., global docnum, topic): larger is better.

    Ties: the newer post wins, then the later document.
    """
    topic_of = map(segment.topic.__getitem__, docs)
    created = map(segment.created.__getitem__, docs)
    numbers = list(map(base.__add__, docs))
    if order == "relevance":
        scores = map(round, map(matches.__getitem__, docs), repeat(6))
        return zip(scores, created, numbers, topic_of, strict=True)
    if order == "latest":
        return zip(created, numbers, topic_of, strict=True)
    if order == "oldest":
        return zip(
            map(int.__neg__, created), map(int.__neg__, numbers), numbers, topic_of, strict=True
        )
    likes = map(segment.likes.__getitem__, docs)
    return zip(likes, created, numbers, topic_of, strict=True)


def _rounded(order: str, key):
    return round(key, 6) if order == "relevance" else key


def _score(order: str, row: tuple) -> float:
    return float(row[0]) if order == "relevance" else 0.0
