"""Load and faults: gunicorn under writers and readers while its processes are killed.

For each database (SQLite, PostgreSQL) this starts gunicorn with 4 workers on
127.0.0.1, lets 8 logged-in members post replies through the real forms (with
CSRF) and 50 readers fetch pages, kills one worker with SIGKILL at 30 % of the
run and the whole server (master and workers) at 60 %, restarts it, and at
the end checks that every acknowledged post is in the database, that no
response was a 5xx, that ``flask --app forum search status`` is in step and,
where the branch has it, that ``flask --app forum check`` finds no drift.
Not part of CI; see bench/README.md. Traffic goes to 127.0.0.1 only, every
loop ends at the deadline, and the script stops by itself.

    .venv/bin/python bench/load_fault.py                 # 60 s per database
    .venv/bin/python bench/load_fault.py --seconds 20 --databases sqlite
"""

import argparse
import contextlib
import html
import http.client
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
DEFAULT_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PASSWORD = "load-fault-password"
#: Seconds a client waits for one response (the server may be down meanwhile).
CLIENT_TIMEOUT = 30
#: Seconds the clients keep going while the killed server restarts (it may be slow).
RESTART_ALLOWANCE = 120
#: Every post this script writes carries this marker and a unique token.
MARKER = "Lasttest-Antwort"
ACKNOWLEDGED = re.compile(r"/t/[^/]+/(\d+)/(\d+)#post_(\d+)$")

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# --- Bookkeeping ---------------------------------------------------------------------


@dataclass
class Tally:
    """What the clients saw, shared by all threads (under ``lock``)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    unreachable: int = 0
    #: token -> (topic id, post number) of every post the server acknowledged.
    acknowledged: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: When each acknowledgement came (time.monotonic()).
    acknowledged_at: list[float] = field(default_factory=list)
    #: Posts sent whose answer never came (the server died meanwhile).
    unanswered: int = 0
    rejected: Counter = field(default_factory=Counter)
    logins: int = 0
    #: Seconds from sending a reply to its answer, acknowledged replies only.
    reply_seconds: list[float] = field(default_factory=list)

    def saw(self, method: str, path: str, status: int) -> None:
        with self.lock:
            self.statuses[status] += 1
            if status >= 500:
                self.server_errors.append(f"{status} {method} {path}")


class Clock:
    """The deadline every client loop checks; moved once the server is back up."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline

    def running(self) -> bool:
        return time.monotonic() < self.deadline


class Unreachable(Exception):
    """No HTTP answer: refused, reset or timed out (the server is being killed)."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None  # the 302 itself is the answer a writer needs


class Browser:
    """A client with its own cookies that never follows redirects or proxies."""

    def __init__(self, base: str, tally: Tally) -> None:
        self.base = base
        self.tally = tally
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),  # loopback only, whatever http_proxy says
            urllib.request.HTTPCookieProcessor(CookieJar()),
            _NoRedirect,
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """Return (status, Location header, body); raise Unreachable without an answer."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        request.add_header("Accept-Language", "de")
        method = "POST" if data is not None else "GET"
        try:
            with self.opener.open(request, timeout=CLIENT_TIMEOUT) as response:
                status, location = response.status, response.headers.get("Location", "")
                text = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            with error:
                status, location = error.code, error.headers.get("Location", "")
                text = error.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            with self.tally.lock:
                self.tally.unreachable += 1
            raise Unreachable(str(error)) from error
        self.tally.saw(method, path, status)
        return status, location, text


def hidden_fields(page: str, action: str) -> dict[str, str]:
    """Return the hidden inputs (CSRF token and the like) of the form posting to ``action``."""
    start = page.find(f'action="{action}"')
    end = page.find("</form>", start)
    if start < 0 or end < 0:
        return {}
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", page[start:end]):
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        if attributes.get("type") == "hidden" and "name" in attributes:
            fields[attributes["name"]] = html.unescape(attributes.get("value", ""))
    return fields


# --- The clients -----------------------------------------------------------------------


def log_in(browser: Browser, username: str, clock: Clock) -> bool:
    """Log in through the real form; retry while the server is unreachable."""
    while clock.running():
        try:
            status, _location, page = browser.request("/login")
            if status != 200:
                time.sleep(0.5)
                continue
            fields = hidden_fields(page, "/login")
            fields.update(login=username, password=PASSWORD)
            status, _location, _page = browser.request("/login", fields)
        except Unreachable:
            time.sleep(0.3)
            continue
        if status == 302:
            with browser.tally.lock:
                browser.tally.logins += 1
            return True
        time.sleep(0.5)
    return False


