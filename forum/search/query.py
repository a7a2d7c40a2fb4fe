"""The query language: words, "exact phrases" and Discourse's filter words.

    Einkaufen Meinersen          both words (stemmed, compounds split)
    Einkauf*                     words starting with "Einkauf"
    "Erste Hilfe"                the words next to each other
    @anna                        posts by anna
    #fragen-antworten            in this category (and its subcategories)
    topic:42                     in this topic
    in:title  in:first           words in the title / first posts only
    status:open  status:closed   open or closed topics
    before:2025-01-31  after:2024-12-01
    order:latest  order:oldest  order:likes

Plugins add filter words with ``register_filter``. Parsing never fails with
an exception other than ``QueryError``, whose message is shown to the user.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from forum.routing import MAX_ID


class QueryError(Exception):
    """The query cannot be run; ``message`` tells the user why, in their language."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


#: A plugin filter: gets the value after "name:" and returns a SQL condition on
#: Topic (topics failing it are left out), or raises QueryError for a bad value.
FilterHandler = Callable[[str], sa.ColumnElement[bool]]

_FILTERS: dict[str, FilterHandler] = {}

ORDERS = ("relevance", "latest", "oldest", "likes")
STATUSES = ("open", "closed")


def register_filter(name: str, handler: FilterHandler) -> None:
    """Add a filter word ``name:value``; ``handler(value)`` returns a SQL condition.

    ``status`` may be extended with values other than open and closed; the
    other built-in words cannot be replaced. Example (the solved plugin)::

        def solved(value):
            if value not in ("solved", "unsolved"):
                raise QueryError(_l("Use status:solved or status:unsolved."))
            condition = Topic.id.in_(sa.select(Answer.topic_id))
            return condition if value == "solved" else ~condition

        register_filter("status", solved)
    """
    if name in _BUILT_IN - {"status"}:
        raise ValueError(f"the filter word {name!r} is built in")
    _FILTERS[name] = handler


def unregister_filter(name: str) -> None:
    """Remove a plugin's filter word (tests, disabling a plugin)."""
    _FILTERS.pop(name, None)


def _filters() -> dict[str, FilterHandler]:
    """Return the filter words of register_filter() and of the enabled plugins
    (their ``register_search_filters`` hook): a disabled plugin's words vanish."""
    found = dict(_FILTERS)
    if has_app_context():
        from forum.plugins import search_filters

        for search_filter in search_filters(current_app):
            found[search_filter.name] = search_filter.handler
    return found


def plugin_filter(name: str) -> FilterHandler | None:
    return _filters().get(name)


@dataclass
class ParsedQuery:
    """A query taken apart; names and slugs are resolved later by the service."""

    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    #: Words written with a trailing "*" (without it): words starting with them.
    prefixes: list[str] = field(default_factory=list)
    usernames: list[str] = field(default_factory=list)
    category_slugs: list[str] = field(default_factory=list)
    topic_id: int | None = None
    in_title: bool = False
    in_first: bool = False
    status: str | None = None
    before: date | None = None
    after: date | None = None
    order: str = "relevance"
    #: (name, value) of plugin filter words.
    extra: list[tuple[str, str]] = field(default_factory=list)
    #: Something was wrong but the search could still run (an unclosed quote).
    notices: list = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases or self.prefixes)

    @property
    def has_filters(self) -> bool:
        return bool(
            self.usernames or self.category_slugs or self.topic_id or self.status
            or self.before or self.after or self.extra or self.in_first
        )  # fmt: skip


_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TOPIC_ID = re.compile(r"[0-9]+")
#: A prefix query has a letter or digit before its "*".
_PREFIX = re.compile(r"\w\**$")
# No post is older than this or newer than that; days beyond both are moved
# to them (the results stay the same), so a day in the forum's time zone
# never leaves the range a datetime holds.
_EARLIEST = date(1900, 1, 1)
_LATEST = date.max - timedelta(days=2)
_BUILT_IN = {"in", "status", "before", "after", "order", "topic"}


def _parse_date(name: str, value: str) -> date:
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        return min(max(date.fromisoformat(value), _EARLIEST), _LATEST)
    except ValueError:
        raise QueryError(
            _l(
                "“%(name)s:%(value)s” is not a date; write it as %(name)s:2025-03-31.",
                name=name,
                value=value,
            )
        ) from None


def parse(text: str) -> ParsedQuery:
    """Take a query apart; raise QueryError with a helpful message when it is wrong."""
    parsed = ParsedQuery()
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u201e", '"')
    if text.count('"') % 2:
        parsed.notices.append(_l("A quotation mark was not closed; we closed it at the end."))
    for match in _TOKEN.finditer(text):
        phrase, word = match.groups()
        if phrase is not None:
            if phrase.strip():
                parsed.phrases.append(phrase.strip())
            continue
        _parse_word(parsed, word)
    return parsed


def _parse_word(parsed: ParsedQuery, word: str) -> None:
    if word.startswith("@") and len(word) > 1:
        parsed.usernames.append(word[1:])
        return
    if word.startswith("#") and len(word) > 1:
        parsed.category_slugs.append(word[1:].lower())
        return
    name, colon, value = word.partition(":")
    name = name.lower()
    if not colon or not (name in _BUILT_IN or name in _filters()):
        if word.endswith("*") and _PREFIX.search(word):
            parsed.prefixes.append(word.rstrip("*"))
        else:
            parsed.words.append(word)
        return
    value = value.strip()
    if name == "in":
        if value.lower() not in ("title", "first"):
            raise QueryError(_l("Use in:title or in:first."))
        setattr(parsed, f"in_{value.lower()}", True)
    elif name == "status" and value.lower() in STATUSES:
        parsed.status = value.lower()
    elif name == "status" and "status" not in _filters():
        raise QueryError(_l("Use status:open or status:closed."))
    elif name in ("before", "after"):
        setattr(parsed, name, _parse_date(name, value))
    elif name == "order":
        if value.lower() not in ORDERS:
            raise QueryError(_l("Use order:latest, order:oldest or order:likes."))
        parsed.order = value.lower()
    elif name == "topic":
        if not _TOPIC_ID.fullmatch(value):
            raise QueryError(_l("topic: needs the number of a topic, e.g. topic:42."))
        if not 1 <= int(value) <= MAX_ID:
            raise QueryError(_l("There is no topic %(id)s.", id=value))
        parsed.topic_id = int(value)
    else:
        parsed.extra.append((name, value))
