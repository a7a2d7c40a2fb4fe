"""Searching, reindexing and the index's health, for views and the CLI."""

import logging
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask, after_this_request, current_app
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from forum import permissions
from forum.boards.models import Category, Post, Topic
from forum.extensions import db
from forum.search import outbox
from forum.search.analysis import (
    STOP_WORDS,
    Splitter,
    compound_head,
    fold,
    prefix_term,
    splitter_for,
    term_groups,
)
from forum.search.backend import (
    Backend,
    Criteria,
    Progress,
    get_backend,
    splitter_of,
)
from forum.search.documents import documents, excluded_flags, readable_levels
from forum.search.models import SearchOutbox
from forum.search.query import ParsedQuery, QueryError, parse, plugin_filter
from forum.search.results import SearchResult, result_posts, results_of
from forum.site.services import setting
from forum.users.models import User

logger = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# --- The backend ---------------------------------------------------------------------


def make_backend(app: Flask) -> Backend:
    """Build the backend SEARCH_BACKEND names (called once by the app factory)."""
    # The file words only: the admin's words are read from the database when
    # analysing (backend.splitter_of).
    splitter = splitter_for(app.config.get("SEARCH_COMPOUND_WORDS") or None)
    name = app.config["SEARCH_BACKEND"]
    if name == "whoosh":
        directory = app.config["SEARCH_INDEX_DIR"] or f"{app.instance_path}/search-index"
        timeout = app.config["SEARCH_LOCK_TIMEOUT"]

        def build() -> Backend:
            from forum.search.whoosh_backend import WhooshBackend

            return WhooshBackend(directory, splitter, timeout)

        return DeferredBackend("whoosh", build)
    if name == "postgres":
        from forum.search.postgres_backend import PostgresBackend

        with app.app_context():
            return PostgresBackend(db.engine, splitter)
    raise RuntimeError(f"SEARCH_BACKEND must be 'whoosh' or 'postgres', not {name!r}.")


class DeferredBackend:
    """A backend built on first use.

    Importing Whoosh's index, codec and reader modules costs each web worker
    ~3 MB that only a search or an index write needs; a worker that serves
    pages only never pays it.
    """

    def __init__(self, name: str, build: Callable[[], Backend]) -> None:
        self.name = name
        self._build = build
        self._backend: Backend | None = None
        self._lock = threading.Lock()

    def _target(self) -> Backend:
        if self._backend is None:
            with self._lock:
                if self._backend is None:
                    self._backend = self._build()
        return self._backend

    def __getattr__(self, attribute: str):
        return getattr(self._target(), attribute)

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()


def _splitter() -> Splitter:
    return splitter_of(current_app)


# --- Searching -----------------------------------------------------------------------


@dataclass
class SearchPage:
    query: str
    results: list[SearchResult] = field(default_factory=list)
    #: Topics found in all; pages hold ``per_page`` of them.
    total: int = 0
    #: When not 0, more than this many topics match and ``total`` counts the
    #: ones ranked (the backend's bound).
    more_than: int = 0
    page: int = 1
    per_page: int = 20
    order: str = "relevance"
    #: Things the user should know although the search ran.
    notices: list = field(default_factory=list)
    #: The query as typed when it found nothing and these are the results of
    #: its correction (``query``), "Did you mean …?".
    corrected_from: str | None = None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def search(user: Any, text: str, *, page: int = 1, correct: bool = True) -> SearchPage:
    """Search what ``user`` may read; raise QueryError with a message for the user.

    When nothing is found and ``correct``, search for the query with its
    unknown words corrected (forum/search/spelling.py) and say so.
    """
    per_page = setting("SEARCH_PER_PAGE")
    # Control characters (NUL breaks PostgreSQL) become spaces.
    text, shortened = _shortened(_CONTROL.sub(" ", text or "").strip())
    parsed = parse(text)
    if shortened:
        parsed.notices.append(
            _l("Your search was long; only its first %(count)d characters were used.",
               count=len(text))
        )  # fmt: skip
    criteria = _criteria(user, parsed)
    page = max(1, min(page, 1000))
    hits = get_backend().search(criteria, (page - 1) * per_page, per_page, result_posts(user))
    if not hits.total and correct and parsed.words:
        from forum.search.spelling import corrected_query

        corrected = corrected_query(user, text, parsed.words)
        if corrected is not None:
            found = search(user, corrected, page=page, correct=False)
            if found.total:
                found.corrected_from = text
                return found
    result = SearchPage(
        query=text, total=hits.total, more_than=hits.more_than, page=page, per_page=per_page,
        order=criteria.order, notices=list(parsed.notices),
    )  # fmt: skip
    wanted = {t for terms_ in (*criteria.words, *criteria.phrases) for t in terms_}
    prefixes = (*criteria.prefixes, *(head for head in criteria.heads if head))
    result.results = results_of(user, hits, wanted, prefixes)
    return result