def writer(base: str, username: str, topic_ids: list[int], clock: Clock, tally: Tally):
    """Reply to random topics until the deadline; record every acknowledged post."""
    browser = Browser(base, tally)
    chooser = random.Random(username)
    if not log_in(browser, username, clock):
        return
    while clock.running():
        topic_id = chooser.choice(topic_ids)
        action = f"/t/{topic_id}/reply"
        try:
            status, location, page = browser.request(action)
        except Unreachable:
            time.sleep(0.2)
            continue
        if status == 302 and "/login" in location:
            log_in(browser, username, clock)
            continue
        if status != 200:
            continue
        token = f"lf{uuid.uuid4().hex[:16]}"
        fields = hidden_fields(page, action)
        fields.update(raw=f"{MARKER} {token} von {username}.", submit="1")
        sent = time.perf_counter()
        try:
            status, location, _page = browser.request(action, fields)
        except Unreachable:
            with tally.lock:
                tally.unanswered += 1
            time.sleep(0.2)
            continue
        found = ACKNOWLEDGED.search(location) if status in (200, 302, 303) else None
        with tally.lock:
            if found and int(found.group(1)) == topic_id:
                tally.acknowledged[token] = (topic_id, int(found.group(2)))
                tally.acknowledged_at.append(time.monotonic())
                tally.reply_seconds.append(time.perf_counter() - sent)
            else:
                tally.rejected[status] += 1


def reader(base: str, paths: list[str], seed: int, clock: Clock, tally: Tally) -> None:
    """Fetch random pages until the deadline."""
    browser = Browser(base, tally)
    chooser = random.Random(seed)
    while clock.running():
        try:
            browser.request(chooser.choice(paths))
        except Unreachable:
            time.sleep(0.2)


# --- The server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn in a session of its own, so the whole server can be killed at once."""

    #: The WSGI application gunicorn serves.
    app = "forum:create_app()"

    def __init__(self, port: int, env: dict[str, str], log_path: Path, workers: int) -> None:
        self.port = port
        self.env = env
        self.log_path = log_path
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> float:
        """Start gunicorn and wait until it answers; return the seconds that took."""
        started = time.monotonic()
        command = [str(BIN / "gunicorn"), "-w", str(self.workers), "-b", f"{HOST}:{self.port}",
                   "--timeout", "30", "--graceful-timeout", "5", self.app]  # fmt: skip
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log_path}")
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), 1):
                connection = http.client.HTTPConnection(HOST, self.port, timeout=10)
                try:
                    connection.request("GET", "/")
                    if connection.getresponse().status == 200:
                        return time.monotonic() - started
                finally:
                    connection.close()
            time.sleep(0.2)
        raise SystemExit(f"gunicorn not ready after {timeout} s; see {self.log_path}")

    def _processes(self) -> list[tuple[int, str, int, int]]:
        """Return (pid, state, parent, group) of every process, from /proc."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, ValueError, IndexError):
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    state, parent, group = fields[0], fields[1], fields[2]
                    found.append((int(entry.name), state, int(parent), int(group)))
        return found

    def worker_pids(self) -> list[int]:
        return [pid for pid, state, parent, _group in self._processes()
                if parent == self.process.pid and state != "Z"]  # fmt: skip

    def kill_worker(self) -> int | None:
        """SIGKILL one worker (the master starts another); return its pid."""
        pids = self.worker_pids()
        if not pids:
            return None
        os.kill(pids[0], signal.SIGKILL)
        return pids[0]

    def kill_all(self) -> None:
        """SIGKILL master and workers at once, as a crash of the whole server."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        # The killed workers may stay zombies (nobody reaps them in a container):
        # wait until no live process of the group is left.
        until = time.monotonic() + 30
        while time.monotonic() < until and any(
            group == self.process.pid and state != "Z"
            for _pid, state, _parent, group in self._processes()
        ):
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


# --- One run ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    database: str
    seconds: float
    tally: Tally
    worker_killed: int | None = None
    restart_seconds: float = 0.0
    restarted_at: float = 0.0
    lost: list[str] = field(default_factory=list)
    #: Posts in the database whose answer never reached the client.
    unacknowledged_in_db: int = 0
    search_status: tuple[int, str] = (0, "")
    check: tuple[int, str] | None = None

    @property
    def acknowledged_after_restart(self) -> int:
        return sum(1 for t in self.tally.acknowledged_at if t >= self.restarted_at)

    @property
    def passed(self) -> bool:
        return (
            not self.lost
            and not self.tally.server_errors
            and self.search_status[0] == 0
            and (self.check is None or self.check[0] == 0)
            and self.acknowledged_after_restart > 0
        )


