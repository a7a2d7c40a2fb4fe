"""The forum worker's memory (bench/run.py): after the aim's pages and searches, and
with its caches filled by many different pages (``--fill-topics``, ``--fill-searches``).

The aim's run requests a dozen pages, so it sees a small part of what a worker keeps
once it has served many different pages: the caches bounded by bytes (forum/config.py,
``*_CACHE_KB``) fill up only with many different topics read within their time.
The fill stages request the first page of the most recently bumped public topics
as guest and member, one after the other as fast as the worker answers (a crawler
beside the members: the guests' and members' kept pages of the last minute fill
their bounds), then searches for words of those topics' titles (each one new to
the search's per-word caches).
"""

import http.client
import os
import time
import urllib.parse

import common
import sqlalchemy as sa
from gunicorn_client import HEADERS, WHO, Gunicorn, HttpClient

#: The aim (bench/README.md says why).
AIM_MAX_RSS_MB = 100
#: First byte of a member's topic page through a worker, one client at a time (median).
AIM_FIRST_BYTE_MS = 30
FIRST_BYTE_REQUESTS = 60


def forum_worker_memory(app, url: str, pages, args, cookies: dict) -> dict:
    """Return the memory of a worker of the forum app alone (no ceiling route, no
    kept ceiling page) after every page as guest and member and ``args.searches``
    searches: what the aim asks of a deployment's worker (the bench worker of
    run.py also keeps the ceiling's page and its objects, ~10 MB). Then, with
    ``args.fill_topics`` or ``args.fill_searches``, the same worker's memory after
    each fill stage (``memory["stages"]``)."""
    server = Gunicorn(
        url,
        common.RESULTS_DIR / "gunicorn-forum.log",
        args.gunicorn_args.split(),
        entry="common:create_forum_app()",
        ready_path="/",
    )
    try:
        server.wait_ready()
        for who in WHO:
            client = HttpClient(server.port, cookies[who])
            for _name, path in pages:
                for _ in range(max(args.http_requests // 3, 1)):
                    status, _size, _body = client.get(path)
                    if status != 200:
                        raise SystemExit(f"{path} answered {status} in the forum worker")
            client.close()
        first_byte = first_byte_ms(server.port, dict(pages)["topic first page"], cookies["member"])
        if args.searches:
            memory_searches(server.port, cookies, search_texts(args.searches))
        memory = server.memory_kb()
        memory["first_byte"] = first_byte
        memory["searches"] = args.searches
        memory["cache_bounds_kb"] = cache_bounds_kb()
        memory["stages"] = fill_stages(app, server, args, cookies)
    finally:
        server.stop()
    return memory


def fill_stages(app, server: Gunicorn, args, cookies: dict) -> list[dict]:
    """Fill the worker's caches; return its memory after each stage."""
    stages = []
    topics = recent_public_topics(app, max(args.fill_topics, args.fill_searches))
    if args.fill_topics:
        started = time.perf_counter()
        statuses: dict[int, int] = {}
        clients = [HttpClient(server.port, cookies[who]) for who in WHO]
        try:
            for path, _title in topics[: args.fill_topics]:
                for client in clients:
                    status = client.get(path)[0]
                    statuses[status] = statuses.get(status, 0) + 1
        finally:
            for client in clients:
                client.close()
        stages.append(
            {
                "stage": f"+ first page of {args.fill_topics:,} topics as guest and member",
                "seconds": time.perf_counter() - started,
                "statuses": statuses,
                **server.memory_kb(),
            }
        )
    if args.fill_searches:
        started = time.perf_counter()
        texts = [" ".join(title.split()[:2]) for _path, title in topics[: args.fill_searches]]
        memory_searches(server.port, cookies, texts)
        stages.append(
            {
                "stage": f"+ {len(texts):,} searches for words of those topics' titles",
                "seconds": time.perf_counter() - started,
                "statuses": {200: len(texts)},
                **server.memory_kb(),
            }
        )
    return stages


def recent_public_topics(app, count: int) -> list[tuple[str, str]]:
    """Return (first page's path, title) of the ``count`` most recently bumped topics
    guests may read: what a day's readers and crawlers ask for first."""
    if not count:
        return []
    from forum.boards.models import Category, ReadLevel, Topic
    from forum.extensions import db

    public = sa.select(Category.id).where(Category.read_level == ReadLevel.PUBLIC)
    with app.app_context():
        rows = db.session.execute(
            sa.select(Topic.id, Topic.slug, Topic.title)
            .where(
                Topic.category_id.in_(public),
                Topic.deleted_at.is_(None),
                Topic.unlisted.is_(False),
            )
            .order_by(Topic.bumped_at.desc(), Topic.id)
            .limit(count)
        ).all()
    if len(rows) < count:
        raise SystemExit(f"only {len(rows)} public topics for --fill-topics/--fill-searches")
    # ?page=1: without it a member with a read position is redirected to the first unread post.
    return [(f"/t/{slug}/{topic_id}?page=1", title) for topic_id, slug, title in rows]


def cache_bounds_kb() -> dict[str, int]:
    """Return what the worker's caches bounded by bytes may hold, by setting, in KB.

    The aim's pages fill ~2 MB of them (bench/README.md, session 14); a worker
    that has served many different pages holds up to all of it (the fill
    stages). The watching controls' cache takes REPLY_BOX_CACHE_KB again; the
    guests' pages (PAGE_CACHE_KB) are in the worker only without Redis.
    """
    from forum import config

    bounds = {}
    for name in dir(config):
        if name.endswith("_CACHE_KB"):
            bounds[name] = int(os.environ.get(f"FORUM_{name}", getattr(config, name)))
    bounds["REPLY_BOX_CACHE_KB (watching controls)"] = bounds.get("REPLY_BOX_CACHE_KB", 0)
    return bounds


def first_byte_ms(port: int, path: str, cookie: str | None) -> list[float]:
    """Return the ms from sending each request to its response's first line and
    headers, one request at a time on one keep-alive connection (a reader's tab,
    no queue behind other clients), sorted."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = dict(HEADERS)
    if cookie:
        headers["Cookie"] = f"session={cookie}"
    times = []
    try:
        for _ in range(FIRST_BYTE_REQUESTS):
            sent = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()  # returns once the head has arrived
            times.append((time.perf_counter() - sent) * 1000)
            response.read()
            if response.status != 200:
                raise SystemExit(f"{path} answered {response.status} (first byte)")
    finally:
        connection.close()
    return sorted(times)


def search_texts(count: int) -> list[str]:
    """Return ``count`` of search_bench's queries, in turn."""
    import search_bench

    texts = [
        text for kind, items in search_bench.QUERIES.items() if kind != "similar" for text in items
    ]
    return [texts[number % len(texts)] for number in range(count)]


def memory_searches(port: int, cookies: dict[str, str | None], texts: list[str]) -> None:
    """Search for each of ``texts``, as guest and member in turn, so the worker's
    memory is read after pages *and* searches, as the aim says."""
    clients = [HttpClient(port, cookies[who]) for who in WHO]
    try:
        for number, text in enumerate(texts):
            status, _size, _body = clients[number % 2].get(
                "/search?" + urllib.parse.urlencode({"q": text})
            )
            if status != 200:
                raise SystemExit(f"/search?q={text} answered {status}")
    finally:
        for client in clients:
            client.close()


def memory_aims(memory: dict) -> list[str]:
    """Return the aims' lines about the forum worker's memory and first byte."""
    lines = []
    if memory.get("VmRSS"):
        rss = memory["VmRSS"] / 1024
        mark = "met" if rss < AIM_MAX_RSS_MB else "MISSED"
        searched = f" and {memory['searches']} searches" if memory.get("searches") else ""
        lines.append(
            f"- forum worker RSS after all pages{searched}: {rss:.1f} MB, "
            f"peak {memory['VmHWM'] / 1024:.0f} MB (aim < {AIM_MAX_RSS_MB} MB): {mark}"
        )
    for stage in memory.get("stages") or ():
        rss = stage["VmRSS"] / 1024
        mark = "met" if rss < AIM_MAX_RSS_MB else "MISSED"
        statuses = ", ".join(f"{n:,} x {status}" for status, n in sorted(stage["statuses"].items()))
        lines.append(
            f"  - {stage['stage']} ({statuses}; {stage['seconds']:.0f} s): {rss:.1f} MB, "
            f"peak {stage['VmHWM'] / 1024:.1f} MB (aim < {AIM_MAX_RSS_MB} MB with full "
            f"caches): {mark}"
        )
    if memory.get("cache_bounds_kb"):
        bounds = memory["cache_bounds_kb"]
        filled = "" if memory.get("stages") else "not in that figure: "
        lines.append(
            f"- ({filled}the caches bounded by bytes may fill up to "
            f"{sum(bounds.values()) / 1024:.1f} MB in all, {len(bounds)} caches, "
            f"PAGE_CACHE_KB's {bounds.get('PAGE_CACHE_KB', 0) / 1024:.0f} MB without Redis)"
        )
    if memory.get("first_byte"):
        times = memory["first_byte"]
        median, p95 = times[len(times) // 2], times[int(len(times) * 0.95) - 1]
        mark = "met" if median < AIM_FIRST_BYTE_MS else "MISSED"
        lines.append(
            f"- first byte of the member's topic first page through the forum worker, one "
            f"request at a time: median {median:.1f} ms, p95 {p95:.1f} ms "
            f"(aim < {AIM_FIRST_BYTE_MS} ms at the median): {mark}"
        )
    return lines
