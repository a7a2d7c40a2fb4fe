"""A search's results as the page shows them: the hits' posts (loaded with
the search, backend.PostLoad), the title and an excerpt with the matched
words marked, and what plugins add under each."""

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy.orm import contains_eager, joinedload

from forum import permissions
from forum.boards.models import Post, Topic
from forum.plugins import search_result_extras
from forum.search.analysis import WORD, Splitter, analyzer
from forum.search.backend import Hits, PostLoad, splitter_of
from forum.search.documents import plain_text

logger = logging.getLogger(__name__)

#: Characters of text shown around the first match.
EXCERPT_LENGTH = 220
#: The pieces of marked text, made once (a Markup per tag and result was a
#: tenth of the highlighting's time).
MARK, UNMARK, ELLIPSIS, NOTHING = Markup("<mark>"), Markup("</mark>"), Markup("…"), Markup("")


@dataclass
class SearchResult:
    topic: Topic
    post: Post
    #: Title and excerpt as safe HTML with <mark> around the matched words.
    title_html: Markup
    excerpt_html: Markup
    #: What plugins show under the result (the solved plugin: the accepted answer).
    extra_html: Markup = field(default_factory=Markup)


def result_posts(user: Any) -> PostLoad:
    """What a search loads of its results' posts: the ones ``user`` may find,
    with their authors, topics and categories; one per kind of reader, as the
    PostgreSQL backend keeps the statement it joins per shape (postgres_shapes.py)."""
    key = ("search.result_posts", permissions.findable_posts_key(user))
    load = _LOADS.get(key)
    if load is None:
        # The index already filtered by permissions; asking them again here only
        # catches an index that lags behind (its outbox not yet applied).
        load = _LOADS[key] = PostLoad(
            permissions.findable_posts_clause(user),
            # The post's author, its topic and the topic's category: what the
            # search page, /search.json and similar topics read. Not the
            # topic's author, which none of them reads: a fifth of the objects.
            (joinedload(Post.user), contains_eager(Post.topic).contains_eager(Topic.category)),
            shape=key,
        )
    return load


#: The loads by shape: a few kinds of reader (permissions.findable_posts_key).
_LOADS: dict[tuple, PostLoad] = {}


def results_of(
    user: Any, hits: Hits, wanted: set[str], prefixes: tuple[str, ...] = ()
) -> list[SearchResult]:
    """Return the hits (searched with ``result_posts``) as results, matches marked."""
    post_ids = [hit.post_id for hit in hits.hits]
    if not post_ids:
        return []
    by_id = hits.posts
    results = []
    marks = WordMarks(wanted, splitter_of(current_app), prefixes)
    for post_id in post_ids:
        post = by_id.get(post_id)
        if post is None:
            logger.info("Search index is behind for post %s; left out.", post_id)
            continue
        results.append(
            SearchResult(
                topic=post.topic,
                post=post,
                title_html=highlight(post.topic.title, marks, whole=True),
                excerpt_html=highlight(plain_text(post.cooked), marks),
            )
        )
    extras = search_result_extras([result.topic for result in results], user)
    for result in results:
        result.extra_html = extras.get(result.topic.id, Markup(""))
    return results


@lru_cache(maxsize=4096)
def _word_terms(word: str, splitter: Splitter) -> tuple[str, ...]:
    """Return the terms the index makes of one word (``WORD`` match)."""
    return tuple(token.text for token in analyzer(splitter)(word, mode="index"))


class WordMarks:
    """Which words of a text match ``wanted`` terms or start with one of
    ``prefixes``: for the results of one search page.

    Each word is analysed on its own (every filter works on one token), and
    whether it matches is kept per distinct word for the page: its results
    repeat most of their words, and analysing every word of every excerpt was
    a third of a search's time; asking the terms' cache and testing them for
    every word was still a fifth (2.3 ms of CPU for 20 results at a million
    posts).
    """

    def __init__(
        self, wanted: set[str], splitter: Splitter, prefixes: tuple[str, ...] = ()
    ) -> None:
        self.wanted = wanted
        self.splitter = splitter
        self.prefixes = prefixes
        self.marked: dict[str, bool] = {}

    def _marks(self, word: str) -> bool:
        found = _word_terms(word, self.splitter)
        marks = not self.wanted.isdisjoint(found) or (
            bool(self.prefixes) and any(term.startswith(self.prefixes) for term in found)
        )
        self.marked[word] = marks
        return marks

    def spans(self, text: str, first: bool = False) -> list[tuple[int, int]]:
        """Return the (start, end) character spans of the matching words in
        ``text`` (only the first with ``first``)."""
        found = []
        marked = self.marked
        for match in WORD.finditer(text):
            word = match.group(0)
            marks = marked.get(word)
            if marks is None:
                marks = self._marks(word)
            if marks:
                found.append(match.span())
                if first:
                    break
        return found


def highlight(text: str, marks: WordMarks, *, whole: bool = False) -> Markup:
    """Return ``text`` (or an excerpt around the first match) escaped, the
    words ``marks`` matches in <mark>."""
    start, end = 0, len(text)
    if not marks.wanted and not marks.prefixes:
        spans: list[tuple[int, int]] = []
    elif whole or len(text) <= EXCERPT_LENGTH:
        spans = marks.spans(text)
    else:
        # Analyse up to the first match, then only the excerpt around it.
        first = next(iter(marks.spans(text, first=True)), (0, 0))[0]
        start = max(0, first - EXCERPT_LENGTH // 3)
        if start:
            start = text.find(" ", start) + 1 or start
        end = min(len(text), start + EXCERPT_LENGTH)
        if end < len(text):
            end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
        found = marks.spans(text[start:end])
        spans = [(a + start, b + start) for a, b in found]
    pieces = [ELLIPSIS if start else NOTHING]
    position = start
    for span_start, span_end in spans:
        if span_start < position or span_end > end:
            continue
        pieces += [escape(text[position:span_start]), MARK,
                   escape(text[span_start:span_end]), UNMARK]  # fmt: skip
        position = span_end
    pieces.append(escape(text[position:end]))
    if end < len(text):
        pieces.append(ELLIPSIS)
    return NOTHING.join(pieces)
