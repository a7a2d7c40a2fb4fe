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

The postings, columns and per-segment tables come from ``whoosh_segments``,
the BM25F scores from ``whoosh_scores``.
"""

import heapq
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from itertools import chain, compress, islice, repeat
from operator import add, gt, le

from forum.search.analysis import phrase_matcher
from forum.search.whoosh_scores import (
    DenseScores,
    Scores,
    ScoreTable,
    add_scores,
    drop_matches,
    intersect_scores,
    primary_keys,
    sortable_rows,
    weighted_parts,
)
from forum.search.whoosh_segments import (
    SegmentTables,
    TableCache,
    column_values,
    mark,
    marked,
    posting_blocks,
    term_ids,
    unmarked,
)

#: Posts sorted in full at first: this many times the topics up to the page's end
#: (at least MIN_TAKE), four times more while they hold too few topics.
TAKE_FACTOR = 4
MIN_TAKE = 64
GROWTH = 4


#: A prefix ("einkauf*") stands for at most this many of the terms it starts.
MAX_EXPANSIONS = 200
#: A compound found by its first part (Clause.head) has this many more letters
#: at least, and scores this share of the word itself.
MIN_TAIL = 4
HEAD_WEIGHT = 0.5
#: A clause's scores go into an array of every document's score
#: (``DenseScores``, 8 bytes a document) when its words have more postings
#: than a segment's documents divided by this, and nothing narrows them (no
#: filter, clause before it or guest). A dict takes ~100 bytes a match but
#: is read faster: a pass over every document of the array costs about as
#: much as a dict of a fifth of them.
DENSE_SHARE = 4


@dataclass
class Clause:
    """In any of ``fields``: a ``kind`` "phrase" of ``terms``, one of the ``terms``
    ("any": alternatives such as a gender form's three forms; "some": any,
    the scores summed), or the terms starting with ``terms[0]`` ("prefix").
    Alternatives score their best."""

    terms: list[str]
    fields: dict[str, float]  # field name -> boost
    kind: str = "any"
    #: "any" only: also the longer words starting with this (a compound's
    #: first part, "kranken" → "krankenversicherungsbeitrag"), scored lower.
    head: str | None = None


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
    #: Seconds since 1970: the recency of a match counts from then (relevance only).
    now: int = 0


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
        self._tables: dict[tuple[str, str, float], ScoreTable] = {}

    def _score_table(self, fieldname: str, text: str, boost: float) -> ScoreTable:
        key = (fieldname, text, boost)
        table = self._tables.get(key)
        if table is None:
            searcher = self.searcher
            table = self._tables[key] = ScoreTable(
                searcher.idf(fieldname, text), searcher.avg_field_length(fieldname), boost
            )
        return table

    def _scored(self, reader, segment: SegmentTables, fieldname: str, text: str,
                boost: float, only: Container[int] | bytearray | DenseScores | None = None,
                into: Scores | None = None, combine: Callable = add,
                ) -> Scores:  # fmt: skip
        """Return document -> score of one term in one field (of the documents
        in ``only``, when given), or add them into ``into``: a document already
        there gets ``combine(its score, this one)``.

        Each block in C-level steps (``map``, ``zip``, ``dict.update``): a
        loop in Python, or a dict per term merged afterwards, cost several
        ms for a common word's 40,000 postings.
        """
        scores: Scores = {} if into is None else into
        blocks = posting_blocks(reader, fieldname, text)
        first = next(blocks, None)
        if first is None:
            return scores
        lengths = segment.lengths(reader, fieldname)
        table = self._score_table(fieldname, text, boost)
        dense = isinstance(scores, DenseScores)
        merging = not scores.empty if dense else bool(scores)
        if only is not None:  # a byte, a score (0.0: none) or a set's membership
            if isinstance(only, bytearray):
                holds = only.__getitem__
            elif isinstance(only, DenseScores):
                holds = only.scores.__getitem__
            else:
                holds = only.__contains__
        for ids, weights in chain((first,), blocks):
            if only is not None:
                wanted = list(map(holds, ids))
                ids, weights = list(compress(ids, wanted)), compress(weights, wanted)
            pairs = zip(weights, map(lengths.__getitem__, ids), strict=True)
            values = map(table.__getitem__, pairs)
            if merging:  # a missing document's score is 0.0 in an array
                known = (
                    map(scores.scores.__getitem__, ids)
                    if dense
                    else map(scores.get, ids, repeat(0.0))
                )
                values = map(combine, known, values)
            if dense:
                scores.set(ids, values)
            else:
                scores.update(zip(ids, values, strict=True))
        return scores

    def _clause(self, reader, segment: SegmentTables, clause: Clause,
                only: Container[int] | bytearray | DenseScores | None,
                narrow: Callable[[set[int]], set[int]]) -> Scores:  # fmt: skip
        """Return document -> score of one clause: the sum over the fields it
        matches (of the documents in ``only``, when given). In a field,
        alternatives score their best; "some" sums its terms."""
        total: Scores = {}
        if clause.kind == "phrase" and len(clause.terms) > 1:
            for fieldname, boost in clause.fields.items():
                scores = self._phrase(reader, fieldname, clause.terms, boost, segment, narrow)
                total = add_scores(total, scores)
            return total
        fields = [
            (fieldname, _field_terms(reader, fieldname, clause, boost))
            for fieldname, boost in clause.fields.items()
        ]
        dense = only is None
        if dense:  # unless the words are rare in this segment
            postings = sum(
                reader.doc_frequency(fieldname, term)
                for fieldname, weighted in fields
                for term, _boost in weighted
            )
            dense = postings * DENSE_SHARE > segment.count
        if dense:
            total = DenseScores(segment.count)
        for fieldname, weighted in fields:
            if clause.kind == "some" or len(weighted) == 1:
                # Summed ("some"), or the field's one term: straight into the sum.
                for term, term_boost in weighted:
                    total = self._scored(reader, segment, fieldname, term, term_boost, only, total)
                continue
            best: Scores = DenseScores(segment.count) if dense else {}
            for term, term_boost in weighted:
                self._scored(reader, segment, fieldname, term, term_boost, only, best, max)
            total = add_scores(total, best)
        return total

    def _phrase(self, reader, fieldname: str, terms: list[str], boost: float,
                segment: SegmentTables, narrow: Callable[[set[int]], set[int]],
                ) -> dict[int, float]:  # fmt: skip
        """Documents with ``terms`` at consecutive positions; score: the terms' sum.

        The documents holding every term (and passing ``narrow``) are checked
        on their word sequence, kept in the column ``<field>_words``; only
        those found are scored.
        """
        # The rarest term's documents in a bitmap (a byte a document), the
        # others' postings checked against it a block at a time: lists and sets
        # of every term's documents made a phrase of common words peak at 7 MB.
        rarest, *others = sorted(terms, key=lambda term: reader.doc_frequency(fieldname, term))
        holding = bytearray(segment.count)
        mark(holding, term_ids(reader, fieldname, rarest), 1)
        for number, term in enumerate(others, start=1):
            candidates: set[int] = set()
            for ids, _weights in posting_blocks(reader, fieldname, term):
                candidates.update(compress(ids, map(holding.__getitem__, ids)))
            if number < len(others):
                holding = bytearray(segment.count)
                mark(holding, candidates, 1)
        del holding
        candidates = narrow(candidates)
        found = phrase_matcher(terms)
        words = column_values(reader, f"{fieldname}_words")
        matched = {doc for doc in candidates if found(words(doc))}
        del candidates
        if not matched:
            return {}
        # The terms' scores summed into one dict, in the order of the terms: a
        # dict per term and one of their sums peaked at 6 MB for a member's
        # "Vielen Dank" (20,000 posts).
        scores: dict[int, float] = {}
        for term in terms:
            scores = self._scored(reader, segment, fieldname, term, boost, matched, scores)
        return scores

    @staticmethod
    def _cheapest_first(reader, clauses: list[Clause]) -> list[Clause]:
        """Order the clauses rarest words first: each later one scores only the
        documents matching the ones before. Prefixes (up to MAX_EXPANSIONS
        words) next, phrases last (they check the word sequences of those
        documents only)."""

        def cost(clause: Clause) -> tuple[int, int]:
            if clause.kind in ("phrase", "prefix"):
                return (2 if clause.kind == "phrase" else 1, len(clause.terms))
            postings = sum(
                reader.doc_frequency(fieldname, term)
                for fieldname in clause.fields
                for term in clause.terms
            )
            return (0, postings)

        return sorted(clauses, key=cost)

    def _readable(self, reader, segment: SegmentTables, levels, excluded_flags):
        """Return (True, bitmap of the readable documents) or (False, set of
        the documents not readable), whichever the segment keeps
        (``SegmentTables.permissions``), less the deleted documents."""
        allowed, docs = segment.permissions(reader, levels, excluded_flags)
        deleted = reader.deleted_docs_set if reader.has_deletions() else None
        if deleted:
            docs = unmarked(docs, deleted) if allowed else docs | deleted
        return allowed, docs

    def any_readable(
        self, fields: tuple[str, ...], terms: list[str], levels, excluded_flags
    ) -> bool:
        """Whether a document the reader may find holds one of ``terms``.

        The spelling correction asks it: whether a word is held by *any*
        document would tell the reader that a post hidden from them holds it.
        """
        for reader, _base in self.searcher.reader().leaf_readers():
            wanted = [(f, t) for f in fields for t in terms if reader.doc_frequency(f, t)]
            if not wanted:
                continue
            segment = self.cache.get(reader)
            allowed, docs = self._readable(reader, segment, levels, excluded_flags)
            for fieldname, term in wanted:
                for doc in term_ids(reader, fieldname, term):
                    if docs[doc] if allowed else doc not in docs:
                        return True
        return False

    def _segment_matches(self, reader, segment: SegmentTables, request: Request):
        """Return local docnum -> score of the segment's documents matching everything."""
        allowed, readable = self._readable(reader, segment, request.levels, request.excluded_flags)
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
            readable = unmarked(readable, excluded) if allowed else readable | excluded
        if restrict is not None:
            restrict = marked(restrict, readable) if allowed else restrict - readable
        # Clauses score only the documents that can still match: the filters'
        # or the readable ones (when fewer than the others), then those
        # matching the clauses so far. A guest reads a fifth of the posts.
        only: Container[int] | bytearray | None = restrict
        if only is None and allowed:
            only = readable
        matches: Scores | None = None

        def narrow(docs: set[int]) -> set[int]:
            """Keep the documents that can still match (phrases check only those)."""
            if isinstance(matches, DenseScores):
                docs = set(compress(docs, map(matches.scores.__getitem__, docs)))
            elif matches is not None:
                docs &= matches.keys()
            if restrict is not None:
                return docs & restrict
            return marked(docs, readable) if allowed else docs - readable

        for clause in self._cheapest_first(reader, request.clauses):
            scores = self._clause(reader, segment, clause, only, narrow)
            matches = scores if matches is None else intersect_scores(matches, scores)
            if not matches:
                return {}
            only = matches
        if matches is None:  # no text: every readable document, score 0
            if restrict is not None:
                matches = dict.fromkeys(restrict, 0.0)
            elif allowed:
                matches = dict.fromkeys(compress(range(segment.count), readable), 0.0)
            else:
                matches = dict.fromkeys(set(range(segment.count)) - readable, 0.0)
        elif not allowed and restrict is None:
            # Scored without a restriction: drop the few the searcher may not read.
            drop_matches(matches, readable)
        if request.created_from is not None or request.created_before is not None:
            created = segment.created
            low = request.created_from if request.created_from is not None else -1
            high = request.created_before if request.created_before is not None else 1 << 64
            if isinstance(matches, DenseScores):  # in place: no dict of the half kept
                everyone = range(segment.count)
                matches.drop(compress(everyone, map(gt, repeat(low), created)))
                matches.drop(compress(everyone, map(le, repeat(high), created)))
            else:
                matches = {d: s for d, s in matches.items() if low <= created[d] < high}
        if request.topic_ids is not None:
            topic, wanted = segment.topic, request.topic_ids
            matches = {d: s for d, s in matches.items() if topic[d] in wanted}
        return matches

    def run(self, request: Request, offset: int, limit: int) -> Found:
        """Return how many topics match and the window of them, best first."""
        parts: list[tuple[SegmentTables, int, Scores]] = []
        topics: set[int] = set()
        for reader, base in self.searcher.reader().leaf_readers():
            if not reader.doc_count_all():
                continue
            segment = self.cache.get(reader)
            matches = self._segment_matches(reader, segment, request)
            if not matches:
                continue
            if isinstance(matches, DenseScores):  # no int object made per document
                topics.update(compress(segment.topic, matches.scores))
            else:
                topics.update(map(segment.topic.__getitem__, matches))
            parts.append((segment, base, matches))
        wanted = offset + limit
        if offset >= len(topics):
            return Found(len(topics), [])

        def matched_more_than(count: int) -> bool:
            # The topics found are fewer than the posts, and known: most often
            # this saves counting an array's matches (a pass over every document).
            return len(topics) > count or sum(len(m) for _s, _b, m in unweighted) > count

        # Only the posts ranking high on the first sort key are sorted in full:
        # the fewest that hold the window's topics (the first appearance of a
        # topic in the descending order is its best post).
        take = max(TAKE_FACTOR * wanted, MIN_TAKE)
        weigh = request.order == "relevance" and bool(request.clauses)
        unweighted = parts
        while True:
            cutoff = threshold = None
            more = matched_more_than(take)
            if weigh:
                parts = weighted_parts(unweighted, take if more else None, request.now)
            if more:
                keys = (primary_keys(request.order, segment, m) for segment, _b, m in parts)
                threshold = heapq.nlargest(take, chain.from_iterable(keys))[-1]
                # Scores are compared rounded (float noise must not break a
                # tie): keep every post that may round to the threshold.
                cutoff = threshold - 2e-6 if request.order == "relevance" else threshold
            rows: list[tuple] = []
            for segment, base, matches in parts:
                if cutoff is None:
                    docs = list(matches)
                else:  # never a list of every match (a common word's 50,000)
                    primary = primary_keys(request.order, segment, matches)
                    docs = list(compress(matches, map(cutoff.__le__, primary)))
                rows.extend(sortable_rows(request.order, matches, docs, segment, base))
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


def _field_terms(reader, fieldname: str, clause: Clause, boost: float) -> list[tuple[str, float]]:
    """Return the (term, boost) a clause looks for in one field: its terms, a
    prefix's words, or its terms and the longer words starting with its head."""
    terms, weaker = clause.terms, []
    if clause.kind == "prefix":
        found = islice(reader.expand_prefix(fieldname, clause.terms[0]), MAX_EXPANSIONS)
        terms = [term.decode() for term in found]
    elif clause.kind != "some" and clause.head:
        found = islice(reader.expand_prefix(fieldname, clause.head), MAX_EXPANSIONS)
        longer = len(clause.head) + MIN_TAIL
        weaker = [t.decode() for t in found if len(t) >= longer]
    return [*zip(terms, repeat(boost)), *zip(weaker, repeat(boost * HEAD_WEIGHT))]


def _rounded(order: str, key):
    return round(key, 6) if order == "relevance" else key


def _score(order: str, row: tuple) -> float:
    return float(row[0]) if order == "relevance" else 0.0
