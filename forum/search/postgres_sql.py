"""The PostgreSQL backend's SQL: the tsquery of a search, and the statements
that write documents through a temporary table (postgres_backend.py)."""

import re

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSQUERY

from forum.search.analysis import MIN_HEAD, WORD, fold, word_groups
from forum.search.backend import Criteria

CONFIG = "german"
STAGE = "search_documents_stage"
#: The rows to write, per connection (a temporary table), emptied after each batch.
STAGE_TABLE = (
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE} (post_id integer, topic_id integer, "
    "category_id integer, user_id integer, post_number integer, level varchar(20), "
    "flags varchar(30)[], closed boolean, created_at timestamp, like_count integer, "
    "boost float, title text, body text) ON COMMIT DELETE ROWS"
)
STAGE_COPY = (
    f"COPY {STAGE} (post_id, topic_id, category_id, user_id, post_number, level, flags, "
    "closed, created_at, like_count, boost, title, body) FROM STDIN"
)
# ORDER BY post_id: the rows land in the table in the order of the posts.
STAGE_INSERT = sa.text(
    "INSERT INTO search_documents (post_id, topic_id, category_id, user_id, post_number, "
    "level, flags, closed, created_at, like_count, boost, vector, title_vector, indexed_at) "
    "SELECT post_id, topic_id, category_id, user_id, post_number, level, flags, closed, "
    "created_at, like_count, boost, title_vector || "
    "setweight(to_tsvector('german', body), 'B'), "
    "CASE WHEN post_number = 1 THEN title_vector END, :now "
    "FROM (SELECT *, setweight(to_tsvector('german', title), 'A') AS title_vector "
    "FROM search_documents_stage) AS stage ORDER BY post_id "
    "ON CONFLICT (post_id) DO UPDATE SET topic_id = excluded.topic_id, "
    "category_id = excluded.category_id, user_id = excluded.user_id, "
    "post_number = excluded.post_number, level = excluded.level, flags = excluded.flags, "
    "closed = excluded.closed, created_at = excluded.created_at, "
    "like_count = excluded.like_count, boost = excluded.boost, vector = excluded.vector, "
    "title_vector = excluded.title_vector, indexed_at = excluded.indexed_at"
)
#: The staged posts' lexemes, counted once more each (SearchTerm).
STAGE_TERMS = sa.text(
    "INSERT INTO search_terms (word, documents) "
    "SELECT (unnest(vector)).lexeme AS word, count(*) FROM search_documents "
    "WHERE post_id IN (SELECT post_id FROM search_documents_stage) GROUP BY 1 "
    "ON CONFLICT (word) DO UPDATE SET documents = search_terms.documents + excluded.documents"
)
#: After a rebuild: every lexeme and the number of documents holding it.
ALL_TERMS = sa.text(
    "INSERT INTO search_terms (word, documents) "
    "SELECT word, ndoc FROM ts_stat('SELECT vector FROM search_documents')"
)

