"""One gunicorn worker on a loopback port, and the clients that drive it (bench/run.py,
bench/worker_memory.py, bench/search_bench.py, bench/wrk_pages.py)."""

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import common

USER_AGENT = "forum-bench/1"
HEADERS = {"User-Agent": USER_AGENT, "Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
WHO = ("guest", "member")


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


def drive(port: int, path: str, cookie: str | None, count: int, threads: int, result) -> None:
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
