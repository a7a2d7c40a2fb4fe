"""BM25F scores of the Whoosh engine (``whoosh_engine``): one term's table
and the sums of a query's clauses, over whole dicts of document -> score."""

from itertools import repeat
from operator import add

from whoosh.util.numeric import byte_to_length

#: BM25F's parameters, as Whoosh's scoring.BM25F() defaults.
B = 0.75
K1 = 1.2


def add_scores(total: dict[int, float], scores: dict[int, float]) -> dict[int, float]:
    """Return document -> the sum of both scores (a missing one counts 0),
    ``total`` changed or ``scores`` when ``total`` is empty."""
    if not total:
        return scores
    summed = map(add, map(total.get, scores, repeat(0.0)), scores.values())
    total.update(zip(scores, summed, strict=True))
    return total


def intersect_scores(matches: dict[int, float], scores: dict[int, float]) -> dict[int, float]:
    """Return document -> the sum of both scores, of the documents in both.

    ``scores`` holds only documents of ``matches`` (a later clause scores only
    those, a phrase checks only those): no set of the shared ones is needed.
    """
    summed = map(add, map(matches.__getitem__, scores), scores.values())
    return dict(zip(scores, summed, strict=True))


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
