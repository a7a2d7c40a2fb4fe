""" "Did you mean …?": corrections from the index's own vocabulary.

When a query finds nothing, each of its words that no document holds is
compared with the index's terms (Whoosh: its lexicon; PostgreSQL: the
vocabulary table's words sharing the word's first letters) within one
edit (two for words of six letters or more; swapped letters count one), the
closest and most frequent first. A candidate is offered only when a search
for it as ``user`` finds a post, and it is offered as the word written in
that post ("nachbarschaftshilf" → "Nachbarschaftshilfe"): a word that only
occurs in posts the reader may not see is never shown.
"""

from typing import Any

from flask import current_app
from whoosh.support.levenshtein import distance

from forum import permissions
from forum.search.analysis import analyzer, fold, term_groups
from forum.search.backend import Criteria, PostLoad, get_backend, splitter_of
from forum.search.documents import excluded_flags, plain_text, readable_levels

#: Candidates tried per word (each costs a search).
TRIED = 3


def max_distance(term: str) -> int:
    return 1 if len(term) < 6 else 2


def closest(term: str, frequencies: dict[str, int], limit: int = TRIED) -> list[str]:
    """Return the terms within ``max_distance`` of ``term``, nearest and most
    frequent first."""
    limit_distance = max_distance(term)
    near = {
        word: found
        for word in frequencies
        if word != term and (found := distance(word, term, limit=limit_distance)) <= limit_distance
    }
    return sorted(near, key=lambda word: (near[word], -frequencies[word], word))[:limit]


def corrected_query(user: Any, text: str, words: list[str]) -> str | None:
    """Return ``text`` with its words that the index does not hold replaced by
    the closest word found in a post ``user`` may read, or None."""
    splitter = splitter_of(current_app)
    backend = get_backend()
    levels = readable_levels(user)
    flags = excluded_flags(user)
    corrected = text
    changed = False
    for word in dict.fromkeys(words):
        groups = term_groups(word, splitter)
        if len(groups) != 1:
            continue
        # Near the stem, and near the word itself: the stemmer may cut a typo
        # further than the right word ("jugendfeuerwer" → "jugendfeuerw").
        # The word's own candidates are looked up only when none of the
        # stem's is written in a post the reader may see (Whoosh: each lookup
        # scans the lexicon).
        terms = list(dict.fromkeys((groups[0][0], fold(word))))
        suggest = backend.corrector(groups[0], terms, levels, flags)
        if suggest is None:
            continue
        tried: set[str] = set()
        for term in terms:
            written = _first_written(user, suggest(term), tried)
            if written:
                corrected = corrected.replace(word, written, 1)
                changed = True
                break
    return corrected if changed else None


def _first_written(user: Any, candidates: list[str], tried: set[str]) -> str | None:
    """Return the first of ``candidates`` not yet ``tried`` as written in a post
    ``user`` may read, or None."""
    for candidate in candidates:
        if candidate in tried:
            continue
        tried.add(candidate)
        written = _written(user, candidate)
        if written:
            return written
    return None


def _written(user: Any, term: str) -> str | None:
    """Return ``term`` as written in the best post ``user`` may read that holds
    it, or None when no such post exists."""
    criteria = Criteria(
        words=[[term]],
        raw_words=[term],
        lexemes=True,
        levels=readable_levels(user),
        excluded_flags=excluded_flags(user),
    )
    # The post's text and its topic's title come with the search (PostgreSQL:
    # in its statement), if the reader may find it.
    shown = _written_load(user)
    found = get_backend().search(criteria, 0, 1, shown)
    post = found.posts.get(found.hits[0].post_id) if found.hits else None
    if post is None:
        return None
    splitter = splitter_of(current_app)
    for text in (post.title, plain_text(post.cooked)):
        last = None
        for token in analyzer(splitter)(text, mode="index", positions=True, chars=True):
            own = token.pos != last  # the first term of a position is the word's own
            last = token.pos
            if own and token.text == term:
                return text[token.startchar : token.endchar]
    return None


def _written_load(user: Any) -> PostLoad:
    """The post's text and its topic's title, if ``user`` may find the post;
    one per kind of reader (as results.result_posts)."""
    from forum.boards.models import Post, Topic

    key = ("search.written", permissions.findable_posts_key(user))
    load = _LOADS.get(key)
    if load is None:
        condition = permissions.findable_posts_clause(user)
        load = _LOADS[key] = PostLoad(condition, columns=(Topic.title, Post.cooked), shape=key)
    return load


#: The loads by shape: a few kinds of reader (permissions.findable_posts_key).
_LOADS: dict[tuple, PostLoad] = {}