def prepare(url: str, instance: Path, writers: int) -> tuple[list[int], list[str], list[str]]:
    """Create schema, demo content, writer accounts and topics; return ids and reader paths."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from forum import create_app, demo
    from forum.auth.accounts import create_user
    from forum.boards.models import Category, ReadLevel, Topic
    from forum.boards.services import create_category, create_topic
    from forum.extensions import db, init_migrate
    from forum.urls import category_url, topic_url
    from forum.users.models import Role

    config = {"SECRET_KEY": secrets.token_hex(32), "SQLALCHEMY_DATABASE_URI": url,
              "HOLD_FIRST_POSTS": 0, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
              "RATELIMIT_ENABLED": False}  # fmt: skip
    app = create_app(config, instance_path=str(instance))
    init_migrate(app)
    with app.app_context():
        upgrade(revision="heads")
        demo.load_demo()
        category = create_category("Lasttest", slug="lasttest", read_level=ReadLevel.PUBLIC)
        names = [f"schreiber{number}" for number in range(1, writers + 1)]
        users = [
            create_user(name, f"{name}@example.org", PASSWORD, role=Role.MEMBER, confirmed=True)
            for name in names
        ]
        topic_ids = [
            create_topic(users[n % len(users)], category, f"Lasttest Thema {n}", "Los geht es.").id
            for n in range(4)
        ]
        with app.test_request_context():
            public = db.session.scalars(
                sa.select(Category).where(Category.read_level == ReadLevel.PUBLIC)
            ).all()
            topics = db.session.scalars(
                sa.select(Topic).where(Topic.category_id.in_([c.id for c in public]))
            ).all()
            paths = ["/", "/latest", "/search?q=Ehrenamt", "/search?q=Lasttest"]
            paths += [category_url(c) for c in public]
            paths += [topic_url(t) for t in topics]
            paths += [f"/u/{name}" for name in names[:3]]
        app.extensions["search"].close()
        db.session.remove()
        db.engine.dispose()
    return topic_ids, paths, names


def flask_command(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "forum", *args], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    lines = (result.stdout + result.stderr).strip().splitlines()
    return result.returncode, lines[-1] if lines else ""


def verify(url: str, outcome: Outcome) -> None:
    """Look every acknowledged post up in the database."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT topic_id, post_number, raw FROM posts WHERE raw LIKE :marker"),
                {"marker": f"{MARKER} %"},
            ).all()
    finally:
        engine.dispose()
    stored = {raw.split()[1]: (topic_id, number) for topic_id, number, raw in rows}
    for token, place in outcome.tally.acknowledged.items():
        if stored.get(token) != place:
            outcome.lost.append(f"{token} at topic {place[0]} #{place[1]}")
    outcome.unacknowledged_in_db = len(set(stored) - set(outcome.tally.acknowledged))