#: A prefix ("tafel:*") is searched as the OR of the vocabulary's words that
#: start with it when there are no more than this many (postgres_sql._starting).
PREFIX_WORDS = 64
#: The words starting with each prefix's stem, and the lowest and highest post
#: id indexed (postgres_bounded._ids: one round trip less per search).
_STARTING = sa.text(
    "SELECT i.low, i.high, v.prefix, v.word, v.documents FROM (SELECT min(post_id) AS low, "
    "max(post_id) AS high FROM search_documents) AS i LEFT JOIN (SELECT p.prefix, t.word, "
    "t.documents FROM unnest(CAST(:prefixes AS text[])) AS p (prefix) "
    "CROSS JOIN LATERAL (SELECT min(lexeme) AS stem "
    "FROM unnest(to_tsvector('german', p.prefix))) AS s "
    "CROSS JOIN LATERAL (SELECT word, documents FROM search_terms WHERE word ~>=~ s.stem "
    "AND word ~<~ (s.stem || chr(1114111)) ORDER BY word LIMIT :most) AS t) AS v ON true"
)
#: The same, switching the text search's planner settings off for the rest of
#: the transaction as it goes (postgres_backend.tune): the search after it is
#: planned with them, one round trip less. ``t.tuned`` is selected so that the
#: calls are made (an unused column of a subquery may be left out).
_STARTING_TUNED = sa.text(
    "SELECT i.low, i.high, v.prefix, v.word, v.documents, t.tuned FROM (SELECT min(post_id) "
    "AS low, max(post_id) AS high FROM search_documents) AS i CROSS JOIN (SELECT "
    "set_config('enable_seqscan', 'off', true) || set_config('jit', 'off', true) AS tuned) AS t "
    "LEFT JOIN (SELECT p.prefix, t.word, "
    "t.documents FROM unnest(CAST(:prefixes AS text[])) AS p (prefix) "
    "CROSS JOIN LATERAL (SELECT min(lexeme) AS stem "
    "FROM unnest(to_tsvector('german', p.prefix))) AS s "
    "CROSS JOIN LATERAL (SELECT word, documents FROM search_terms WHERE word ~>=~ s.stem "
    "AND word ~<~ (s.stem || chr(1114111)) ORDER BY word LIMIT :most) AS t) AS v ON true"
)
#: The key in the session's info of what the planner settings are in which
#: transaction (postgres_backend.tune; _starts sets them with its statement).
TUNED = "search_planner_settings"
#: What a text search switches off until its transaction ends.
TEXT_SETTINGS = frozenset({"jit", "enable_seqscan"})


def tuned(session) -> set[str]:
    """Return the planner settings switched off in the session's transaction."""
    done = session.info.get(TUNED)
    transaction = session.get_transaction()
    return set(done[1]) if done is not None and done[0] is transaction is not None else set()


def _word_queries(word: str, starts: "Starts") -> list["Part"]:
    """Return the tsqueries all of which a loose word needs: one per word in it
    ("Erste-Hilfe": two, as the stored text is split), each the OR of its
    alternatives (a gender form's three forms, lemmas, compounds it starts)."""
    queries = []
    groups = word_groups(word)
    folded = fold(word)
    for group in groups:
        alternatives = [("plain", form) for form in group]
        if len(groups) == 1 and _prefixable(folded):
            # Also compounds starting with the word ("kranken:*" is stemmed
            # to "krank:*" and finds "krankenversicherungsbeitrag").
            alternatives.append(_starting(folded, starts))
        queries.append(("||", tuple(alternatives)))
    return queries


def _prefixable(folded: str) -> bool:
    return len(folded) >= MIN_HEAD and folded.isalnum()


def _prefix_pieces(word: str) -> list[str]:
    """Return the folded words of ``word*`` (letters and digits only, so
    to_tsquery's syntax cannot break). Split again after folding: its
    compatibility decomposition turns some letters and digits into syntax
    ("⑴" into "(1)", "½" into a fraction with its own slash), which made to_tsquery fail (a 500)."""
    return [
        part
        for piece in re.findall(_WORD_PIECE, word)
        for part in re.findall(_WORD_PIECE, fold(piece))
    ]


#: A run of letters and digits (``\w`` without the underscore).
_WORD_PIECE = re.compile(r"[^\W_]+")


def _prefix_query(word: str, starts: "Starts") -> "Part | None":
    """Return the tsquery of ``word*``: its words, the last one as a prefix."""
    pieces = _prefix_pieces(word)
    if not pieces:
        return None
    last = _starting(pieces[-1], starts)
    return ("&&", (("query", " & ".join(pieces[:-1])), last)) if pieces[:-1] else ("||", (last,))


