"""Make forum/search/lemmas_de.tsv from simplemma's German dictionary (~40 s):

    .venv/bin/python -m forum.search.lemmas_build

Run it after upgrading simplemma, then ``flask --app forum search reindex``.
A module of its own: it needs the analysis (folding, the stemmer), which
reads the table through forum.search.lemmas.
"""

import sys
from functools import lru_cache
from pathlib import Path

from forum.search.analysis import analyzer, fold, splitter_for
from forum.search.lemmas import SEPARATOR, TABLE


def build(path: Path = TABLE) -> int:
    """Write the table from simplemma's German dictionary; return its lines."""
    from simplemma.strategies.dictionaries.dictionary_factory import (
        _load_dictionary_from_disk,
    )

    stem = lru_cache(maxsize=None)(analyzer(splitter_for(None))[-1]._stem)
    found: dict[str, set[str]] = {}
    for word, lemma in _load_dictionary_from_disk("de").items():
        folded, folded_lemma = fold(word.decode()), fold(lemma.decode())
        if folded.isalpha() and stem(folded) != stem(folded_lemma):
            found.setdefault(folded, set()).add(folded_lemma)
    lines = [f"{word}\t{SEPARATOR.join(sorted(found[word]))}\n" for word in found]
    lines.sort(key=str.encode)
    path.write_text("".join(lines), encoding="utf-8")
    return len(lines)


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else TABLE), "words")
