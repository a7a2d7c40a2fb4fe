"""Benchmark the forum's read pages against a ceiling, in-process and through gunicorn.

    python bench/run.py                        # both modes, against bench/data/bench.sqlite3
    python bench/run.py --mode inprocess --requests 100
    python bench/run.py --profile "topic first page" --profile-who member

Every page is requested as a guest and as a logged-in member. The ceiling is a
route in the same app that renders the long topic's first page from objects held
in memory (no SQL): what this machine can do at best with our templates. Results
go to stdout and to bench/results/<timestamp>.md.
"""

import argparse
import contextlib
import cProfile
import gc
import http.client
import io
import os
import platform
import pstats
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bare
import common
import sqlalchemy as sa

USER_AGENT = "forum-bench/1"
HEADERS = {"User-Agent": USER_AGENT, "Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
WHO = ("guest", "member")
#: The honest ceiling (bench/bare.py): a bare Flask app, 20 posts from memory.
BARE_PAGE = ("bare", bare.BARE_PATH)

#: The aims (bench/README.md says why).
AIM_TOPIC_RATIO = 1 / 3
AIM_MAX_SQL = 10
AIM_BARE_RATIO = {"guest": 1.0, "member": 0.5}
AIM_MAX_RSS_MB = 100
#: First byte of a member's topic page through a worker, one client at a time (median).
AIM_FIRST_BYTE_MS = 30
FIRST_BYTE_REQUESTS = 60


@dataclass
class Result:
    page: str
    who: str
    mode: str
    requests: int = 0
    seconds: float = 0.0
    #: CPU time of this process (in-process mode): robust when the machine is busy.
    cpu_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    sql: list[int] = field(default_factory=list)
    sql_after: list[int] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    size: int = 0
    rss_kb: int | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(int(q * len(ordered)), len(ordered) - 1)] * 1000

    @property
    def ok(self) -> bool:
        return set(self.statuses) == {200}

    def count(self, status: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1


# --- Logging in -------------------------------------------------------------------------


def member_session(app, targets: common.Targets) -> dict:
    """Return the session Flask-Login keeps after a login from this client."""
    session = {"_user_id": targets.member_session_id, "_fresh": True}
    # With the identifier of this client's address and user agent, Flask-Login's
    # session protection accepts the session as it would after a real login.
    with contextlib.suppress(ImportError, AttributeError):
        from flask_login.utils import _create_identifier

        environ = {"REMOTE_ADDR": "127.0.0.1"}
        with app.test_request_context(headers=HEADERS, environ_base=environ):
            session["_id"] = _create_identifier()
    return session


def check_login(app, who: str, body: bytes) -> None:
    """Stop unless the home page shows the member logged in and the guest not."""
    from flask import url_for

    with app.test_request_context():
        marker = url_for("auth.logout").encode()
    if (marker in body) != (who == "member"):
        state = "not logged in" if who == "member" else "logged in"
        raise SystemExit(f"the {who} is {state}: the benchmark's login no longer works")


def session_cookie(app, session: dict) -> str:
    """Return the signed cookie value for ``session`` (the same as a login sets)."""
    return app.session_interface.get_signing_serializer(app).dumps(session)


# --- In-process -----------------------------------------------------------------------------


class SqlCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args) -> None:
        self.count += 1


def inprocess_clients(app, targets: common.Targets) -> dict:
    clients = {}
    for who in WHO:
        client = app.test_client()
        client.environ_base.update({"REMOTE_ADDR": "127.0.0.1"})
        if who == "member":
            with client.session_transaction() as session:
                session.update(member_session(app, targets))
        clients[who] = client
    return clients


def freeze_like_a_worker() -> None:
    """Freeze the warm heap as gunicorn.conf.py has each worker do (the forum's and
    the bare app's alike), so in-process figures are a worker's."""
    gc.collect()
    gc.freeze()


