"""A web worker stays small (the aim: under 100 MB after every page and 1,000 searches).

It does not load what most requests never use: Pillow with the HEIC decoder,
feedgen with lxml, icalendar and apispec together took ~16 MB of every worker's
memory at start. They are imported where a picture, a feed, a calendar or the
OpenAPI document is made; the tests of those features (tests/uploads, tests/api,
tests/plugins/test_events.py) prove they still load when needed. The same for
smtplib with email.policy (the first mail sent) and imaplib (``mail receive``),
~1 MB, and Babel's global table (2.2 MB), which Babel read for a date's
first page only to find which language German inherits from, and of each
language's CLDR data (1.2 MB) all but the parts dates and numbers read: an
English visitor's first page loaded both again (forum/locale_data.py). A
SQLite worker does not load SQLAlchemy's PostgreSQL dialect (2.3 MB with its
drivers' modules; forum/db.py, forum/search/models.py).

And it does not grow without bound: every worker indexes new posts after its
responses (forum/search/outbox.py), so over months its search analysis sees
every distinct word the forum was ever written in. Each per-word cache
(folding, lemmas, compound parts, stems) keeps at most ``WORD_CACHE_SIZE``
words; with 50,000-100,000 entries each, 150,000 distinct words grew a worker
by ~35 MB. The rendered posts and topic-list rows it keeps are bounded by
bytes (``POST_BLOCKS_CACHE_KB``, ``TOPIC_ROWS_CACHE_KB``), and so are the guests'
pages it keeps without Redis (``PAGE_CACHE_KB``), not by entries: a
block's size varies a hundredfold, and one character beyond Latin-1 doubles a
whole block's size (the like button's heart did that to every post: it is an
entity now).
"""

import json
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

from forum import pagecache_stores
from forum.pagecache_stores import Entry, LocalStore, make_store
from forum.post_blocks import BlockCache, block_cache
from forum.search import analysis, lemmas
from forum.topic_rows import row_cache

ROOT = Path(__file__).resolve().parents[1]
LOADED_WHEN_NEEDED = (
    *("PIL", "pillow_heif", "feedgen", "lxml", "icalendar", "apispec"),
    *("markdown_it", "bleach", "html5lib"),
    *("smtplib", "imaplib"),
)
#: Whoosh's searching (queries, collectors, highlighting: ~3 MB): the search
#: reads the index without it (forum/search/whoosh_reader.py).
WHOOSH_NOT_NEEDED = ("whoosh.searching", "whoosh.qparser")

