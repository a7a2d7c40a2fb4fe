"""The anonymous page cache: guests' read pages served from memory or Redis.

In the spirit of Discourse's anonymous cache. A WSGI middleware in front of the
app answers a guest's GET from the cache before Flask sees the request; a miss
goes through the app as usual, and the page is kept when the app says it may be.

- **Who**: a GET without the session cookie, without the remember-me cookie and
  without ``Authorization``, ``Api-Key`` or ``Api-Username`` headers. Anyone
  else (a member, a guest who switched the language, a script) never reads from
  the cache and never writes to it.
- **What**: only the endpoints in ``CACHED_ENDPOINTS`` (home, latest, category,
  topic pages, the search page without a query, the volunteering exchange's
  directory, profiles and opportunities: the open door), asked with no query
  parameter but those the page reads, and only when the app rendered
  the page for an anonymous user, with status 200, as HTML, with no flashed
  message waiting and no ``Set-Cookie`` header: the page holds nothing of a
  session.
- **Key**: scheme, host, path and query, and the language the app would pick
  for a guest without a session (the browser's ``Accept-Language`` matched
  against ``LANGUAGES``). The colour scheme is the browser's own
  (``prefers-color-scheme`` in the CSS), so pages do not differ by it.
- **How long**: ``PAGE_CACHE_SECONDS`` (a run-time setting, 60 s by default,
  0 switches storing off); and no longer than the generation it was rendered in.
- **Generation**: every commit that changed what guests may see (a post, a
  topic, a category, a like, a setting, a name; anything but the tables in
  ``QUIET_TABLES``) bumps a counter shared by all processes: Redis ``INCR`` when
  ``PAGE_CACHE_URL`` (or the rate limiter's storage) is ``redis://``, else a
  small file in the instance folder. A page is only served while the generation
  it was rendered in is current, so a new reply shows up for guests at once.

A hit carries ``X-Page-Cache: hit`` and the headers the rendered page had (the
security headers among them); a page that was stored says ``miss``.
"""

import contextlib
import time
from collections.abc import Callable
from hashlib import sha256
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context, request, session
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_cookie
from werkzeug.wsgi import ClosingIterator

from forum.db import db
from forum.extensions import runtime_setting
from forum.i18n import browser_language
from forum.pagecache_stores import PAGES, SETTINGS, Entry, LocalStore, RedisStore, make_store

__all__ = ["PAGES", "SETTINGS", "Entry", "LocalStore", "RedisStore", "make_store"]

#: The pages a guest may get from the cache, with the query parameters each reads.
#: A page asked with any other parameter (``?x=<random>``), one twice, or a query
#: string over ``MAX_QUERY_LENGTH`` is rendered but not kept: otherwise anyone
#: could fill the cache (Redis has no entry limit) with one page under endless keys.
CACHED_ENDPOINTS: dict[str, frozenset[str]] = {
    "boards.index": frozenset(),
    "boards.latest": frozenset({"before"}),
    "boards.category": frozenset({"before", "kind", "municipality", "status"}),
    "boards.topic": frozenset({"page"}),
    "search.search": frozenset({"q"}),  # only without a query (see _mark_storable)
    "organisations.directory": frozenset({"q", "municipality", "field", "seeking", "sort", "page"}),
    "organisations.profile": frozenset(),
    "organisations.opportunity_list": frozenset(
        {"municipality", "field", "hours", "commitment", "suitable", "kind", "page"}
    ),
    "organisations.opportunity": frozenset(),
}
MAX_QUERY_LENGTH = 256
#: Requests carrying one of these headers act as someone: never from the cache.
_PERSONAL_HEADERS = ("HTTP_AUTHORIZATION", "HTTP_API_KEY", "HTTP_API_USERNAME")


def _wants_html(environ) -> bool:
    """Whether the client prefers a page to JSON (browsers, feed readers, no Accept at all)."""
    given = parse_accept_header(environ.get("HTTP_ACCEPT"), MIMEAccept)
    # Parameters ("application/json; charset=utf-8") do not make another type.
    accept = MIMEAccept([(value.split(";")[0].strip(), quality) for value, quality in given])
    return accept.best_match(["text/html", "application/json"], default="text/html") == "text/html"


#: Tables whose changes no guest page shows (per-person state, logs, queues).
QUIET_TABLES = frozenset(
    {
        "account_deletions", "api_keys", "audit_log", "bookmarks", "category_users",
        "event_feed_keys", "feed_keys", "ignored_users", "invitations", "kept_texts",
        "login_records", "login_throttles", "membership_applications", "message_participants",
        "message_preferences", "notification_jobs", "notification_settings", "notifications",
        "outgoing_mails", "rejection_templates", "search_documents", "search_misses",
        "search_outbox", "submissions", "topic_users",
    }
)  # fmt: skip
#: Columns whose change alone no guest page shows.
QUIET_COLUMNS = {
    "users": frozenset(
        {
            "last_seen_at", "last_digest_at", "email", "email_lower", "email_confirmed_at",
            "password_hash", "locale", "digest_frequency", "email_on_mention",
            "email_on_message", "email_on_reply", "email_on_watched", "likes_given",
        }
    ),
    # View counts are written every VIEW_FLUSH_INTERVAL; the TTL covers them.
    "topics": frozenset({"views"}),
}  # fmt: skip
_CHANGED = "forum.page_cache.changed"
_SETTINGS_CHANGED = "forum.page_cache.settings_changed"
#: The store's counters: the guest pages' generation, and one bumped only by
#: commits that change ``SETTINGS_TABLES`` (processes keep the admin's run-time
#: settings and watched words while it stands: forum/site/services.py,
#: forum/review/words.py).
SETTINGS_TABLES = frozenset({"site_settings", "watched_words"})
_ENVIRON_KEY = "forum.page_cache.key"
_ENVIRON_STORE = "forum.page_cache.store"


