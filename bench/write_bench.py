"""Writes: replies per second through gunicorn, and where a reply's time goes.

The issue's figure: gunicorn with 4 sync workers, 8 members posting replies
over HTTP at once (logged in through the real form, with the CSRF token and a
fresh submission key per reply, as a browser's composer sends them), search
indexing and notifications on (SEARCH_BACKEND whoosh; the writers track the
topics they replied to, so each reply tells the topic's author). It reports replies
per second, the median and p95 of a reply's answer, and checks that every
acknowledged reply is in the database at the place its answer named and, once
the outbox is applied, in the search index; and that no answer was a 5xx.

    .venv/bin/python bench/write_bench.py                          # both databases, 15 s each
    .venv/bin/python bench/write_bench.py --databases sqlite --seconds 10
    .venv/bin/python bench/write_bench.py --with-form              # GET the form before each reply
    .venv/bin/python bench/write_bench.py --follow                 # and the page a reply leads to
    .venv/bin/python bench/write_bench.py --profile 200 --databases sqlite   # in-process cProfile

SQLite lives in bench/data/writes/; PostgreSQL in the database
``--database-name`` (forum_bench_writes) on ``--server-url``, dropped and made
again at each run. ``--profile N`` posts N replies in this process through the
test client instead and prints the statements per reply, the time until the
response and after it, and the cProfile of both.
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import secrets
import shutil
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load_fault as lf

ROOT = lf.ROOT
WORK = ROOT / "bench" / "data" / "writes"


def fresh_database(kind: str, args: argparse.Namespace) -> tuple[str, Path]:
    """Return (URL, instance folder) of an empty database for ``kind``."""
    import sqlalchemy as sa

    work = WORK / kind
    shutil.rmtree(work, ignore_errors=True)
    instance = work / "instance"
    instance.mkdir(parents=True)
    if kind == "sqlite":
        return f"sqlite:///{instance / 'forum.sqlite3'}", instance
    admin = sa.create_engine(args.server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            name = args.database_name
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    url = sa.make_url(args.server_url).set(database=args.database_name)
    return url.render_as_string(False), instance


def server_env(url: str, instance: Path) -> dict[str, str]:
    return {**os.environ, "FORUM_INSTANCE_PATH": str(instance),
            "FORUM_SECRET_KEY": secrets.token_hex(32), "FORUM_SQLALCHEMY_DATABASE_URI": url,
            # Every client is 127.0.0.1: per-address limits would stop the writers.
            "FORUM_RATELIMIT_ENABLED": "false", "FORUM_HOLD_FIRST_POSTS": "0"}  # fmt: skip


# --- The writers ------------------------------------------------------------------------


def writer(base, username, topic_ids, start, clock, tally, with_form: bool, follow: bool) -> None:
    """Log in, wait for the start, then reply until the deadline (with ``follow``,
    a reply's time runs until the page its redirect names has arrived, as a
    browser shows it)."""
    browser = lf.Browser(base, tally)
    if not lf.log_in(browser, username, clock):
        return
    chooser = random.Random(username)
    forms: dict[int, dict[str, str]] = {}
    start.wait()
    while clock.running():
        topic_id = chooser.choice(topic_ids)
        action = f"/t/{topic_id}/reply"
        if with_form or topic_id not in forms:
            status, _location, page = browser.request(action)
            if status != 200:
                continue
            forms[topic_id] = lf.hidden_fields(page, action)
        token = f"lf{uuid.uuid4().hex[:16]}"
        # A fresh key per reply, as a freshly rendered composer carries.
        fields = {**forms[topic_id], "submission_key": uuid.uuid4().hex}
        fields.update(raw=f"{lf.MARKER} {token} von {username}.", submit="1")
        sent = time.perf_counter()
        try:
            status, location, _page = browser.request(action, fields)
        except lf.Unreachable:
            with tally.lock:
                tally.unanswered += 1
            continue
        found = lf.ACKNOWLEDGED.search(location) if status in (302, 303) else None
        if found and follow:
            try:
                shown, _location, _page = browser.request(location.split("#")[0])
            except lf.Unreachable:
                shown = 0
            if shown != 200:
                with tally.lock:
                    tally.rejected[f"redirect target {shown}"] += 1
        with tally.lock:
            if found and int(found.group(1)) == topic_id:
                tally.acknowledged[token] = (topic_id, int(found.group(2)))
                tally.acknowledged_at.append(time.monotonic())
                tally.reply_seconds.append(time.perf_counter() - sent)
            else:
                tally.rejected[status] += 1


def cpu_seconds(server: "lf.Server") -> float:
    """CPU seconds (user + system) the gunicorn master and its workers used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in [server.process.pid, *server.worker_pids()]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def thread_cpu(server: "lf.Server") -> dict[str, float]:
    """CPU seconds of the workers' threads so far, by thread: "requests" (a worker's
    main thread), and the names write_timing.py gives the others (search-outbox, notify).

    Threads that ended meanwhile are missed (the forum's threads live as long as the worker).
    """
    ticks, seconds = os.sysconf("SC_CLK_TCK"), {}
    for pid in server.worker_pids():
        try:
            tids = [int(tid) for tid in os.listdir(f"/proc/{pid}/task")]
        except OSError:
            continue
        for tid in tids:
            try:
                fields = Path(f"/proc/{pid}/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
                name = Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip()
            except OSError:
                continue
            key = "requests" if tid == pid else name
            seconds[key] = seconds.get(key, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return seconds


def database_cpu(url: str, known: dict[int, float] | None = None) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving ``url``'s database (empty for SQLite).

    The server shares the machine's cores with gunicorn: its CPU per reply counts as much.
    """
    import sqlalchemy as sa

    if not url.startswith("postgresql"):
        return {}
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            pids = connection.scalars(
                sa.text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                        " AND pid <> pg_backend_pid()")
            ).all()  # fmt: skip
    finally:
        engine.dispose()
    ticks, seconds = os.sysconf("SC_CLK_TCK"), {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return seconds


def in_search(url: str, instance: Path, tokens: dict[str, tuple[int, int]]) -> list[str]:
    """Apply what is left in the outbox; return the acknowledged replies not in the index."""
    import sqlalchemy as sa

    from forum import create_app
    from forum.extensions import db
    from forum.search.backend import get_backend
    from forum.search.outbox import pending_count, process_outbox

    app = create_app({"SECRET_KEY": secrets.token_hex(32), "SQLALCHEMY_DATABASE_URI": url,
                      "SEARCH_REBUILD_MISSING": False, "RATELIMIT_ENABLED": False},
                     instance_path=str(instance))  # fmt: skip
    with app.app_context():
        left = pending_count()
        process_outbox(app)
        rows = db.session.execute(
            sa.text("SELECT id, topic_id, post_number, raw FROM posts WHERE raw LIKE :m"),
            {"m": f"{lf.MARKER} %"},
        ).all()
        ids = {raw.split()[1]: post_id for post_id, _t, _n, raw in rows}
        backend = get_backend(app)
        searcher = backend._index().searcher()
        try:
            indexed = {fields["post_id"] for fields in searcher.all_stored_fields()}
        finally:
            searcher.close()
        backend.close()
        db.session.remove()
        db.engine.dispose()
    print(f"  outbox rows left after the run: {left}", flush=True)
    return [t for t in tokens if str(ids.get(t)) not in indexed]


def run(kind: str, args: argparse.Namespace) -> dict:
    url, instance = fresh_database(kind, args)
    print(f"[{kind}] preparing {instance.parent}", flush=True)
    topic_ids, _paths, names = lf.prepare(url, instance, args.writers)
    env = server_env(url, instance)
    server = lf.Server(lf.free_port(), env, instance.parent / "gunicorn.log", args.workers)
    timing = instance.parent / "timing.txt"
    if args.timing:
        server.app = "bench.write_timing:app"
        env["BENCH_TIMING_FILE"] = str(timing)
    clock = lf.Clock(time.monotonic() + 120)
    tally = lf.Tally()
    try:
        print(f"[{kind}] gunicorn ready after {server.start():.1f} s", flush=True)
        base = f"http://{lf.HOST}:{server.port}"
        start = threading.Barrier(args.writers + 1)
        threads = [
            threading.Thread(
                target=writer,
                args=(base, names[n], topic_ids, start, clock, tally, args.with_form, args.follow),
            )
            for n in range(args.writers)
        ]
        for thread in threads:
            thread.start()
        start.wait(timeout=120)
        database_before = database_cpu(url)
        began, cpu_before, load_before = time.monotonic(), cpu_seconds(server), os.times()
        threads_before = thread_cpu(server)
        clock.deadline = began + args.seconds
        for thread in threads:
            thread.join(timeout=args.seconds + lf.CLIENT_TIMEOUT * 2)
        seconds = time.monotonic() - began
        # The workers' background threads may still be writing the index: give them a moment.
        time.sleep(2)
        server_cpu = cpu_seconds(server) - cpu_before
        threads_after = thread_cpu(server)
        client_cpu = sum(os.times()[:2]) - sum(load_before[:2])
        database_after = database_cpu(url)
        # Backends that ended meanwhile are missed; new ones count from 0.
        database_seconds = sum(
            used - database_before.get(pid, 0.0) for pid, used in database_after.items()
        )
    finally:
        clock.deadline = 0.0
        server.stop()
    outcome = lf.Outcome(kind, seconds, tally)
    lf.verify(url, outcome)
    missing = in_search(url, instance, tally.acknowledged)
    status = lf.flask_command(env, "search", "status")
    replies = len(tally.acknowledged)
    timed = {}
    if args.timing and timing.exists():
        rows = [tuple(map(float, line.split())) for line in timing.read_text().splitlines()]
        rows = rows[len(rows) // 10 :]  # the first tenth warms up
        for number, title in enumerate(("wall", "CPU", "in SQL execute", "statements")):
            values = sorted(row[number] for row in rows)
            scale = 1 if number == 3 else 1000
            median, p95 = values[len(values) // 2], values[int(len(values) * 0.95)]
            unit = "" if number == 3 else " ms"
            timed[f"POST {title}: median / p95{unit}"] = f"{median * scale:.1f} / {p95 * scale:.1f}"
    by_thread = {}
    if args.timing:
        for name, used in sorted(threads_after.items()):
            per_reply = (used - threads_before.get(name, 0.0)) * 1000 / max(replies, 1)
            by_thread[f"  of which thread {name}, ms per reply"] = f"{per_reply:.1f}"
    return {
        "database": kind,
        "seconds": f"{seconds:.1f}",
        "replies acknowledged": str(replies),
        "replies per second": f"{replies / seconds:.1f}",
        "reply median / p95 ms": lf._reply_quantiles(tally.reply_seconds),
        "gunicorn CPU ms per reply": f"{server_cpu * 1000 / max(replies, 1):.0f}",
        "database server CPU ms per reply": f"{database_seconds * 1000 / max(replies, 1):.0f}"
        if kind == "postgresql"
        else "(in gunicorn)",
        "client CPU ms per reply": f"{client_cpu * 1000 / max(replies, 1):.0f}",
        **timed,
        **by_thread,
        "load average (1 min) at the end": f"{os.getloadavg()[0]:.1f}",
        "rejected (status)": str(dict(tally.rejected)),
        "5xx responses": str(len(tally.server_errors)),
        "lost (not in database)": str(len(outcome.lost)),
        "not in search": str(len(missing)),
        "search status": f"{status[0]}: {status[1]}",
        "passed": "PASS"
        if not outcome.lost and not missing and not tally.server_errors and status[0] == 0
        else "FAIL",
    }


# --- In-process profile -------------------------------------------------------------------


WRITES = ("INSERT", "UPDATE", "DELETE")


def profile(kind: str, args: argparse.Namespace) -> None:
    """Post replies through the test client; print statements and cProfile per phase."""
    import sqlalchemy as sa
    from flask_login import FlaskLoginClient

    from forum import create_app
    from forum.extensions import db
    from forum.users.models import User

    url, instance = fresh_database(kind, args)
    topic_ids, _paths, names = lf.prepare(url, instance, args.writers)
    app = create_app({"SECRET_KEY": secrets.token_hex(32), "SQLALCHEMY_DATABASE_URI": url,
                      "RATELIMIT_ENABLED": False, "HOLD_FIRST_POSTS": 0,
                      "WTF_CSRF_ENABLED": False,
                      # One process: search, notifications in the response's close, to profile them.
                      "SEARCH_APPLY_IN_BACKGROUND": False, "NOTIFY_IN_BACKGROUND": False},
                     instance_path=str(instance))  # fmt: skip
    app.test_client_class = FlaskLoginClient
    statements: list[str] = []
    phase = {"now": "before"}
    counts = {"request": 0, "close": 0}

    # Write lock held (SQLite: the database's one lock; PostgreSQL: the rows'):
    # from the request's first write statement to the commit that ends it.
    lock = {"since": None, "held": 0.0}

    def count(_conn, _cursor, statement, *_rest):
        if lock["since"] is None and statement.lstrip()[:6].upper() in WRITES:
            lock["since"] = time.perf_counter()
        if phase["now"] in counts:
            counts[phase["now"]] += 1
            if len(statements) < 80:
                statements.append(f"{phase['now']:8} {statement.split(chr(10))[0][:100]}")

    # Requests run outside any app context of ours: each gets its own ``g``,
    # as under gunicorn (an outer context would share ``g`` between requests).
    with app.app_context():
        engine = db.engine
        user = db.session.scalar(sa.select(User).where(User.username == names[0]))
        client = app.test_client(user=user)
        db.session.remove()

    def committed(_conn):
        if lock["since"] is not None:
            lock["held"] += time.perf_counter() - lock["since"]
            lock["since"] = None

    sa.event.listen(engine, "before_cursor_execute", count)
    sa.event.listen(engine, "commit", committed)
    timings = {"request": [], "close": [], "lock held in request": [],
               "request CPU": [], "close CPU": []}  # fmt: skip
    profiles = {"request": cProfile.Profile(), "close": cProfile.Profile()}
    profiling = not args.cpu_only
    for number in range(args.profile + 5):
        topic_id = topic_ids[number % len(topic_ids)]
        measured = number >= 5
        data = {"raw": f"{lf.MARKER} p{number:06d} Profil.", "submit": "1",
                "submission_key": uuid.uuid4().hex}  # fmt: skip
        # Statements are listed for one reply (the sixth), after the warm-up.
        phase["now"] = "request" if number == 5 else "other"
        lock["held"] = 0.0
        began, began_cpu = time.perf_counter(), time.thread_time()
        if measured and profiling:
            profiles["request"].enable()
        response = client.post(f"/t/{topic_id}/reply", data=data)
        if measured and profiling:
            profiles["request"].disable()
        middle, middle_cpu = time.perf_counter(), time.thread_time()
        held = lock["held"]
        if number == 5:
            phase["now"] = "close"
        if measured and profiling:
            profiles["close"].enable()
        response.close()
        if measured and profiling:
            profiles["close"].disable()
        ended, ended_cpu = time.perf_counter(), time.thread_time()
        phase["now"] = "other"
        if response.status_code != 302:
            raise SystemExit(f"reply answered {response.status_code}")
        if measured:
            timings["request"].append(middle - began)
            timings["close"].append(ended - middle)
            timings["lock held in request"].append(held)
            timings["request CPU"].append(middle_cpu - began_cpu)
            timings["close CPU"].append(ended_cpu - middle_cpu)
    sa.event.remove(engine, "before_cursor_execute", count)
    sa.event.remove(engine, "commit", committed)
    app.extensions["search"].close()
    engine.dispose()
    for name, values in timings.items():
        values.sort()
        print(f"[{kind}] {name}: median {values[len(values) // 2] * 1000:.1f} ms, "
              f"p95 {values[int(len(values) * 0.95)] * 1000:.1f} ms; "
              f"statements in one reply: {counts.get(name, '-')}")  # fmt: skip
    print("\n".join(f"    {s}" for s in statements))
    for name, prof in profiles.items() if profiling else ():
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top // 2)
        print(f"--- {name} ({args.profile} replies) ---")
        print(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=15, help="load per database (15)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite,postgresql")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--with-form", action="store_true", help="GET the form before each reply")
    parser.add_argument(
        "--follow", action="store_true",
        help="GET the page a reply's redirect names, as a browser does; counted in its time",
    )  # fmt: skip
    parser.add_argument(
        "--timing", action="store_true", help="log wall, CPU and SQL time of each POST (gunicorn)"
    )
    parser.add_argument("--server-url", default=os.environ.get(
        "FORUM_TEST_DATABASE_URL", lf.DEFAULT_SERVER_URL))  # fmt: skip
    parser.add_argument("--database-name", default="forum_bench_writes")
    parser.add_argument("--profile", type=int, default=0, help="profile N replies in-process")
    parser.add_argument("--top", type=int, default=40, help="lines of the profile")
    parser.add_argument(
        "--cpu-only", action="store_true",
        help="with --profile: no cProfile, only each phase's time and CPU time (thread_time)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.databases.split(",") if k.strip()]
    if not kinds or set(kinds) - {"sqlite", "postgresql"}:
        parser.error("--databases takes sqlite and/or postgresql")
    if args.profile:
        for kind in kinds:
            profile(kind, args)
        return 0
    results = [run(kind, args) for kind in kinds]
    print()
    print("| | " + " | ".join(r["database"] for r in results) + " |")
    print("|---" * (len(results) + 1) + "|")
    for key in list(results[0])[1:]:
        print(f"| {key} | " + " | ".join(r[key] for r in results) + " |")
    return 0 if all(r["passed"] == "PASS" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
