"""One generation of the Whoosh index as the engine reads it, without ``whoosh.searching``.

Whoosh's ``Searcher`` brings ``whoosh.searching`` and with it the query
classes, collectors, highlighting and English morphology (14 modules, ~3 MB
of every worker that searched once), and it keeps the idf of every term it
was asked for as long as it lives. The engine (``whoosh_engine``) scores with
its own code and needs of a searcher only the reader, BM25F's idf and a
field's average length: this is that much.
"""

from math import log


class IndexReading:
    """The reader of one index generation and what ranking needs from it."""

    def __init__(self, ix) -> None:
        self._ix = ix
        self._reader = ix.reader()
        self._count_all = self._reader.doc_count_all()

    def reader(self):
        return self._reader

    def up_to_date(self) -> bool:
        """Whether no commit came after this generation."""
        return self._ix.latest_generation() == self._reader.generation()

    def doc_count(self) -> int:
        """The documents not deleted."""
        return self._reader.doc_count()

    def doc_count_all(self) -> int:
        return self._count_all

    def stored_fields(self, docnum: int) -> dict:
        return self._reader.stored_fields(docnum)

    def idf(self, fieldname: str, text) -> float:
        """BM25F's inverse document frequency, as Whoosh's ``WeightingModel.idf``
        (not cached: the engine asks once per term and query)."""
        frequency = self._reader.doc_frequency(fieldname, text)
        return log(self._count_all / (frequency + 1)) + 1

    def avg_field_length(self, fieldname: str) -> float | None:
        """A field's average length over all documents (None when not scored),
        as Whoosh's ``Searcher.avg_field_length``."""
        if not self._reader.schema[fieldname].scorable:
            return None
        return self._reader.field_length(fieldname) / (self._count_all or 1)

    def close(self) -> None:
        self._reader.close()
