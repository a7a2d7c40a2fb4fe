"""Member pages kept with their personal parts as slots, filled in per reader.

A member's topic page differs from another member's in a few places only:
the header (name, avatar, counts), the tokens of its forms, each post's like,
bookmark and own-post controls, the watching control, the language form's
return address. Everything else is the same for every member of the same kind
(role, silenced or not, the topic's author or not) reading the same page in the
same language and time zone. Such a page is rendered once per page generation
(forum/pagecache.py: every commit that changes what a page shows bumps it) with
a **slot** where each personal part goes, split at its slots, and kept; each
request joins the parts with the reader's own values (``KeptPage.fill``).

A slot is a marker holding a random nonce drawn when the process starts: the
page is split at markers only, and no text a user typed (a title, a name) can
hold one, as it cannot guess the nonce. While a page is being built
(``building``), templates and template globals ask ``slot(name)`` for a marker
instead of rendering the personal part; ``building`` also holds the kept facts
the filling needs (``Build.data``) and whether anything personal was rendered
in place after all (``Build.keepable``): such a page is filled for its reader
and not kept.

Which pages are kept, which parts are slots and what fills them is decided by
the page's own module (forum/boards/kept_topic.py); this module holds the
mechanism: markers, the build in ``g``, the split, and the bounded store.
"""

import secrets
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g, has_request_context
from markupsafe import Markup

from forum.pagecache_stores import SWEEP_SECONDS

#: Drawn once per process: a page is split at markers holding it, never at text a user typed.
_NONCE = secrets.token_hex(8)
_OPEN = f"\x00kept-{_NONCE}:"
_CLOSE = "\x00"
#: What one kept page costs beside its parts: its key, the list, the facts kept with it.
ENTRY_OVERHEAD = 4096
_BUILD = "forum_kept_page_build"


def marker(name: str) -> str:
    """Return the slot marker for ``name`` (letters, digits, ``:`` and ``_``)."""
    return f"{_OPEN}{name}{_CLOSE}"


@dataclass
class Build:
    """A page being rendered to be kept: its slots' facts and whether it may be kept."""

    #: Facts the page's module records while rendering (the posts' facts, say).
    data: dict[str, Any] = field(default_factory=dict)
    #: False once anything personal was rendered in place (the page is then
    #: filled for its reader and not kept).
    keepable: bool = True
    #: Why not, for the log and the tests.
    reasons: list[str] = field(default_factory=list)

    def not_keepable(self, reason: str) -> None:
        self.keepable = False
        self.reasons.append(reason)


def building() -> Build | None:
    """Return the page being built in this request, or None (an ordinary render)."""
    if not has_request_context():
        return None
    return g.get(_BUILD)


@contextmanager
def building_page() -> Iterator[Build]:
    """Render a page to be kept inside this block: slots instead of personal parts.

    Flask-WTF hands out the request's CSRF token from ``g``: while the page is
    built every form gets the token's slot instead, which each reader's own
    token fills in.
    """
    build = Build()
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    setattr(g, _BUILD, build)
    setattr(g, field, marker("csrf"))
    try:
        yield build
    finally:
        g.pop(_BUILD, None)
        g.pop(field, None)


def slot(name: str) -> Markup | None:
    """Template global: a marker while a page is built, else None (render in place).

    ``{% set s = slot("user_nav") %}{% if s %}{{ s }}{% else %}…{% endif %}``
    """
    return Markup(marker(name)) if building() is not None else None  # noqa: S704 (no input)


#: A split page: literal text at even positions, as UTF-8, slot names at odd ones.
#: Kept encoded: a page is joined per request as bytes (a few microseconds),
#: where joining it as text and encoding the result took ~0.1 ms (a page with
#: characters beyond Latin-1 is a string of two bytes per character), and it
#: holds half the memory.
Parts = tuple[bytes | str, ...]


def split(page: str) -> Parts:
    """Return ``page`` split at its markers: text, name, text, name, …, text."""
    pieces = page.split(_OPEN)
    parts: list[bytes | str] = [pieces[0].encode()]
    for piece in pieces[1:]:
        name, _close, text = piece.partition(_CLOSE)
        parts += (name, text.encode())
    return tuple(parts)


def cost(parts: Parts) -> int:
    return sum(sys.getsizeof(part) for part in parts)


class KeptPages:
    """Kept pages by key, least recently used dropped first; bounded by bytes.

    An entry is ``(value, weight, generation, expires)``: what the page's module
    keeps, what it counted for it, the page generation it was built in and when
    it runs out (``time.monotonic``; None: with its generation only). An entry of
    another generation or past its time can never be served again: it is dropped
    when a page of a new generation is kept, and every ``SWEEP_SECONDS`` (the
    guests' store's, forum/pagecache_stores.py), rather
    than holding memory until newer pages push it out (a quiet forum's workers
    would otherwise keep the whole bound filled with dead pages).
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.pages: OrderedDict[tuple, tuple[Any, int, str, float | None]] = OrderedDict()
        self.lock = threading.Lock()
        self.last_generation: str | None = None
        self.swept = time.monotonic()

    def get(self, key: tuple) -> Any:
        with self.lock:
            entry = self.pages.get(key)
            if entry is None:
                return None
            self.pages.move_to_end(key)
            return entry[0]

    def set(
        self, key: tuple, value: Any, weight: int, generation: str, expires: float | None = None
    ) -> None:
        weight += ENTRY_OVERHEAD
        now = time.monotonic()
        with self.lock:
            if generation != self.last_generation:
                # A new generation (or, racing a slow request, an older one: then
                # the newer pages are built again) leaves the others' pages dead.
                self.last_generation = generation
                self._drop(lambda entry: entry[2] != generation)
            elif now - self.swept >= SWEEP_SECONDS:
                self.swept = now
                self._drop(lambda entry: entry[3] is not None and entry[3] <= now)
            old = self.pages.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            if weight > self.max_bytes:
                return
            self.pages[key] = (value, weight, generation, expires)
            self.bytes += weight
            while self.bytes > self.max_bytes:
                _key, dropped = self.pages.popitem(last=False)
                self.bytes -= dropped[1]

    def _drop(self, dead: Callable[[tuple], bool]) -> None:
        for key in [key for key, entry in self.pages.items() if dead(entry)]:
            self.bytes -= self.pages.pop(key)[1]

    def grow(self, key: tuple, value: Any, extra: int) -> bool:
        """Count ``extra`` more bytes for ``key`` while it still holds ``value`` (what
        its page keeps after it was set); False, and nothing counted, when it holds
        it no more or the entry would outgrow the whole store."""
        with self.lock:
            entry = self.pages.get(key)
            if entry is None or entry[0] is not value or entry[1] + extra > self.max_bytes:
                return False
            self.pages[key] = (value, entry[1] + extra, *entry[2:])
            self.pages.move_to_end(key)
            self.bytes += extra
            # The entry itself is last and fits: older ones make room.
            while self.bytes > self.max_bytes:
                _key, dropped = self.pages.popitem(last=False)
                self.bytes -= dropped[1]
        return True

    def __len__(self) -> int:
        return len(self.pages)


def kept_pages(app) -> KeptPages:
    """Return the app's kept member pages (``KEPT_PAGES_CACHE_KB``; made on first use)."""
    store = app.extensions.get("forum.kept_pages")
    if store is None:
        store = KeptPages(int(app.config["KEPT_PAGES_CACHE_KB"]) * 1024)
        store = app.extensions.setdefault("forum.kept_pages", store)
    return store


def register(app) -> None:
    app.jinja_env.globals["slot"] = slot