def _shortened(text: str) -> tuple[str, bool]:
    """Return ``text`` cut to SEARCH_MAX_QUERY_LENGTH at the end of a word, and
    whether it was cut (a word cut in half would find nothing)."""
    limit = current_app.config["SEARCH_MAX_QUERY_LENGTH"]
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    if not text[limit].isspace() and re.search(r"\s", cut):
        cut = cut[: re.search(r"\s\S*$", cut).start()]
    return cut.rstrip(), True


def _groups(words: list[str]) -> list[list[str]]:
    """Return the required term groups of the loose words (each a list of alternatives)."""
    splitter = _splitter()
    return [group for word in words for group in term_groups(word, splitter)]


def _heads(words: list[str]) -> list[str]:
    """Return, per term group of ``_groups(words)``, the first part of compounds
    it also finds (one-word groups of plain words only), or ""."""
    splitter = _splitter()
    heads = []
    for word in words:
        groups = term_groups(word, splitter)
        head = compound_head(fold(word), splitter) if len(groups) == 1 else None
        heads += [head or ""] * len(groups)
    return heads


def _phrases(phrases: list[str]) -> list[list[str]]:
    """Return each phrase's terms (a gender form by its first form: every
    form shares the position in the word sequence)."""
    splitter = _splitter()
    found = ([group[0] for group in term_groups(p, splitter)] for p in phrases)
    return [terms_ for terms_ in found if terms_]


def _criteria(user: Any, parsed: ParsedQuery) -> Criteria:
    if not parsed.has_text and not parsed.has_filters:
        raise QueryError(_l("Type a few words to search for, or use a filter such as @name."))
    criteria = Criteria(
        words=_groups(parsed.words),
        heads=_heads(parsed.words),
        phrases=_phrases(parsed.phrases),
        in_title=parsed.in_title,
        in_first=parsed.in_first,
        order=parsed.order,
        levels=readable_levels(user),
        excluded_flags=excluded_flags(user),
    )
    # Only the words that survive analysis count (stop words do not).
    criteria.raw_words = [w for w in parsed.words if _meaningful(w)]
    criteria.raw_phrases = [p for p in parsed.phrases if _meaningful(p)]
    for word in parsed.prefixes:
        term = prefix_term(word, _splitter())
        if term is None:  # too short to start many words: the word itself
            criteria.words += _groups([word])
            criteria.heads += [""] * (len(criteria.words) - len(criteria.heads))
            criteria.raw_words += [word] if _meaningful(word) else []
        else:
            criteria.prefixes.append(term)
            criteria.raw_prefixes.append(word)
    if parsed.has_text and not criteria.has_text:
        if not parsed.has_filters:
            raise QueryError(
                _l("These words are too common to search for; add a more specific word.")
            )
        parsed.notices.append(_l("Very common words were left out of the search."))
    criteria.user_ids = _user_ids(parsed.usernames)
    criteria.category_ids = _category_ids(user, parsed.category_slugs)
    if parsed.topic_id is not None:
        topic = db.session.get(Topic, parsed.topic_id)
        if topic is None or not permissions.can_read_topic(user, topic):
            raise QueryError(_l("There is no topic %(id)s.", id=parsed.topic_id))
        criteria.topic_id = topic.id
    if parsed.status:
        criteria.closed = parsed.status == "closed"
    criteria.after = _start_of(parsed.after)
    criteria.before = _start_of(parsed.before)
    if criteria.after and criteria.before and criteria.after >= criteria.before:
        raise QueryError(_l("The after: date must come before the before: date."))
    for name, value in parsed.extra:
        handler = plugin_filter(name)
        if handler is None:  # pragma: no cover (unregistered between parse and here)
            raise QueryError(_l("Unknown filter %(name)s:.", name=name))
        try:
            criteria.conditions.append(handler(value))
        except ValueError as error:
            # A plugin's handler refuses a value with a message for the user.
            raise QueryError(str(error)) from error
    return criteria


