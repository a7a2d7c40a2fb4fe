"""German text analysis shared by both backends: folding, compounds, stemming.

Every word goes through the same steps when it is indexed and when it is
searched for, so both sides meet:

1. lower case, then *folding*: "ue"/"ae"/"oe" written for an umlaut become the
   umlaut (not after a vowel or "q": "Feuer", "Quelle" stay), then ä→a, ö→o,
   ü→u, ß→ss and accents are dropped. "Muenchen" and "München" both become
   "munchen";
2. German stop words are dropped;
3. when indexing only, a compound made entirely of known words also yields its
   parts and their runs ("Jugendfeuerwehr" → "jugend", "feuer", "wehr",
   "feuerwehr"), at the compound's own position, so "Feuerwehr" finds it and
   the whole word is highlighted;
4. lemmas the stemmer cannot reach ("hilft", "geholfen" → "helfen"), beside
   the word (forum/search/lemmas.py);
5. the Snowball German stemmer ("Hilfen" and "Hilfe" → "hilf").

Gender-inclusive forms ("Betreuer*innen", "Betreuer:innen", "Betreuer_innen",
"BetreuerInnen", "Lesepat*in") are one token that stands for the masculine
and both feminine forms at one position ("betreuer", "betreuerin",
"betreuerinnen"), so each finds it and the whole form is highlighted.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    StemFilter,
    StopFilter,
    Token,
    Tokenizer,
)
from whoosh.lang import stemmer_for_language, stopwords_for_language

from forum.search.lemmas import WORD_CACHE_SIZE
from forum.search.lemmas import table as lemma_table

#: Linking letters (Fugenelemente) allowed between the parts of a compound.
LINKS = ("", "s", "es", "n", "en", "er", "e")
#: Shortest word the splitter treats as a part; shorter parts make nonsense splits.
MIN_PART = 3
#: Words shorter than this are never split.
MIN_COMPOUND = 7

#: A word, or a gender-inclusive form: its stem ("Betreuer", "Lesepat"), a
#: gender star, colon, underscore or slash, or a capital I ("BetreuerInnen"),
#: then "in" or "innen".
WORD = re.compile(
    r"(?P<base>\w+?)(?:[*:_/]-?[iI]|(?<=[a-zäöüß])I)(?P<end>n(?:nen)?)\b|\w+(?:\.?\w+)*"
)
#: Joins a gender form's stem and ending inside one token until GenderFilter
#: expands it (a word token never holds it).
GENDER_MARK = "*"
_UMLAUT_DIGRAPH = re.compile(r"(?<![aeiouäöüq])([aou])e")
_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue"}
_DIGRAPH_TO_UMLAUT = {"a": "ä", "o": "ö", "u": "ü"}
_FOLD_TABLE = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


@lru_cache(maxsize=WORD_CACHE_SIZE)
def fold(word: str) -> str:
    """Return a lower-case word with umlaut spellings and accents unified (cached:
    a forum's vocabulary repeats, and indexing folds every word)."""
    word = _UMLAUT_DIGRAPH.sub(lambda m: _DIGRAPH_TO_UMLAUT[m.group(1)], word.lower())
    word = word.translate(_FOLD_TABLE)
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class FoldFilter(Filter):
    """Fold umlaut spellings, ß and accents (expects lower-case tokens)."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold(token.text)
            yield token


class WordTokenizer(Tokenizer):
    """Whoosh's RegexTokenizer with ``WORD``: a gender form is one token
    "stem*ending" (expanded by GenderFilter after the stop words)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):  # fmt: skip
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, match in enumerate(WORD.finditer(value)):
            base = match.group("base")
            token.text = f"{base}{GENDER_MARK}{match.group('end')}" if base else match.group(0)
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = token.text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


def gender_forms(base: str) -> tuple[str, str, str]:
    """Return the masculine and both feminine forms a gender form stands for."""
    return base, f"{base}in", f"{base}innen"


