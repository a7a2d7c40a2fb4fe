"""BM25F scores of the Whoosh engine (``whoosh_engine``): one term's table,
the sums of a query's clauses over whole dicts of document -> score or, for
a segment's common words, an array of every document's score
(``DenseScores``), and the ranking's weights and sort keys."""

import heapq
from array import array
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import chain, compress, repeat
from operator import add, ge, mul

from whoosh.util.numeric import byte_to_length

from forum.search.whoosh_segments import SegmentTables

#: BM25F's parameters, as Whoosh's scoring.BM25F() defaults.
B = 0.75
K1 = 1.2


class DenseScores:
    """Document -> score of one segment as an array of every document's score,
    0.0 where a document does not match (a match scores more: idf, boosts and
    term frequencies are positive).

    For a word in many of a segment's documents (a member's "Hilfe": 50,000
    of 100,000 posts): a dict took ~100 bytes a match (its table, an int and
    a float object; 7.6 MB at a query's peak), the array 8 bytes a document.
    Iterates like the dicts the engine uses elsewhere (the matches, in the
    documents' order); a document's score is read from ``scores``, in C.
    """

    __slots__ = ("empty", "scores")

    def __init__(self, count: int) -> None:
        self.scores = array("d", bytes(8 * count))
        #: Nothing written yet: the first term's scores need no sum.
        self.empty = True

    def __iter__(self) -> Iterator[int]:
        return compress(range(len(self.scores)), self.scores)

    def __len__(self) -> int:
        return len(self.scores) - self.scores.count(0.0)

    def __bool__(self) -> bool:
        return not self.empty and any(self.scores)

    def values(self) -> Iterator[float]:
        """The scores of the matches, in the order of ``iter``."""
        return filter(None, self.scores)

    def items(self) -> Iterator[tuple[int, float]]:
        return zip(self, self.values(), strict=True)

    def set(self, docs: Iterable[int], scores: Iterable[float]) -> None:
        """Store the scores of ``docs`` (C-level steps)."""
        self.empty = False
        deque(map(self.scores.__setitem__, docs, scores), maxlen=0)

    def drop(self, docs: Iterable[int]) -> None:
        """Make ``docs`` match no more."""
        deque(map(self.scores.__setitem__, docs, repeat(0.0)), maxlen=0)


Scores = dict[int, float] | DenseScores


def add_scores(total: Scores, scores: Scores) -> Scores:
    """Return document -> the sum of both scores (a missing one counts 0),
    ``total`` changed or ``scores`` when ``total`` is empty."""
    if not total:
        return scores
    if isinstance(total, DenseScores):  # a missing one's score is 0.0 there
        total.set(scores, map(add, map(total.scores.__getitem__, scores), scores.values()))
        return total
    summed = map(add, map(total.get, scores, repeat(0.0)), scores.values())
    total.update(zip(scores, summed, strict=True))
    return total


def intersect_scores(matches: Scores, scores: dict[int, float]) -> dict[int, float]:
    """Return document -> the sum of both scores, of the documents in both.

    ``scores`` holds only documents of ``matches`` (a later clause scores only
    those, a phrase checks only those): no set of the shared ones is needed,
    and it is a dict (only a first clause is scored into an array).
    """
    known = matches.scores.__getitem__ if isinstance(matches, DenseScores) else matches.__getitem__
    summed = map(add, map(known, scores), scores.values())
    return dict(zip(scores, summed, strict=True))


def drop_matches(matches: Scores, docs: Iterable[int]) -> None:
    """Remove ``docs`` (a small set: the few a member may not read) from ``matches``."""
    if isinstance(matches, DenseScores):
        matches.drop(docs)
        return
    for doc in matches.keys() & docs:
        del matches[doc]


#: An array's scores a ranking samples (every SAMPLE_STEP-th document) to
#: find a score that at least ``take`` matches reach.
SAMPLE_STEP = 8


def weighted_parts(parts: list[tuple], take: int | None, now: int) -> list[tuple]:
    """Return ``parts`` (segment tables, base, scores) with the scores times the
    documents' ranking factors (solved topics and recent posts count a
    little): of every match, or (``take``) of those that may rank among the
    best ``take``.

    At least ``take`` posts score ``low`` or more unweighted: the take-th best
    weighted score is at least the take-th best of theirs (``least``), and a
    post below that even at its segment's greatest factor can be left out
    (and its float object never made: a common word matches 50,000 posts).
    ``low`` is the take-th best score of every match in a dict and of a
    sample of an array's: no greater than the take-th best of all, found
    without a pass in Python over every match.
    """

    def weigh(segment: SegmentTables, matches: Scores, low: float | None) -> dict[int, float]:
        dense = isinstance(matches, DenseScores)
        score = matches.scores.__getitem__ if dense else matches.__getitem__
        docs: Iterable[int] = matches
        if low is not None:  # operator.ge: a builtin's call costs less than a method's
            values = matches.scores if dense else matches.values()
            reaching = map(ge, values, repeat(low))
            docs = list(compress(range(len(values)) if dense else matches, reaching))
        factors = segment.factors(now)
        weighted = map(mul, map(score, docs), map(factors.__getitem__, docs))
        return dict(zip(docs, weighted, strict=True))

    if take is None:
        return [(segment, base, weigh(segment, m, None)) for segment, base, m in parts]
    sampled = (
        m.scores[::SAMPLE_STEP] if isinstance(m, DenseScores) else m.values() for _s, _b, m in parts
    )
    low = heapq.nlargest(take, chain.from_iterable(sampled))
    if len(low) < take or not low[-1]:  # too few in the sample
        low = heapq.nlargest(take, chain.from_iterable(m.values() for _s, _b, m in parts))
    candidates = [weigh(segment, m, low[-1]) for segment, _b, m in parts]
    # Below the rounding slack of run()'s cutoff (2e-6), with a margin.
    least = heapq.nlargest(take, chain.from_iterable(c.values() for c in candidates))[-1] - 4e-6
    found = []
    for (segment, base, matches), weighted in zip(parts, candidates, strict=True):
        bound = least / segment.greatest_factor(now)
        if bound < low[-1]:  # some that may rank were not weighed
            found.append((segment, base, weigh(segment, matches, bound)))
            continue
        score = matches.scores.__getitem__ if isinstance(matches, DenseScores) else matches.get
        kept = [doc for doc in weighted if bound <= score(doc)]
        found.append((segment, base, {doc: weighted[doc] for doc in kept}))
    return found


def primary_keys(order: str, segment: SegmentTables, matches: dict[int, float]) -> Iterable:
    """Return the first sort key of each match, in the dict's order."""
    if order == "relevance":
        return matches.values()
    if order == "likes":
        return map(segment.likes.__getitem__, matches)
    created = map(segment.created.__getitem__, matches)
    return created if order == "latest" else map(int.__neg__, created)


def sortable_rows(
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


class ScoreTable(dict):
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