def run_inprocess(app, targets, args, counter: SqlCounter, bare_app) -> list[Result]:
    """Request every page N times per identity with Flask's test client."""
    clients = inprocess_clients(app, targets)
    bare_client = bare_app.test_client()
    pages = [BARE_PAGE, *selected_pages(targets, args)]
    results = {(name, who): Result(name, who, "in-process") for name, _ in pages for who in WHO}
    headers = HEADERS
    for who, client in clients.items():
        for name, path in pages:
            for _ in range(args.warmup):
                (bare_client if name == "bare" else client).get(path, headers=headers).close()
        response = client.get("/", headers=headers)
        check_login(app, who, response.get_data())
        response.close()
    freeze_like_a_worker()
    # Rounds interleave the pages, so a slow moment of the machine hits all alike.
    rounds = 3
    per_round = max(args.requests // rounds, 1)
    for _round in range(rounds):
        for who, client in clients.items():
            for name, path in pages:
                result = results[(name, who)]
                driver = bare_client if name == "bare" else client
                started, cpu_started = time.perf_counter(), time.process_time()
                for _ in range(per_round):
                    counter.count = 0
                    sent = time.perf_counter()
                    response = driver.get(path, headers=headers)
                    body = response.get_data()
                    result.latencies.append(time.perf_counter() - sent)
                    during = counter.count
                    # Closing runs what the view deferred until after the response.
                    response.close()
                    result.sql.append(during)
                    result.sql_after.append(counter.count - during)
                    result.count(response.status_code)
                    result.size = len(body)
                result.seconds += time.perf_counter() - started
                result.cpu_seconds += time.process_time() - cpu_started
                result.requests += per_round
    return list(results.values())


def profile_page(app, targets, args) -> str:
    """Return cProfile's view of one page, requested --requests times in-process."""
    client = inprocess_clients(app, targets)[args.profile_who]
    path = dict(targets.pages())[args.profile]
    for _ in range(args.warmup):
        client.get(path, headers=HEADERS).close()
    freeze_like_a_worker()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(args.requests):
        client.get(path, headers=HEADERS).close()
    profiler.disable()
    elapsed = time.perf_counter() - started
    out = io.StringIO()
    out.write(
        f"cProfile of {args.profile!r} as {args.profile_who}: {args.requests} requests in "
        f"{elapsed:.2f} s (with profiling overhead)\n\n"
    )
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs()
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    # Who calls the costliest functions: what the two tables above cannot say.
    stats.print_callers(12)
    return out.getvalue()


# --- Gunicorn over HTTP ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """One gunicorn worker serving the bench app on a loopback port."""

    def __init__(
        self,
        url: str,
        log_path: Path,
        extra_args: list[str],
        entry: str = "common:create_bench_app()",
        ready_path: str = common.CEILING_PATH,
    ) -> None:
        self.port = free_port()
        self.ready_path = ready_path
        self.log_path = log_path
        env = {
            **os.environ,
            "FORUM_SQLALCHEMY_DATABASE_URI": url,
            "FORUM_SECRET_KEY": common.SECRET_KEY,
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{self.port}",
            "--chdir",
            str(common.BENCH_DIR),
            "-c",
            str(common.GUNICORN_CONFIG),
            "--log-level",
            "warning",
            *extra_args,
            entry,
        ]
        self.log = log_path.open("w")
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=self.log)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", self.ready_path, headers=HEADERS)
                status = connection.getresponse().status
                connection.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn not ready after {timeout} s:\n{self.log_path.read_text()}")

    def worker_pid(self) -> int | None:
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children")
        if children.exists():
            pids = children.read_text().split()
            if pids:
                return int(pids[0])
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                    return int(stat.parent.name)
        return None

    def memory_kb(self) -> dict[str, int]:
        """Return VmRSS and VmHWM (peak) of the worker in kB."""
        pid = self.worker_pid()
        if pid is None:
            return {}
        values = {}
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(value.split()[0])
        return values

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self.log.close()


