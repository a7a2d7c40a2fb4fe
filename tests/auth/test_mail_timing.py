"""Pages that mail only sometimes answer before the mail goes out, over a real server."""

import asyncio
import http.client
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from werkzeug.serving import make_server

#: Seconds the slow SMTP server takes per message; the answers must not wait for it.
#: Long enough that a busy CI machine (two suites side by side) cannot blur the two.
SMTP_DELAY = 4.0


class SlowInbox:
    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(SMTP_DELAY)
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def slow_inbox(app) -> Iterator[SlowInbox]:
    inbox = SlowInbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config["MAIL_PORT"] = port
    yield inbox
    controller.stop()


@pytest.fixture
def server_port(app, slow_inbox) -> Iterator[int]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join()


def _post(port: int, path: str, data: dict) -> tuple[int, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    start = time.perf_counter()
    connection.request("POST", path, urllib.parse.urlencode(data), headers)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    connection.close()
    return response.status, elapsed


def _wait_for(inbox: SlowInbox, address: str) -> bool:
    deadline = time.monotonic() + SMTP_DELAY * 4
    while time.monotonic() < deadline:
        if address in inbox.recipients:
            return True
        time.sleep(0.05)
    return False


def test_password_reset_answers_before_the_mail(make, slow_inbox, server_port):
    make.user("berta")
    status, _elapsed = _post(server_port, "/password/forgot", {"email": "nobody@example.org"})
    assert status == 302
    status, known = _post(server_port, "/password/forgot", {"email": "berta@example.org"})
    assert status == 302
    assert known < SMTP_DELAY * 2 / 3, f"{known:.2f} s: the answer waited for SMTP"
    # ... and the mail still goes out, after the answer; an earlier one would be there by now.
    assert _wait_for(slow_inbox, "berta@example.org")
    assert slow_inbox.recipients == ["berta@example.org"]


def test_sign_up_with_a_taken_address_answers_before_the_mail(make, slow_inbox, server_port):
    make.user("berta")
    password = "ein langes Passwort"
    data = {"username": "bert", "email": "berta@example.org", "password": password}
    status, elapsed = _post(server_port, "/register", {**data, "password_confirm": password})
    assert status == 302
    assert elapsed < SMTP_DELAY * 2 / 3, f"{elapsed:.2f} s: the answer waited for SMTP"
    assert _wait_for(slow_inbox, "berta@example.org")