class GenderFilter(Filter):
    """Expand "betreuer*innen" to "betreuer", "betreuerin", "betreuerinnen" at one position."""

    def __call__(self, tokens):
        for token in tokens:
            base, mark, _end = token.text.partition(GENDER_MARK)
            if not mark:
                yield token
                continue
            for form in gender_forms(base):
                token.text = form
                yield token


class LemmaFilter(Filter):
    """Add a word's lemmas the stemmer would not reach at its position
    ("hilft" → "helfen", "ging" → "gehen"; forum/search/lemmas.py), when
    indexing and in queries (where they are alternatives of the word)."""

    def __call__(self, tokens):
        lemmas = lemma_table().lemmas
        for token in tokens:
            found = lemmas(token.text) if len(token.text) > 2 else ()
            yield token
            for lemma in found:
                token.text = lemma
                yield token


class Splitter:
    """Split compounds into parts found in a word list."""

    def __init__(self, words: Iterable[str], extra_file: str | None = None) -> None:
        self.words = frozenset(fold(w) for w in words if len(w) >= MIN_PART)
        self.extra_file = extra_file
        self.split = lru_cache(maxsize=WORD_CACHE_SIZE)(self._split)

    def _covers(self, word: str) -> list[tuple[int, int]] | None:
        """Return the (start, end) spans of the fewest, longest known parts making
        up ``word`` with linking letters between them, or None."""
        best: dict[int, list[tuple[int, int]]] = {0: []}
        for start in range(len(word)):
            if start not in best:
                continue
            for end in range(start + MIN_PART, len(word) + 1):
                part = word[start:end]
                last = end == len(word)
                # "Sprache" loses its e in "Sprachkurs": accept the word without it.
                if part not in self.words and (last or part + "e" not in self.words):
                    continue
                for link in ("",) if last else LINKS:
                    after = end + len(link)
                    if not word.startswith(link, end) or (after == len(word) and link):
                        continue
                    candidate = [*best[start], (start, end)]
                    if after not in best or _rank(candidate) < _rank(best[after]):
                        best[after] = candidate
        return best.get(len(word))

    def _split(self, word: str) -> tuple[str, ...]:
        """Return the parts and runs of adjacent parts of a compound, else ()."""
        if len(word) < MIN_COMPOUND:
            return ()
        spans = self._covers(word)
        if not spans or len(spans) < 2:
            # Also accept an inflected last part: "Nachbarschaftshilfen".
            for ending in ("n", "en", "s", "es", "e", "er", "ern"):
                if word.endswith(ending) and len(word) - len(ending) >= MIN_COMPOUND:
                    spans = self._covers(word[: -len(ending)])
                    if spans and len(spans) >= 2:
                        break
            else:
                return ()
        runs = []
        for size in range(1, len(spans)):
            for first in range(len(spans) - size + 1):
                runs.append(word[spans[first][0] : spans[first + size - 1][1]])
        return tuple(dict.fromkeys(runs))


def _rank(spans: list[tuple[int, int]]) -> tuple[int, int]:
    # Fewer parts first, then longer parts (less text left to linking letters).
    return len(spans), -sum(end - start for start, end in spans)


class DecompoundFilter(Filter):
    """Add a compound's parts after it, at the same position (indexing only)."""

    def __init__(self, splitter: Splitter) -> None:
        self.splitter = splitter

    def __eq__(self, other) -> bool:
        return isinstance(other, DecompoundFilter) and self.splitter is other.splitter

    # Whoosh pickles the schema into the index; the word list is not kept
    # there (the index is always opened with the current analyzer).
    def __getstate__(self) -> dict:
        return {"extra_file": self.splitter.extra_file}

    def __setstate__(self, state: dict) -> None:
        self.splitter = splitter_for(state["extra_file"])

    def __call__(self, tokens):
        for token in tokens:
            # Later filters change token.text in place: split the word as it is now.
            parts = self.splitter.split(token.text) if token.mode == "index" else ()
            yield token
            for part in parts:
                token.text = part
                yield token