def run(kind: str, args: argparse.Namespace) -> Outcome:
    """Set up one database, run the load with its faults, check, clean up."""
    import sqlalchemy as sa

    work = Path(tempfile.mkdtemp(prefix=f"load-fault-{kind}-"))
    instance = work / "instance"
    admin = None
    if kind == "sqlite":
        url = f"sqlite:///{instance / 'forum.sqlite3'}"
    else:
        name = f"forum_load_fault_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(args.server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.make_url(args.server_url).set(database=name).render_as_string(False)
    server = None
    clock = Clock(0.0)
    try:
        print(f"[{kind}] preparing {work}", flush=True)
        topic_ids, paths, names = prepare(url, instance, args.writers)
        env = {**os.environ, "FORUM_INSTANCE_PATH": str(instance),
               "FORUM_SECRET_KEY": secrets.token_hex(32), "FORUM_SQLALCHEMY_DATABASE_URI": url,
               # Every client is 127.0.0.1: per-address limits would stop the writers.
               "FORUM_RATELIMIT_ENABLED": "false", "FORUM_HOLD_FIRST_POSTS": "0"}  # fmt: skip
        server = Server(free_port(), env, work / "gunicorn.log", args.workers)
        print(f"[{kind}] gunicorn ready after {server.start():.1f} s", flush=True)
        base = f"http://{HOST}:{server.port}"
        tally = Tally()
        outcome = Outcome(kind, args.seconds, tally)
        started = time.monotonic()
        # Until the restart the clients run on; after it, for the last 40 % of the time.
        clock.deadline = started + args.seconds + RESTART_ALLOWANCE
        threads = [
            threading.Thread(target=writer, args=(base, names[n], topic_ids, clock, tally))
            for n in range(args.writers)
        ] + [
            threading.Thread(target=reader, args=(base, paths, n, clock, tally))
            for n in range(args.readers)
        ]
        for thread in threads:
            thread.start()
        print(f"[{kind}] load on {base} for {args.seconds} s", flush=True)
        if args.no_faults:
            # Throughput only: the same load, no process killed.
            outcome.restarted_at = started
            clock.deadline = started + args.seconds
            for thread in threads:
                thread.join(timeout=args.seconds + CLIENT_TIMEOUT * 3)
            outcome.seconds = time.monotonic() - started
            server.stop()
            verify(url, outcome)
            outcome.search_status = flask_command(env, "search", "status")
            return outcome
        time.sleep(max(0.0, started + args.seconds * 0.3 - time.monotonic()))
        outcome.worker_killed = server.kill_worker()
        print(f"[{kind}] killed worker {outcome.worker_killed}", flush=True)
        time.sleep(max(0.0, started + args.seconds * 0.6 - time.monotonic()))
        server.kill_all()
        print(f"[{kind}] killed the whole server; restarting", flush=True)
        outcome.restart_seconds = server.start()
        outcome.restarted_at = time.monotonic()
        clock.deadline = outcome.restarted_at + args.seconds * 0.4
        for thread in threads:
            thread.join(timeout=args.seconds + CLIENT_TIMEOUT * 3)
        outcome.seconds = time.monotonic() - started
        server.stop()
        verify(url, outcome)
        outcome.search_status = flask_command(env, "search", "status")
        if flask_command(env, "check", "--help")[0] == 0:
            outcome.check = flask_command(env, "check")
        return outcome
    finally:
        clock.deadline = 0.0  # on an error too: every client loop ends
        if server is not None:
            server.stop()
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        if args.keep:
            print(f"[{kind}] kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def summary(outcomes: list[Outcome]) -> str:
    rows = [
        ("database", lambda o: o.database),
        ("seconds of load", lambda o: f"{o.seconds:.0f}"),
        ("responses", lambda o: str(sum(o.tally.statuses.values()))),
        ("by status", lambda o: " ".join(f"{s}:{n}" for s, n in sorted(o.tally.statuses.items()))),
        ("no answer (server down)", lambda o: str(o.tally.unreachable)),
        ("logins", lambda o: str(o.tally.logins)),
        ("posts acknowledged", lambda o: str(len(o.tally.acknowledged))),
        ("replies per second", lambda o: f"{len(o.tally.acknowledged) / o.seconds:.1f}"),
        ("reply median / p95 ms", lambda o: _reply_quantiles(o.tally.reply_seconds)),
        ("... after the restart", lambda o: str(o.acknowledged_after_restart)),
        ("posts rejected (status)", lambda o: dict(o.tally.rejected).__str__()),
        ("posts sent, no answer", lambda o: str(o.tally.unanswered)),
        ("... of those in database", lambda o: str(o.unacknowledged_in_db)),
        ("acknowledged posts lost", lambda o: str(len(o.lost))),
        ("5xx responses", lambda o: str(len(o.tally.server_errors))),
        ("worker killed (pid)", lambda o: str(o.worker_killed)),
        ("server restart (s)", lambda o: f"{o.restart_seconds:.1f}"),
        ("search status", lambda o: f"{o.search_status[0]}: {o.search_status[1]}"),
        ("check", lambda o: f"{o.check[0]}: {o.check[1]}" if o.check else "not on this branch"),
        ("result", lambda o: "PASS" if o.passed else "FAIL"),
    ]  # fmt: skip
    lines = ["| | " + " | ".join(o.database for o in outcomes) + " |",
             "|---" * (len(outcomes) + 1) + "|"]  # fmt: skip
    for title, value in rows[1:]:
        lines.append(f"| {title} | " + " | ".join(value(o) for o in outcomes) + " |")
    details = [f"{o.database}: {error}" for o in outcomes for error in o.tally.server_errors[:10]]
    details += [f"{o.database}: lost {item}" for o in outcomes for item in o.lost[:10]]
    return "\n".join(lines + (["", *details] if details else []))


def _reply_quantiles(seconds: list[float]) -> str:
    if not seconds:
        return "-"
    ordered = sorted(seconds)
    p95 = ordered[min(int(0.95 * len(ordered)), len(ordered) - 1)]
    return f"{ordered[len(ordered) // 2] * 1000:.0f} / {p95 * 1000:.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="load per database (60)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite,postgresql")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument(
        "--server-url",
        default=os.environ.get("FORUM_TEST_DATABASE_URL", DEFAULT_SERVER_URL),
        help="PostgreSQL server to create the throwaway database on",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--no-faults", action="store_true", help="kill nothing: measure replies/s and latency"
    )
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.databases.split(",") if k.strip()]
    if not kinds or set(kinds) - {"sqlite", "postgresql"}:
        parser.error("--databases takes sqlite and/or postgresql")
    if not 5 <= args.seconds <= 3600:
        parser.error("--seconds must be between 5 and 3600")
    outcomes = [run(kind, args) for kind in kinds]
    print()
    print(summary(outcomes))
    return 0 if all(o.passed for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