class PageCacheMiddleware:
    """Answers guests' GETs from the store; keeps what the app marked as storable."""

    def __init__(self, wsgi_app, app: Flask, store) -> None:
        self.wsgi_app = wsgi_app
        self.app = app
        self.store = store
        self.languages = list(app.config["LANGUAGES"])
        self.default_language = app.config["BABEL_DEFAULT_LOCALE"]
        self.cookies = {
            app.config["SESSION_COOKIE_NAME"],
            app.config.get("REMEMBER_COOKIE_NAME", "remember_token"),
        }

    def anonymous(self, environ) -> bool:
        if environ.get("REQUEST_METHOD") != "GET":
            return False
        if any(environ.get(header) for header in _PERSONAL_HEADERS):
            return False
        if not _wants_html(environ):
            return False  # the JSON twins of the pages (/latest with Accept: JSON) are not kept
        cookie = environ.get("HTTP_COOKIE")
        return not cookie or not self.cookies.intersection(parse_cookie(cookie))

    def language(self, environ) -> str:
        header = environ.get("HTTP_ACCEPT_LANGUAGE", "")
        return browser_language(header, self.languages, self.default_language)

    def key(self, environ) -> str:
        url = "{}://{}{}?{}".format(
            environ.get("wsgi.url_scheme", "http"),
            environ.get("HTTP_HOST", ""),
            environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
        )
        text = f"{url}|{self.language(environ)}"
        return sha256(text.encode("utf-8", "surrogateescape")).hexdigest()

    def __call__(self, environ, start_response):
        if not self.anonymous(environ):
            return self.wsgi_app(environ, start_response)
        try:
            key = self.key(environ)
            generation = self.store.generation()
            entry = self.store.get(key)
        except Exception:  # a cache that is down serves nothing; the app answers
            self.app.logger.warning("page cache unavailable", exc_info=True)
            return self.wsgi_app(environ, start_response)
        if entry is not None and entry.generation == generation and entry.expires > time.time():
            return self._hit(entry, start_response)
        environ[_ENVIRON_KEY] = key
        captured: dict[str, Any] = {}

        def capture(status, headers, exc_info=None):
            storable = environ.get(_ENVIRON_STORE)
            if (
                storable
                and status.startswith("200 ")
                and not any(name.lower() == "set-cookie" for name, _ in headers)
            ):
                captured.update(status=status, headers=list(headers), **storable)
                headers = [*headers, ("X-Page-Cache", "miss")]
            return start_response(status, headers, exc_info)

        app_iter = self.wsgi_app(environ, capture)
        if not captured:
            return app_iter
        body = b"".join(app_iter)
        with contextlib.suppress(Exception):
            self.store.set(
                key,
                Entry(
                    generation,
                    time.time() + captured["ttl"],
                    captured["status"],
                    captured["headers"],
                    body,
                    captured["topic_id"],
                ),
                captured["ttl"],
            )
        close = getattr(app_iter, "close", None)
        return ClosingIterator([body], [close] if close else [])

    def _hit(self, entry: Entry, start_response):
        start_response(entry.status, [*entry.headers, ("X-Page-Cache", "hit")])
        if entry.topic_id is None:
            return [entry.body]
        views = self.app.extensions["forum.views"]
        views.add(entry.topic_id)
        return ClosingIterator([entry.body], [views.flush_if_due])


def _asked_with_read_parameters_only() -> bool:
    """Whether the query names only parameters the page reads, each once, briefly."""
    names = [name for name, _value in request.args.items(multi=True)]
    return (
        len(request.query_string) <= MAX_QUERY_LENGTH
        and len(names) == len(set(names))
        and set(names) <= CACHED_ENDPOINTS[request.endpoint]
    )


def _mark_storable(response):
    """After a request: tell the middleware whether the page may be kept for guests."""
    from flask_login import current_user

    environ = request.environ
    if _ENVIRON_KEY not in environ or request.endpoint not in CACHED_ENDPOINTS:
        return response
    if response.status_code != 200 or response.mimetype != "text/html":
        return response
    if current_user.is_authenticated or session.get("_flashes"):
        return response
    if request.endpoint == "search.search" and request.args.get("q", "").strip():
        return response
    if not _asked_with_read_parameters_only():
        return response
    ttl = int(runtime_setting("PAGE_CACHE_SECONDS") or 0)
    if ttl > 0:
        topic_id = (request.view_args or {}).get("topic_id")
        topic_id = topic_id if request.endpoint == "boards.topic" else None
        environ[_ENVIRON_STORE] = {"ttl": ttl, "topic_id": topic_id}
    return response