def _starting(folded: str, starts: "Starts") -> "Atom":
    """Return the tsquery of the words starting with ``folded`` (stemmed): the
    OR of the vocabulary's words when it knows a few (``starts``), else
    PostgreSQL's prefix match. The GIN index finds exact words about four
    times faster than a prefix ("Tafel Gifhorn" at a million posts: the
    index scan 110 ms with prefixes, 16 without)."""
    words = starts.get(folded)
    if words:
        text = " | ".join(
            "'" + word.replace("\\", "\\\\").replace("'", "''") + "'" for word in words
        )
        return ("words", text)
    return ("query", f"{folded}:*")


#: A tsquery function's kind and its text: plainto_tsquery in the search's
#: configuration ("plain") or 'simple' (terms of the index), to_tsquery
#: ("query"), phraseto_tsquery ("phrase"), or a tsquery written out ("words").
Atom = tuple[str, str]
#: Atoms joined by one operator ("||" or "&&"), left to right.
Part = tuple[str, tuple[Atom, ...]]
_ATOMS = {
    "plain": lambda name: sa.func.plainto_tsquery(CONFIG, sa.bindparam(name, type_=sa.String())),
    "simple": lambda name: sa.func.plainto_tsquery("simple", sa.bindparam(name, type_=sa.String())),
    "query": lambda name: sa.func.to_tsquery(CONFIG, sa.bindparam(name, type_=sa.String())),
    "phrase": lambda name: sa.func.phraseto_tsquery(CONFIG, sa.bindparam(name, type_=sa.String())),
    "words": lambda name: sa.cast(sa.bindparam(name, type_=TSQUERY()), TSQUERY),
}


class Tsquery:
    """A search's tsquery as parts joined by one operator: ``key`` is its
    shape (the operators and each atom's kind), ``values`` its texts by the
    names ``build`` binds them to, so a statement built with it once serves
    every search of the same shape (postgres_shapes.py)."""

    def __init__(self, joiner: str, parts: list[Part]) -> None:
        self.parts = parts
        self.key = (joiner, tuple((op, tuple(kind for kind, _ in atoms)) for op, atoms in parts))
        self.values = {
            f"tsquery_{i}": text
            for i, text in enumerate(text for _, atoms in parts for _, text in atoms)
        }

    def build(self):
        """Return the tsquery expression, its texts as bound parameters."""
        names = iter(self.values)
        parts = []
        for op, atoms in self.parts:
            query = None
            for kind, _ in atoms:
                atom = _ATOMS[kind](next(names))
                query = atom if query is None else query.op(op)(atom)
            parts.append(query)
        tsquery = parts[0]
        for part in parts[1:]:
            tsquery = tsquery.op(self.key[0])(part)
        return tsquery


class Starts:
    """Per folded prefix, the vocabulary's words starting with its stem (when
    there are at most PREFIX_WORDS of them) and the documents of the most
    frequent one: fewer than hold any of them, but their sum counted a
    document holding "hilfe" and "hilfsbereit" twice, and for "Hilfe" (in
    47 % of the posts) made every post a match and the window too narrow."""

    def __init__(self, rows) -> None:
        found: dict[str, list[str]] = {}
        self.documents: dict[str, int] = {}
        for prefix, word, documents in rows:
            if prefix is None:
                continue
            found.setdefault(prefix, []).append(word)
            self.documents[prefix] = max(self.documents.get(prefix, 0), documents)
        self.words = {
            prefix: words for prefix, words in found.items() if len(words) <= PREFIX_WORDS
        }

    def get(self, prefix: str) -> list[str] | None:
        return self.words.get(prefix)


def _starts(prefixes: set[str]) -> Starts:
    """Return the vocabulary's words starting with each folded prefix's stem
    (SearchTerm); keep the lowest and highest post id for the request."""
    from flask import g

    from forum.extensions import db

    if not prefixes:
        return Starts([])
    session = db.session()
    # A text search follows: its settings come with this statement when the
    # transaction has not got them yet.
    statement = _STARTING if tuned(session) >= TEXT_SETTINGS else _STARTING_TUNED
    rows = session.execute(
        statement, {"prefixes": sorted(prefixes), "most": PREFIX_WORDS + 1}
    ).all()
    if statement is _STARTING_TUNED:
        session.info[TUNED] = (session.get_transaction(), set(TEXT_SETTINGS))
    g.search_ids = (rows[0].low, rows[0].high)
    return Starts([(row.prefix, row.word, row.documents) for row in rows])