def _meaningful(text: str) -> bool:
    return any(fold(w) not in STOP_WORDS for w in re.findall(r"\w+", text.lower()))


def _user_ids(usernames: list[str]) -> list[int]:
    if not usernames:
        return []
    lowered = {name.lower() for name in usernames}
    found = dict(
        db.session.execute(
            sa.select(User.username_lower, User.id).where(User.username_lower.in_(lowered))
        ).all()
    )
    for name in usernames:
        if name.lower() not in found:
            raise QueryError(_l("Nobody here is called @%(name)s.", name=name))
    return list(found.values())


def _category_ids(user: Any, slugs: list[str]) -> list[int] | None:
    """Return the readable categories named and their subcategories, or None for all."""
    if not slugs:
        return None
    readable = permissions.readable_categories_clause(user)
    named = dict(
        db.session.execute(
            sa.select(Category.slug, Category.id).where(Category.slug.in_(slugs), readable)
        ).all()
    )
    for slug in slugs:
        if slug not in named:
            raise QueryError(_l("There is no category #%(slug)s.", slug=slug))
    children = db.session.scalars(
        sa.select(Category.id).where(Category.parent_id.in_(named.values()), readable)
    )
    return sorted({*named.values(), *children})


def _start_of(day: date | None) -> datetime | None:
    """Return the start of ``day`` in the forum's time zone."""
    if day is None:
        return None
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(str(get_timezone())))


# --- Keeping the index in step ---------------------------------------------------------


def reindex(app: Flask | None = None, progress: Progress | None = None) -> int:
    """Rebuild the whole index from the database; return the number of posts indexed."""
    app = app or current_app._get_current_object()
    backend = get_backend(app)
    with Session(db.engine) as session:
        last = session.scalar(sa.select(sa.func.max(SearchOutbox.id))) or 0
        count = backend.rebuild(session, lambda: documents(session), progress)
        # The rebuild read every change these rows stand for.
        session.execute(sa.delete(SearchOutbox).where(SearchOutbox.id <= last))
        session.commit()
    backend.after_rebuild()
    outbox.process_outbox(app)
    return count


def reindex_after_response() -> None:
    """Rebuild the index once the current response has been sent (the admin's
    compound words changed); a failure is logged and ``search reindex`` repairs."""
    app = current_app._get_current_object()

    def rebuild() -> None:
        try:
            with app.app_context():
                reindex(app)
        except Exception:
            logging.getLogger(__name__).exception(
                "Rebuilding the search index failed; run `flask --app forum search reindex`."
            )

    @after_this_request
    def hand_over(response):
        response.call_on_close(rebuild)
        return response


def post_count() -> int:
    """Return the number of posts in the database (every one has a document)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Post)) or 0


@dataclass
class Status:
    backend: str
    documents: int
    posts: int
    pending: int
    failed_attempts: int
    #: The index predates the current schema: only a reindex helps.
    needs_rebuild: bool = False

    @property
    def in_step(self) -> bool:
        return self.documents == self.posts and self.pending == 0 and not self.needs_rebuild


def index_status() -> Status:
    """Compare the documents in the index with the posts in the database."""
    backend = get_backend()
    attempts = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(SearchOutbox.attempts), 0)))
    return Status(
        backend=backend.name,
        documents=backend.document_count(),
        posts=post_count(),
        pending=outbox.pending_count(),
        failed_attempts=attempts or 0,
        needs_rebuild=backend.needs_rebuild(),
    )