# --- Invalidation: a generation bumped after commits that changed what guests see ---------


def _changes_shown(table: str, columns: set[str] | None) -> bool:
    if table in QUIET_TABLES:
        return False
    quiet = QUIET_COLUMNS.get(table)
    return not (quiet and columns is not None and columns <= quiet)


def _after_flush(session, _context) -> None:
    if not session.info.get(_SETTINGS_CHANGED) and any(
        getattr(obj, "__tablename__", "") in SETTINGS_TABLES
        for obj in (*session.new, *session.deleted, *session.dirty)
    ):
        session.info[_SETTINGS_CHANGED] = True
    if session.info.get(_CHANGED):
        return
    for obj in (*session.new, *session.deleted):
        if _changes_shown(getattr(obj, "__tablename__", ""), None):
            session.info[_CHANGED] = True
            return
    for obj in session.dirty:
        state = sa.inspect(obj)
        changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
        if changed and _changes_shown(getattr(obj, "__tablename__", ""), changed):
            session.info[_CHANGED] = True
            return


def _on_execute(state) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(getattr(state.statement, "table", None), "name", "")
    if table in SETTINGS_TABLES:
        state.session.info[_SETTINGS_CHANGED] = True
    if state.session.info.get(_CHANGED):
        return
    values = getattr(state.statement, "_values", None)
    columns = {getattr(c, "key", str(c)) for c in values} if values else None
    if _changes_shown(table, columns if state.is_update else None):
        state.session.info[_CHANGED] = True


def _after_commit(session) -> None:
    settings_changed = session.info.pop(_SETTINGS_CHANGED, False)
    pages_changed = session.info.pop(_CHANGED, False)
    if not has_app_context():
        return
    if settings_changed:
        bump(current_app, SETTINGS)
    if pages_changed:
        bump(current_app)


def _after_rollback(session) -> None:
    session.info.pop(_CHANGED, None)
    session.info.pop(_SETTINGS_CHANGED, None)


def bump(app: Flask, counter: str = PAGES) -> None:
    """Make every stored page stale (all processes); or, with ``SETTINGS``,
    every process's copy of the run-time settings."""
    store = app.extensions.get("forum.page_cache")
    if store is not None:
        try:
            store.bump(counter)
        except Exception:  # pages expire by their TTL anyway, settings copies by their age
            app.logger.warning("page cache generation %s not bumped", counter, exc_info=True)


def generation(app: Flask, counter: str) -> str | None:
    """Return a counter's current value (all processes share it); None without a
    page cache, or when its store does not answer."""
    store = app.extensions.get("forum.page_cache")
    if store is None:
        return None
    try:
        return store.generation(counter)
    except Exception:  # a store that is down: the caller reads from the database
        return None


#: Longest a process trusts a copy kept per settings generation if a bump was
#: lost (a store away).
PROCESS_COPY_SECONDS = 30


def kept_per_settings_generation(key: str, read: Callable[[], Any]) -> Any:
    """Return ``read()``, kept in this process while the settings generation stands.

    Every commit that changes a table of ``SETTINGS_TABLES`` bumps the counter
    all processes share (other commits leave it alone, so a page's statement
    count does not depend on what was written before it). The counter is read
    before the values: a change committed in between makes the copy stale at
    once, never a stale copy current. A failed read (None) is not kept.
    """
    app = current_app._get_current_object()
    current = generation(app, SETTINGS)
    if current is None:  # no page cache, or its store is down
        return read()
    kept = app.extensions.get(key)
    now = time.monotonic()
    if kept is not None and kept[0] == current and now - kept[1] < PROCESS_COPY_SECONDS:
        return kept[2]
    value = read()
    if value is not None:
        app.extensions[key] = (current, now, value)
    return value


_listening = False


def _listen() -> None:
    global _listening  # the session events are global: registered once
    if _listening:
        return
    sa.event.listen(db.session.session_factory.class_, "after_flush", _after_flush)
    sa.event.listen(db.session.session_factory.class_, "do_orm_execute", _on_execute)
    sa.event.listen(db.session.session_factory.class_, "after_commit", _after_commit)
    sa.event.listen(db.session.session_factory.class_, "after_rollback", _after_rollback)
    _listening = True


def init_app(app: Flask) -> None:
    """Put the middleware in front of the app (inside ProxyFix) and listen for changes."""
    if not app.config["PAGE_CACHE_ENABLED"]:
        return
    store = make_store(app)
    app.extensions["forum.page_cache"] = store
    _listen()
    app.after_request(_mark_storable)
    outer = app.wsgi_app
    if hasattr(outer, "x_for") and hasattr(outer, "app"):
        # ProxyFix first: the key needs the scheme and host the client used.
        outer.app = PageCacheMiddleware(outer.app, app, store)
    else:
        app.wsgi_app = PageCacheMiddleware(outer, app, store)
