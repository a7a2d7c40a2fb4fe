"""Benchmark the forum's read pages against a ceiling, in-process and through gunicorn.

    python bench/run.py                        # both modes, against bench/data/bench.sqlite3
    python bench/run.py --mode inprocess --requests 100
    python bench/run.py --profile "topic first page" --profile-who member
    python bench/run.py --mode http --fill-topics 1000 --fill-searches 200   # full caches

Every page is requested as a guest and as a logged-in member. The ceiling is a
route in the same app that renders the long topic's first page from objects held
in memory (no SQL): what this machine can do at best with our templates. Results
go to stdout and to bench/results/<timestamp>.md.
"""

import argparse
import contextlib
import cProfile
import gc
import io
import os
import pstats
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bare
import common
import sqlalchemy as sa
import worker_memory
from gunicorn_client import HEADERS, WHO, Gunicorn, HttpClient, drive
from report import Result, environment, table

#: The honest ceiling (bench/bare.py): a bare Flask app, 20 posts from memory.
BARE_PAGE = ("bare", bare.BARE_PATH)

#: The aims (bench/README.md says why).
AIM_TOPIC_RATIO = 1 / 3
AIM_MAX_SQL = 10
AIM_BARE_RATIO = {"guest": 1.0, "member": 0.5}


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
                    drive(target.port, path, cookies[who], per_round, args.concurrency, result)
                    result.rss_kb = target.memory_kb().get("VmRSS")
        bench_memory = server.memory_kb()
    finally:
        server.stop()
        bare_server.stop()
    forum_pages = [
        (name, path) for name, path in selected_pages(targets, args) if name != "ceiling"
    ]
    memory = worker_memory.forum_worker_memory(app, url, forum_pages, args, cookies)
    memory["bench"] = bench_memory
    return list(results.values()), memory


def search_index_dir() -> Path | None:
    """Return the index bench/search_bench.py built for this data set, if there is one."""
    import search_bench

    ready = search_bench.INDEX_DIR.is_dir() and any(search_bench.INDEX_DIR.iterdir())
    return search_bench.INDEX_DIR if ready else None


# --- Report -----------------------------------------------------------------------------------


def selected_pages(targets: common.Targets, args) -> list[tuple[str, str]]:
    pages = targets.pages()
    if args.pages:
        wanted = {p.strip() for p in args.pages.split(",")} | {"ceiling"}
        pages = [(name, path) for name, path in pages if name in wanted]
    return pages


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
    lines += worker_memory.memory_aims(memory)
    bench_memory = memory.get("bench") or {}
    if bench_memory.get("VmRSS"):
        lines.append(
            f"- (the bench worker, with the ceiling's kept page, after all pages: "
            f"{bench_memory['VmRSS'] / 1024:.0f} MB, peak {bench_memory['VmHWM'] / 1024:.0f} MB)"
        )
    return "\n".join(lines)


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
    parser.add_argument(
        "--fill-topics",
        type=int,
        default=0,
        help="then the first page of N more topics as guest and member in the same forum "
        "worker, its memory read again (its caches filled: bench/worker_memory.py)",
    )
    parser.add_argument(
        "--fill-searches", type=int, default=0, help="then N more searches, its memory read again"
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