class HttpClient:
    """A keep-alive client with a cookie jar of one cookie, like a browser tab."""

    def __init__(self, port: int, cookie: str | None) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = cookie

    def get(self, path: str) -> tuple[int, int, bytes]:
        headers = dict(HEADERS)
        if self.cookie:
            headers["Cookie"] = f"session={self.cookie}"
        self.connection.request("GET", path, headers=headers)
        response = self.connection.getresponse()
        body = response.read()
        for header in response.headers.get_all("Set-Cookie") or ():
            if header.startswith("session="):
                self.cookie = header.split(";", 1)[0].removeprefix("session=") or None
        return response.status, len(body), body

    def close(self) -> None:
        self.connection.close()


def run_http(app, targets, args, url: str) -> tuple[list[Result], dict[str, int]]:
    """Request every page through one gunicorn worker with --concurrency threads."""
    log_path = common.RESULTS_DIR / "gunicorn.log"
    server = Gunicorn(url, log_path, args.gunicorn_args.split())
    # The bare ceiling, served the same way (same gunicorn arguments) in the same run.
    bare_server = Gunicorn(
        url,
        common.RESULTS_DIR / "gunicorn-bare.log",
        args.gunicorn_args.split(),
        entry="bare:create_bare_app()",
        ready_path=bare.BARE_PATH,
    )
    try:
        server.wait_ready()
        bare_server.wait_ready()
        pages = [BARE_PAGE, *selected_pages(targets, args)]
        cookies = {
            "guest": None,
            "member": session_cookie(app, member_session(app, targets)),
        }
        # Warm up; keep the cookie the app answered with (it adds a CSRF token).
        for who in WHO:
            client = HttpClient(server.port, cookies[who])
            for _name, path in pages[1:]:
                for _ in range(args.warmup):
                    client.get(path)
            check_login(app, who, client.get("/")[2])
            cookies[who] = client.cookie
            client.close()
        results = {(name, who): Result(name, who, "gunicorn") for who in WHO for name, _ in pages}
        # Interleaved rounds, as in-process: the ceiling is measured throughout.
        rounds = 3
        per_round = max(args.http_requests // rounds, args.concurrency)
        for _round in range(rounds):
            for who in WHO:
                for name, path in pages:
                    result = results[(name, who)]
                    target = bare_server if name == "bare" else server
                    _drive(target.port, path, cookies[who], per_round, args.concurrency, result)
                    result.rss_kb = target.memory_kb().get("VmRSS")
        bench_memory = server.memory_kb()
    finally:
        server.stop()
        bare_server.stop()
    memory = forum_worker_memory(url, targets, args, cookies)
    memory["bench"] = bench_memory
    return list(results.values()), memory


def forum_worker_memory(url: str, targets, args, cookies: dict) -> dict:
    """Return the memory of a worker of the forum app alone (no ceiling route, no
    kept ceiling page) after every page as guest and member and ``args.searches``
    searches: what the aim asks of a deployment's worker. The bench worker above
    also keeps the ceiling's page and its objects (~10 MB)."""
    server = Gunicorn(
        url,
        common.RESULTS_DIR / "gunicorn-forum.log",
        args.gunicorn_args.split(),
        entry="common:create_forum_app()",
        ready_path="/",
    )
    try:
        server.wait_ready()
        pages = [(name, path) for name, path in selected_pages(targets, args) if name != "ceiling"]
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
            memory_searches(server.port, cookies, args.searches)
        memory = server.memory_kb()
        memory["first_byte"] = first_byte
        memory["searches"] = args.searches
        memory["cache_bounds_kb"] = cache_bounds_kb()
    finally:
        server.stop()
    return memory


def cache_bounds_kb() -> dict[str, int]:
    """Return what the worker's caches bounded by bytes may hold, by setting, in KB.

    These pages fill ~2 of their ~20 MB (bench/README.md, session 14); a worker
    that has served many different pages holds up to all of it, beyond the
    figure of the aim. The watching controls' cache takes REPLY_BOX_CACHE_KB
    again; the guests' pages (PAGE_CACHE_KB) are in the worker only without Redis.
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


def search_index_dir() -> Path | None:
    """Return the index bench/search_bench.py built for this data set, if there is one."""
    import search_bench

    ready = search_bench.INDEX_DIR.is_dir() and any(search_bench.INDEX_DIR.iterdir())
    return search_bench.INDEX_DIR if ready else None


def memory_searches(port: int, cookies: dict[str, str | None], count: int) -> None:
    """Send ``count`` searches (search_bench's queries, as guest and member in turn),
    so the worker's memory is read after pages *and* searches, as the aim says."""
    import urllib.parse

    import search_bench

    texts = [
        text for kind, items in search_bench.QUERIES.items() if kind != "similar" for text in items
    ]
    clients = [HttpClient(port, cookies[who]) for who in WHO]
    try:
        for number in range(count):
            text = texts[number % len(texts)]
            status, _size, _body = clients[number % 2].get(
                "/search?" + urllib.parse.urlencode({"q": text})
            )
            if status != 200:
                raise SystemExit(f"/search?q={text} answered {status}")
    finally:
        for client in clients:
            client.close()


def _drive(port: int, path: str, cookie: str | None, count: int, threads: int, result) -> None:
    """Send ``count`` requests for ``path`` from ``threads`` threads; add to ``result``."""
    per_thread = max(count // threads, 1)
    lock = threading.Lock()
    start = threading.Barrier(threads + 1)

    def work() -> None:
        client = HttpClient(port, cookie)
        latencies, statuses, size = [], [], 0
        start.wait()
        for _ in range(per_thread):
            sent = time.perf_counter()
            try:
                status, size, _body = client.get(path)
            except (OSError, http.client.HTTPException):
                status = 599
                client.close()
            latencies.append(time.perf_counter() - sent)
            statuses.append(status)
        client.close()
        with lock:
            result.latencies.extend(latencies)
            for status in statuses:
                result.count(status)
            result.size = size

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    result.seconds += time.perf_counter() - started
    result.requests += per_thread * threads


# --- Report -----------------------------------------------------------------------------------


def selected_pages(targets: common.Targets, args) -> list[tuple[str, str]]:
    pages = targets.pages()
    if args.pages:
        wanted = {p.strip() for p in args.pages.split(",")} | {"ceiling"}
        pages = [(name, path) for name, path in pages if name in wanted]
    return pages


def table(results: list[Result], with_sql: bool) -> str:
    ceilings = {(r.who, r.mode): r.rps for r in results if r.page == "ceiling"}
    bares = {(r.who, r.mode): r.rps for r in results if r.page == "bare"}
    # CPU time per request, bare over page: the ratio a busy machine hardly moves.
    bare_cpus = {
        (r.who, r.mode): r.cpu_seconds / r.requests * 1000
        for r in results
        if r.page == "bare" and r.requests and r.cpu_seconds
    }
    head = "| page | who | req/s | x bare | x ceiling | median ms | p95 ms | KB |"
    rule = "|---|---|---:|---:|---:|---:|---:|---:|"
    if with_sql:
        head += " CPU ms | x bare CPU | SQL | SQL after response |"
        rule += "---:|---:|---:|---:|"
    else:
        head += " worker RSS MB |"
        rule += "---:|"
    lines = [head, rule]
    for r in results:
        ceiling = ceilings.get((r.who, r.mode))
        ratio = f"{r.rps / ceiling:.2f}" if ceiling else "-"
        bare_rps = bares.get((r.who, r.mode))
        bare_ratio = f"{r.rps / bare_rps:.2f}" if bare_rps else "-"
        row = (
            f"| {r.page} | {r.who} | {r.rps:,.0f} | {bare_ratio} | {ratio} | "
            f"{r.quantile(0.5):.1f} | "
            f"{r.quantile(0.95):.1f} | {r.size / 1024:.0f} |"
        )
        if with_sql:
            cpu = r.cpu_seconds / r.requests * 1000 if r.requests else 0.0
            bare_cpu = bare_cpus.get((r.who, r.mode))
            cpu_ratio = f"{bare_cpu / cpu:.2f}" if bare_cpu and cpu else "-"
            row += f" {cpu:.1f} | {cpu_ratio} | {_spread(r.sql)} | {_spread(r.sql_after)} |"
        else:
            row += f" {r.rss_kb / 1024:.0f} |" if r.rss_kb else " - |"
        if not r.ok:
            row += f" **status {r.statuses}**"
        lines.append(row)
    return "\n".join(lines)


def _spread(values: list[int]) -> str:
    if not values:
        return "-"
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}-{high}"


def aims(results: list[Result], memory: dict[str, int]) -> str:
    lines = []
    by = {(r.page, r.who, r.mode): r for r in results}
    for mode in ("in-process", "gunicorn"):
        for who in WHO:
            ceiling = by.get(("ceiling", who, mode))
            for page in ("topic first page", "topic last page"):
                r = by.get((page, who, mode))
                if r and ceiling and ceiling.rps:
                    ratio = r.rps / ceiling.rps
                    mark = "met" if ratio >= AIM_TOPIC_RATIO else "MISSED"
                    lines.append(
                        f"- {page}, {who}, {mode}: {ratio:.2f} of the ceiling "
                        f"(aim ≥ {AIM_TOPIC_RATIO:.2f}): {mark}"
                    )
    # The aims against the bare ceiling: guests (served from the anonymous
    # page cache when warm) at 1.0 or better, members at 0.5 or better.
    for mode in ("in-process", "gunicorn"):
        for who in WHO:
            bare_result = by.get(("bare", who, mode))
            if not bare_result or not bare_result.rps:
                continue
            aim = AIM_BARE_RATIO[who]
            for page in ("home", "latest", "category", "topic first page"):
                r = by.get((page, who, mode))
                if r:
                    ratio = r.rps / bare_result.rps
                    mark = "met" if ratio >= aim else "MISSED"
                    lines.append(
                        f"- {page}, {who}, {mode}: {ratio:.2f} of the bare ceiling "
                        f"(aim ≥ {aim:.1f}): {mark}"
                    )
    sql = [
        r for r in results if r.mode == "in-process" and r.page not in ("ceiling", "bare") and r.sql
    ]
    if sql:
        worst = max(sql, key=lambda r: max(r.sql))
        mark = "met" if max(worst.sql) <= AIM_MAX_SQL else "MISSED"
        lines.append(
            f"- most SQL statements in a request: {max(worst.sql)} ({worst.page}, {worst.who}) "
            f"(aim ≤ {AIM_MAX_SQL}): {mark}"
        )
    if memory.get("VmRSS"):
        rss = memory["VmRSS"] / 1024
        mark = "met" if rss < AIM_MAX_RSS_MB else "MISSED"
        searched = f" and {memory['searches']} searches" if memory.get("searches") else ""
        lines.append(
            f"- forum worker RSS after all pages{searched}: {rss:.1f} MB, "
            f"peak {memory['VmHWM'] / 1024:.0f} MB (aim < {AIM_MAX_RSS_MB} MB): {mark}"
        )
    if memory.get("cache_bounds_kb"):
        bounds = memory["cache_bounds_kb"]
        lines.append(
            f"- (not in that figure: the caches bounded by bytes may fill up to "
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
    bench_memory = memory.get("bench") or {}
    if bench_memory.get("VmRSS"):
        lines.append(
            f"- (the bench worker, with the ceiling's kept page, after all pages: "
            f"{bench_memory['VmRSS'] / 1024:.0f} MB, peak {bench_memory['VmHWM'] / 1024:.0f} MB)"
        )
    return "\n".join(lines)


def environment(app, url: str, targets: common.Targets, args) -> str:
    from forum.extensions import db

    with app.app_context():
        counts = {
            table: db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("categories", "users", "topics", "posts", "post_likes")
        }
        dialect = db.engine.dialect.name
    commit = subprocess.run(
        ["git", "-C", str(common.ROOT), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    data = ", ".join(f"{n:,} {t}" for t, n in counts.items())
    return "\n".join(
        [
            f"- when: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; code: {commit or 'unknown'}",
            f"- machine: {cpu}, {os.cpu_count()} CPUs; Python {platform.python_version()}; "
            # Other programs' share of the CPUs: wall-clock figures shrink with it.
            f"load average at the start {' / '.join(f'{x:.1f}' for x in os.getloadavg())}",
            f"- database: {dialect}, {common.safe_url(url)}",
            f"- data: {data}",
            f"- topic: /t/{targets.topic_slug}/{targets.topic_id} ({targets.topic_pages} pages); "
            f"member: {targets.member_username}; profile: {targets.profile_username}",
            f"- in-process: {args.requests} requests per page and person after "
            f"{args.warmup} warm-up, then gc.freeze() as in a worker; gunicorn: "
            f"{args.http_requests} requests per page and person, {args.concurrency} client "
            f"threads, `-w 1 -c gunicorn.conf.py {args.gunicorn_args}`".rstrip(),
        ]
    )


# --- Main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="SQLAlchemy URL (default: $BENCH_DATABASE_URL or SQLite)")
    parser.add_argument("--mode", choices=("both", "inprocess", "http"), default="both")
    parser.add_argument("--requests", type=int, default=300, help="in-process, per page/person")
    parser.add_argument("--http-requests", type=int, default=400, help="gunicorn, per page/person")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (gunicorn)")
    parser.add_argument("--gunicorn-args", default="", help='e.g. "-k gthread --threads 4"')
    parser.add_argument(
        "--searches",
        type=int,
        default=1000,
        help="searches through the worker before its memory is read (needs the index "
        "bench/search_bench.py builds; 0 skips)",
    )
    parser.add_argument("--pages", help="comma-separated page names (the ceiling always runs)")
    parser.add_argument(
        "--profile", metavar="PAGE", help='cProfile one page, e.g. "topic last page"'
    )
    parser.add_argument("--profile-who", choices=WHO, default="guest")
    args = parser.parse_args(argv)
    for name in ("requests", "http_requests", "concurrency"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = common.database_url(args.url)
    common.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    app = common.make_app(url)
    targets = common.find_targets(app)
    common.install_ceiling(app, targets)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out_path = common.RESULTS_DIR / f"{stamp}.md"

    if args.profile:
        if args.profile not in dict(targets.pages()):
            raise SystemExit(f"unknown page {args.profile!r}; one of {dict(targets.pages())}")
        report = profile_page(app, targets, args)
        out_path = out_path.with_suffix(".profile.txt")
        out_path.write_text(report)
        print(report)
        print(f"Written to {out_path.relative_to(common.ROOT)}")
        return 0

    sections = [f"# Forum benchmark {stamp}", environment(app, url, targets, args)]
    print("\n\n".join(sections), flush=True)
    results: list[Result] = []
    memory: dict[str, int] = {}
    if args.mode in ("both", "inprocess"):
        from forum.extensions import db

        counter = SqlCounter()
        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", counter)
        started = time.perf_counter()
        bare_app = bare.make_bare_app(bare.load_posts(url, app.config["POSTS_PER_PAGE"]))
        found = run_inprocess(app, targets, args, counter, bare_app)
        results += found
        text = (
            f"## In-process (Flask test client), {time.perf_counter() - started:.0f} s\n\n"
            + table(found, with_sql=True)
        )
        sections.append(text)
        print("\n" + text, flush=True)
    if args.mode in ("both", "http"):
        index = search_index_dir() if args.searches else None
        if index is None:
            args.searches = 0
            print("No search index (run bench/search_bench.py once): memory without searches.")
        else:
            os.environ["FORUM_SEARCH_INDEX_DIR"] = str(index)
        started = time.perf_counter()
        found, memory = run_http(app, targets, args, url)
        results += found
        text = (
            f"## Gunicorn, one sync worker, over loopback HTTP, "
            f"{time.perf_counter() - started:.0f} s\n\n" + table(found, with_sql=False)
        )
        sections.append(text)
        print("\n" + text, flush=True)
    summary = "## Aims\n\n" + aims(results, memory)
    sections.append(summary)
    print("\n" + summary)
    out_path.write_text("\n\n".join(sections) + "\n")
    print(f"\nWritten to {out_path.relative_to(common.ROOT)}")
    failed = [r for r in results if not r.ok]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
