"""German lemmas for the word forms the stemmer cannot join.

The Snowball stemmer cuts endings: "Hilfen" and "Hilfe" meet, but "hilft",
"geholfen" and "half", "Häuser" and "Haus", "ging" and "gehen" do not. The
lemmas come from simplemma's German dictionary (a maintained lemmatiser),
reduced to what the stemmer does not already do: ``lemmas_de.tsv`` holds,
sorted, each folded word (``analysis.fold``) whose lemma has another stem,
and those lemmas ("hilft\\thelfen", "ging\\tgehen", "garten\\tgaren"; a
word may stand for several: "|" between them).

Why a table and not simplemma at run time: simplemma's German dictionary
costs a process ~100 MB (its low-memory mode still ~18 MB), and every web
worker analyses queries. The table is read from disk, one ``pread`` of a
block of lines per word (the first key of every block is kept in memory,
~0.2 MB), and words are cached. Regenerate it after upgrading simplemma:

    .venv/bin/python -m forum.search.lemmas_build   # ~40 s

and reindex (``flask --app forum search reindex``).
"""

import os
import threading
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).with_name("lemmas_de.tsv")
#: Lines per block: one key in memory for each.
BLOCK = 64
SEPARATOR = "|"
#: Entries of each per-word cache of the search analysis (folding, lemmas,
#: compound parts, stems; forum/search/analysis.py). A forum's words follow
#: Zipf's law: the most frequent few thousand make up most of any text, so a
#: small cache keeps nearly every hit, where 50,000-100,000 entries each grew a
#: worker that indexes after its responses by ~35 MB once it had seen 150,000
#: distinct words (tests/test_worker_memory.py).
WORD_CACHE_SIZE = 8192


class LemmaTable:
    """Sorted "word\\tlemma|lemma" lines read by block with ``os.pread``."""

    def __init__(self, path: Path = TABLE) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._keys: list[bytes] = []
        self._offsets: list[int] = []
        self.lemmas = lru_cache(maxsize=WORD_CACHE_SIZE)(self._lemmas)

    def _open(self) -> int:
        with self._lock:
            if self._fd is None:
                keys, offsets, offset = [], [], 0
                with self.path.open("rb") as lines:
                    for number, line in enumerate(lines):
                        if number % BLOCK == 0:
                            keys.append(line.partition(b"\t")[0])
                            offsets.append(offset)
                        offset += len(line)
                offsets.append(offset)
                self._keys, self._offsets = keys, offsets
                self._fd = os.open(self.path, os.O_RDONLY)
            return self._fd

    def _lemmas(self, word: str) -> tuple[str, ...]:
        """Return the lemmas of a folded word that the stemmer would not reach, or ()."""
        fd = self._fd if self._fd is not None else self._open()
        key = word.encode()
        block = bisect_right(self._keys, key) - 1
        if block < 0:
            return ()
        start, end = self._offsets[block], self._offsets[block + 1]
        for line in os.pread(fd, end - start, start).split(b"\n"):
            found, _tab, lemmas = line.partition(b"\t")
            if found == key:
                return tuple(lemmas.decode().split(SEPARATOR))
            if found > key:
                break
        return ()


@lru_cache(maxsize=1)
def table() -> LemmaTable:
    return LemmaTable()