def _single(word: str) -> str | None:
    """Return the folded word when it is one word without alternatives (no
    lemma, no gender forms), else None."""
    groups = word_groups(word)
    folded = fold(word)
    if len(groups) == 1 and groups[0] == [folded] and folded.isalnum():
        return folded
    return None


def estimated_documents(criteria: Criteria, starts: Starts) -> list[int] | None:
    """Return, per part of the query that every match needs, about how many
    documents hold it: the vocabulary's documents of the most frequent word
    starting with a loose word or prefix (``starts``), other parts left out
    (they only narrow the matches). For "any word"
    their sum, None when a word there has alternatives (lemmas, gender
    forms) or when no word is known."""
    known: list[int] = []
    for word in criteria.raw_words:
        folded = _single(word)
        if folded is not None:
            known.append(starts.documents.get(folded, 0))
        elif criteria.any_word and word_groups(word):
            return None
    for word in criteria.raw_prefixes:
        pieces = _prefix_pieces(word)
        if pieces:
            known.append(starts.documents.get(pieces[-1], 0))
    if not known:
        return None
    return [sum(known)] if criteria.any_word else known


def _lexemes(criteria: Criteria) -> tuple[Tsquery, list[int] | None]:
    """The tsquery of terms of the index (Criteria.lexemes), and their documents
    when the vocabulary was read near them in this request (a correction's
    check: postgres_backend._near), else None."""
    from flask import g

    known = g.get("search_vocabulary", {})
    parts = [("||", tuple(("simple", term) for term in group)) for group in criteria.words]
    tsquery = Tsquery("||" if criteria.any_word else "&&", parts)
    counts = [max(known.get(term, 0) for term in group) for group in criteria.words]
    estimate = counts if all(counts) else None
    if estimate is not None and criteria.any_word:
        estimate = [sum(estimate)]
    return tsquery, estimate


def _phrase_words(phrase: str) -> list[str]:
    """Return a phrase's folded words, stop words kept (they hold positions in
    the stored vector), a gender form as its first form."""
    return [fold(m.group("base") or m.group(0)) for m in WORD.finditer(phrase)]


def build_tsquery(criteria: Criteria) -> tuple[Tsquery, list[int] | None]:
    """Return the tsquery of a search's words, prefixes and phrases, and the
    estimate of the documents holding its parts (estimated_documents)."""
    if criteria.lexemes:
        return _lexemes(criteria)
    prefixes = {fold(word) for word in criteria.raw_words if len(word_groups(word)) == 1}
    prefixes = {folded for folded in prefixes if _prefixable(folded)}
    prefixes |= {pieces[-1] for word in criteria.raw_prefixes if (pieces := _prefix_pieces(word))}
    # Also the short words, for the estimate (their words are not searched).
    starts = _starts(prefixes | {s for word in criteria.raw_words if (s := _single(word))})
    parts = [part for word in criteria.raw_words for part in _word_queries(word, starts)]
    parts += [q for word in criteria.raw_prefixes if (q := _prefix_query(word, starts)) is not None]
    parts += [
        ("||", (("phrase", " ".join(_phrase_words(phrase))),)) for phrase in criteria.raw_phrases
    ]
    if not parts:
        # Only terms without a meaningful word ("*", "der.die.das"): search
        # for them as analysed; PostgreSQL's parser drops what it cannot use.
        analysed = (*criteria.words, *criteria.phrases)
        parts = [("||", (("plain", " ".join(t for ts in analysed for t in ts)),))]
    tsquery = Tsquery("||" if criteria.any_word else "&&", parts)
    return tsquery, estimated_documents(criteria, starts)
