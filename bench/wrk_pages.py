"""The issue's HTTP measurement: wrk against gunicorn (2 sync workers) on loopback.

    .venv/bin/python bench/wrk_pages.py            # needs `wrk` (apt-get install wrk)

Starts the bench app and the bare ceiling (bench/bare.py), each as
``gunicorn -w 2``, and runs ``wrk -t2 -c8 -d8s`` against the bare page, the
guests' home, latest, category and topic pages and the member's latest,
category and topic pages, in two rounds. Guests send no cookie: after wrk's
first request their pages come from the anonymous page cache.
"""

import contextlib
import http.client
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bare
import common
import gunicorn_client
import run


def _start(entry: str, port: int, env: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
               "--chdir", str(common.BENCH_DIR), "-c", str(common.GUNICORN_CONFIG),
               "--log-level", "warning", entry]  # fmt: skip
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _ready(port: int, path: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"nothing answers on port {port}")


@contextlib.contextmanager
def forum_and_bare(entry: str = "common:create_bench_app()"):
    """Serve the forum (gunicorn ``entry``) and the bare ceiling, each ``gunicorn -w 2``;
    yield the targets, the member's session cookie and the two ports."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    url = common.database_url(None)
    app = common.make_app(url)
    targets = common.find_targets(app)
    cookie = run.session_cookie(app, run.member_session(app, targets))
    env = {**os.environ, "FORUM_SQLALCHEMY_DATABASE_URI": url,
           "FORUM_SECRET_KEY": common.SECRET_KEY}  # fmt: skip
    forum_port, bare_port = gunicorn_client.free_port(), gunicorn_client.free_port()
    servers = [_start(entry, forum_port, env), _start("bare:create_bare_app()", bare_port, env)]
    try:
        _ready(forum_port, "/")
        _ready(bare_port, bare.BARE_PATH)
        yield targets, cookie, forum_port, bare_port
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)


def main() -> int:
    with forum_and_bare() as (targets, cookie, forum_port, bare_port):
        pages = dict(targets.pages())
        jobs = [("bare", bare_port, bare.BARE_PATH, None)]
        for name in ("home", "latest", "category", "topic first page"):
            jobs.append((f"{name} (guest)", forum_port, pages[name], None))
        for name in ("latest", "category", "topic first page"):
            jobs.append((f"{name} (member)", forum_port, pages[name], cookie))
        print("| round | page | req/s | mean latency | non-2xx |\n|---|---|---:|---:|---:|")
        for round_number in (1, 2):
            for name, port, path, session in jobs:
                language = f"Accept-Language: {run.HEADERS['Accept-Language']}"
                command = ["wrk", "-t2", "-c8", "-d8s", "-H", language]
                if session:
                    command += ["-H", f"Cookie: session={session}"]
                out = subprocess.run(
                    [*command, f"http://127.0.0.1:{port}{path}"],
                    capture_output=True, text=True, check=False,
                ).stdout  # fmt: skip
                rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
                latency = re.search(r"Latency\s+(\S+)", out)
                errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
                cells = [
                    str(round_number),
                    name,
                    rps.group(1) if rps else "-",
                    latency.group(1) if latency else "-",
                    errors.group(1) if errors else "0",
                ]
                print("| " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
