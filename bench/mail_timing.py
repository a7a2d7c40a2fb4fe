"""Time the pages that mail only sometimes: do they answer as fast either way?

    python bench/mail_timing.py                  # 40 requests per case
    python bench/mail_timing.py --smtp-delay 0.2 # an SMTP server that takes 200 ms

A real forum (SQLite in a temporary folder, scrypt hashes as in production)
behind Werkzeug's threaded server, a real SMTP server (aiosmtpd) on loopback, and
http.client timing each answer until its last byte. Password reset is asked for a
known and an unknown address; sign-up with a new and with a taken address. The
figures (median and 90th percentile in ms) go to stdout.
"""

import argparse
import asyncio
import http.client
import logging
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from aiosmtpd.controller import Controller
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forum import create_app
from forum.extensions import db, init_migrate


class Inbox:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        self.count += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _post(port: int, path: str, data: dict) -> float:
    body = urllib.parse.urlencode(data)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    connection = http.client.HTTPConnection("127.0.0.1", port)
    start = time.perf_counter()
    connection.request("POST", path, body, headers)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    connection.close()
    assert response.status == 302, (path, response.status)
    return elapsed * 1000


def _figures(samples: list[float]) -> str:
    samples = sorted(samples)
    p90 = samples[int(len(samples) * 0.9) - 1]
    return f"median {statistics.median(samples):7.1f} ms   p90 {p90:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--smtp-delay", type=float, default=0.0)
    args = parser.parse_args()

    inbox = Inbox(args.smtp_delay)
    smtp_port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    folder = Path(tempfile.mkdtemp(prefix="forum-mail-timing-"))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-" * 8,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'forum.sqlite3'}",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "PLUGINS": [],
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_port,
        },
        instance_path=str(folder / "instance"),
    )
    init_migrate(app)
    with app.app_context():
        from flask_migrate import upgrade

        from forum.auth.accounts import create_user

        upgrade(revision="heads")
        create_user("berta", "berta@example.org", "ein langes Passwort", confirmed=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_port
    try:
        times: dict[str, list[float]] = {name: [] for name in ("known", "unknown", "new", "taken")}
        for n in range(args.requests):
            times["known"].append(_post(port, "/password/forgot", {"email": "berta@example.org"}))
            times["unknown"].append(_post(port, "/password/forgot", {"email": f"x{n}@example.org"}))
            account = {"password": "ein langes Passwort", "password_confirm": "ein langes Passwort"}
            new = {"username": f"neu{n}", "email": f"neu{n}@example.org", **account}
            taken = {"username": f"andere{n}", "email": "berta@example.org", **account}
            times["new"].append(_post(port, "/register", new))
            times["taken"].append(_post(port, "/register", taken))
        time.sleep(args.smtp_delay * 4 + 0.5)  # let the last mails arrive
        print(f"SMTP delay {args.smtp_delay * 1000:.0f} ms, {args.requests} requests per case")
        print(f"password reset, known address    {_figures(times['known'])}")
        print(f"password reset, unknown address  {_figures(times['unknown'])}")
        print(f"sign-up, new address             {_figures(times['new'])}")
        print(f"sign-up, taken address           {_figures(times['taken'])}")
        print(f"mails received: {inbox.count}")
    finally:
        server.shutdown()
        controller.stop()
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