STOP_WORDS = frozenset(fold(w) for w in stopwords_for_language("de")) | {
    # English glue words, so "the" or "and" alone count as an empty query too.
    "the", "and", "or", "of", "to", "in", "a", "an", "is", "for",
}  # fmt: skip


def default_words() -> list[str]:
    """Return the compound parts shipped with the forum."""
    text = (Path(__file__).parent / "words_de.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


@lru_cache(maxsize=8)
def splitter_for(extra_file: str | None = None, admin_words: tuple[str, ...] = ()) -> Splitter:
    """Return the splitter for the shipped words plus a deployer's word file and
    the words an admin added on the settings page."""
    words = default_words()
    if extra_file:
        words += [w.strip() for w in Path(extra_file).read_text("utf-8").splitlines() if w.strip()]
    return Splitter([*words, *admin_words], extra_file)


class CachedStemFilter(StemFilter):
    """Whoosh's stemmer with functools' thread-safe cache (Whoosh's own cache can
    fail when two threads evict at once, and one analyzer serves every thread)."""

    def clear(self) -> None:
        self._stem = lru_cache(maxsize=self.cachesize)(stemmer_for_language(self.lang))


@lru_cache(maxsize=8)
def analyzer(splitter: Splitter):
    """Return the Whoosh analyzer for German text (compounds split when indexing).

    One per splitter, so its caches (stems) live as long as the process.
    """
    return (
        WordTokenizer()
        | LowercaseFilter()
        | FoldFilter()
        | StopFilter(stoplist=STOP_WORDS, minsize=1)
        | GenderFilter()
        | LemmaFilter()
        | DecompoundFilter(splitter)
        | CachedStemFilter(lang="de", cachesize=WORD_CACHE_SIZE)
    )


def terms(text: str, splitter: Splitter, *, mode: str = "query") -> list[str]:
    """Return the analysed terms of ``text`` (as the index or a query sees them)."""
    return [t.text for t in analyzer(splitter)(text, mode=mode)]


def term_groups(text: str, splitter: Splitter) -> list[list[str]]:
    """Return the analysed query terms of ``text`` position by position: each
    position's alternatives ("Betreuer*innen" → one position, three forms)."""
    groups: list[list[str]] = []
    last = None
    for token in analyzer(splitter)(text, mode="query", positions=True):
        if token.pos == last:
            if token.text not in groups[-1]:
                groups[-1].append(token.text)
        else:
            groups.append([token.text])
            last = token.pos
    return groups


def word_groups(text: str) -> list[list[str]]:
    """Return the folded words of ``text`` without stop words, position by
    position with their alternatives (a gender form's three forms), for a
    backend that stems by itself (PostgreSQL)."""
    groups = []
    lemmas = lemma_table().lemmas
    for match in WORD.finditer(text):
        base = match.group("base")
        if base:
            group = [fold(form) for form in gender_forms(base)]
        elif (word := fold(match.group(0))) not in STOP_WORDS:
            group = [word]
        else:
            continue
        groups.append(list(dict.fromkeys(group + [lemma for w in group for lemma in lemmas(w)])))
    return groups


#: Shortest prefix searched for with "word*" (shorter ones match too much).
MIN_PREFIX = 3


#: Shortest query word that also finds compounds starting with it.
MIN_HEAD = 4


def compound_head(word: str, splitter: Splitter) -> str | None:
    """Return the start of longer words a query word also finds, as the first
    part of a compound no word list knows ("Kranken" finds
    "Krankenversicherungsbeiträge", "Unfall" "Unfallversicherungsschutz"):
    the folded word cut to its stem, or None for short words."""
    if len(word) < MIN_HEAD or not word.isalnum():
        return None
    return prefix_term(word, splitter)


def prefix_term(word: str, splitter: Splitter) -> str | None:
    """Return what indexed terms must start with to match ``word*``, or None
    when the word is too short: the folded word cut to its stem ("Hilfe*"
    finds "hilf" and "hilfsbereit", as "Hilfe" is indexed as "hilf")."""
    folded = fold("".join(re.findall(r"\w", word)))
    if len(folded) < MIN_PREFIX:
        return None
    stem = analyzer(splitter)[-1]._stem(folded)
    pairs = enumerate(zip(folded, stem, strict=False))
    shared = next((i for i, (a, b) in pairs if a != b), len(stem))
    return folded[: max(shared, MIN_PREFIX)]


#: Separates the positions of a word sequence, and the terms at one position.
POSITION_SEPARATOR = " "
ALTERNATIVE_SEPARATOR = "|"


def index_terms(text: str, splitter: Splitter) -> tuple[list[str], str]:
    """Analyse ``text`` once for the index: return its terms (with repeats, for
    the frequencies) and its *word sequence* for phrase checks.

    The sequence holds the terms position by position ("nachbarschaftshilf|
    nachbarschaft|hilf einkauf"): a compound's parts share its position, stop
    words leave no gap, as in the index's positions.
    """
    found: list[str] = []
    positions: list[str] = []
    last = -1
    for token in analyzer(splitter)(text, mode="index", positions=True):
        found.append(token.text)
        if token.pos == last:
            positions[-1] += ALTERNATIVE_SEPARATOR + token.text
        else:
            positions.append(token.text)
            last = token.pos
    return found, POSITION_SEPARATOR.join(positions)


def phrase_pattern(phrase_terms: list[str]) -> re.Pattern[bytes]:
    """Return a pattern finding ``phrase_terms`` at consecutive positions of a
    UTF-8 word sequence (each term among the alternatives of its position)."""
    position, alternative = re.escape(POSITION_SEPARATOR), re.escape(ALTERNATIVE_SEPARATOR)
    others = f"[^{position}]*"
    steps = [
        f"(?:{others}{alternative})?{re.escape(term)}(?:{alternative}{others})?"
        for term in phrase_terms
    ]
    whole = f"(?<![^{position}]){position.join(steps)}(?![^{position}])"
    return re.compile(whole.encode())


def phrase_matcher(phrase_terms: list[str]) -> Callable[[bytes], bool]:
    """Return a test for ``phrase_terms`` in a UTF-8 word sequence.

    Most sequences are found by a plain substring search; the pattern, ten
    times slower, only runs where a compound's parts could hold the phrase.
    """
    needle = f"{POSITION_SEPARATOR}{POSITION_SEPARATOR.join(phrase_terms)}{POSITION_SEPARATOR}"
    needle_bytes, space = needle.encode(), POSITION_SEPARATOR.encode()
    alternative = ALTERNATIVE_SEPARATOR.encode()
    search = phrase_pattern(phrase_terms).search

    def matches(sequence: bytes) -> bool:
        if needle_bytes in space + sequence + space:
            return True
        return alternative in sequence and search(sequence) is not None

    return matches


def expanded_text(text: str, splitter: Splitter) -> str:
    """Return folded text plus compound parts, for PostgreSQL's German parser.

    PostgreSQL stems by itself; we add what it cannot do: umlaut spellings and
    compound parts (appended, so phrases of the original words stay intact).
    """
    folded, extra = [], []
    for match in WORD.finditer(text):
        base = match.group("base")
        if base:
            masculine, *feminine = (fold(form) for form in gender_forms(base))
            folded.append(masculine)
            extra += feminine
        else:
            folded.append(fold(match.group(0)))
    lemmas = lemma_table().lemmas
    extra += [lemma for w in folded + extra if len(w) > 2 for lemma in lemmas(w)]
    parts = [p for w in folded + extra if w not in STOP_WORDS for p in splitter.split(w)]
    return " ".join(folded + extra + parts)