_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import babel.core
    from forum import create_app
    from forum.db import db

    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "k" * 64,
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1],
        "RATELIMIT_ENABLED": False,
        "PLUGINS": ["events", "solved"],
    }, instance_path=sys.argv[2])
    with app.app_context():
        db.create_all()
    app.extensions["forum.setup"] = {"configured": True}
    client = app.test_client()
    statuses = {}
    for path in ("/", "/latest", "/search?q=Ehrenamt", "/organisationen", "/login"):
        response = client.get(path)
        statuses[path] = response.status_code
        response.close()
    for path in ("/", "/latest"):  # an English visitor
        response = client.get(path, headers={"Accept-Language": "en"})
        statuses["en " + path] = response.status_code
        response.close()
    from datetime import UTC, datetime
    from forum.templating import time_tag
    for language in ("de", "en"):  # a date as a page shows it (the pages above show none)
        with app.test_request_context("/", headers={"Accept-Language": language}):
            assert "2026" in time_tag(datetime(2026, 12, 7, 12, tzinfo=UTC))
    import babel.localedata
    from forum.locale_data import is_lean
    print(json.dumps({
        "statuses": statuses,
        "loaded": sorted({name.split(".")[0] for name in sys.modules}),
        "whoosh": sorted(name for name in sys.modules if name.startswith("whoosh.")),
        "babel_global_data": babel.core._global_data is not None,
        "email_policy": "email.policy" in sys.modules,
        "postgresql_dialect": "sqlalchemy.dialects.postgresql" in sys.modules,
        "locale_data": {name: is_lean(name) for name in babel.localedata._cache},
    }))
    """
)


def test_a_worker_serving_pages_loads_no_picture_feed_or_calendar_library(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FORUM_RATELIMIT_SINGLE_PROCESS": "true"}
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", _SCRIPT, str(tmp_path / "db.sqlite3"), str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(report["statuses"].values()) <= {200, 302}, report["statuses"]
    assert "forum" in report["loaded"]  # the app really ran in that process
    assert not set(LOADED_WHEN_NEEDED) & set(report["loaded"])
    assert "whoosh.reading" in report["whoosh"]  # the search read the index
    assert not set(WHOOSH_NOT_NEEDED) & set(report["whoosh"])
    assert not report["email_policy"]
    # Nor SQLAlchemy's PostgreSQL dialect with all its drivers' modules (2.3 MB).
    assert not report["postgresql_dialect"]
    # The pages formatted dates in German and English without Babel's global
    # table, and Babel kept only the parts of their data that dates and numbers
    # read (forum/locale_data.py).
    assert not report["babel_global_data"]
    assert report["locale_data"] == {"root": True, "de": True, "en": True}


ALPHABET = "abcdefghiklmnoprstuvwzäöüß"


def _distinct_words(count: int) -> list[str]:
    rng = random.Random(7)
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(ALPHABET) for _ in range(rng.randint(5, 18))))
    return sorted(words)


def test_indexing_many_distinct_words_keeps_each_cache_bounded():
    splitter = analysis.splitter_for(None)
    analyze = analysis.analyzer(splitter)
    stem_filter = analyze[-1]
    words = _distinct_words(3 * lemmas.WORD_CACHE_SIZE)

    for start in range(0, len(words), 100):
        terms = [
            token.text for token in analyze(" ".join(words[start : start + 100]), mode="index")
        ]
        assert terms  # the words really went through the analysis

    caches = {
        "fold": analysis.fold.cache_info(),
        "lemmas": lemmas.table().lemmas.cache_info(),
        "compound parts": splitter.split.cache_info(),
        "stems": stem_filter._stem.cache_info(),
    }
    for name, info in caches.items():
        assert 0 < info.currsize <= lemmas.WORD_CACHE_SIZE, (name, info)
    # The words were more than any cache holds: each one had to let words go.
    assert caches["fold"].misses > lemmas.WORD_CACHE_SIZE


def test_rendered_caches_are_bounded_by_bytes_from_the_settings(app):
    app.config.update(POST_BLOCKS_CACHE_KB=64, TOPIC_ROWS_CACHE_KB=32)
    app.extensions.pop("forum.post_blocks", None)
    app.extensions.pop("forum.topic_rows", None)
    posts, rows = block_cache(app), row_cache(app)
    assert (posts.max_bytes, rows.max_bytes) == (64 * 1024, 32 * 1024)

    rng = random.Random(3)
    for number in range(2000):
        # Sizes vary as posts do, some with characters beyond Latin-1.
        text = "x" * rng.randint(10, 6000) + ("…" if number % 3 == 0 else "")
        posts.set(("post", number), text)
        rows.set(("row", number), text)
    for cache in (posts, rows):
        assert 0 < cache.bytes <= cache.max_bytes
        assert cache.bytes == sum(map(BlockCache.cost, cache.blocks.values()))
        assert len(cache) < 2000  # the oldest went
    assert posts.get(("post", 1999)) is not None  # the newest stayed


def test_a_block_larger_than_the_cache_is_not_kept():
    cache = BlockCache(max_bytes=BlockCache.cost("x" * 100))
    cache.set(("small",), "x" * 100)
    cache.set(("huge",), "x" * 10_000)
    assert cache.get(("huge",)) is None
    assert cache.get(("small",)) == "x" * 100
    assert cache.bytes == BlockCache.cost("x" * 100)


def test_the_post_template_keeps_blocks_in_one_byte_a_character(app):
    """A character beyond Latin-1 in boards/_post.html or _topic_row.html makes
    every kept block twice as large: write such characters as entities."""
    for name in ("boards/_post.html", "boards/_topic_row.html"):
        source = app.jinja_env.loader.get_source(app.jinja_env, name)[0]
        assert all(ord(c) < 256 for c in source), name


def _page(size: int) -> Entry:
    return Entry("g", 0.0, "200 OK", [("Content-Type", "text/html")], b"x" * size)


def test_guests_pages_are_bounded_by_bytes_from_the_settings(app):
    app.config.update(PAGE_CACHE_KB=256, PAGE_CACHE_URL="")
    store = make_store(app)
    assert isinstance(store, LocalStore)
    assert store.max_bytes == 256 * 1024

    rng = random.Random(5)
    for number in range(500):  # pages of 5 to 60 KB, as the forum's
        store.set(f"/t/{number}", _page(rng.randint(5_000, 60_000)), 60)
    assert 0 < store.bytes <= store.max_bytes
    assert store.bytes == sum(store.cost(key, entry) for key, entry in store.pages.items())
    assert len(store.pages) < 500  # the oldest went
    assert store.get("/t/499") is not None  # the newest stayed
    assert store.get("/t/0") is None

    store.set("/t/499", _page(10), 60)  # replaced: counted once, at its new size
    assert store.bytes == sum(store.cost(key, entry) for key, entry in store.pages.items())
    store.clear()
    assert (store.bytes, len(store.pages)) == (0, 0)


def test_guests_pages_that_cannot_be_served_are_let_go(tmp_path, monkeypatch):
    store = LocalStore(tmp_path / "generation", max_bytes=1 << 20)
    clock = [1000.0]
    monkeypatch.setattr(pagecache_stores.time, "time", lambda: clock[0])
    store.swept = clock[0]

    def page(generation: str, expires: float) -> Entry:
        return Entry(generation, expires, "200 OK", [], b"x" * 100)

    store.set("/a", page("g1", 1060.0), 60)
    store.set("/b", page("g1", 1090.0), 60)
    clock[0] += 70  # /a ran out; the next page kept looks
    store.set("/c", page("g1", 1130.0), 60)
    assert sorted(store.pages) == ["/b", "/c"]
    store.set("/d", page("g2", 1130.0), 60)  # a new generation: the others are dead
    assert list(store.pages) == ["/d"]
    assert store.bytes == store.cost("/d", store.pages["/d"])


def test_a_page_larger_than_the_page_cache_is_not_kept(tmp_path):
    small = _page(100)
    store = LocalStore(tmp_path / "generation", max_bytes=LocalStore.cost("/small", small))
    store.set("/small", small, 60)
    store.set("/huge", _page(10_000), 60)
    assert store.get("/huge") is None
    assert store.get("/small") == small
