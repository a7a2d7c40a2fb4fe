"""A live forum and a real Chromium (Debian's /usr/bin/chromium) for browser tests.

The server runs for the whole session on a free port; each test's ``app``
(built by tests/conftest.py on the test database) is swapped in behind it, so
pytest-playwright's session-scoped ``base_url`` stays valid.
"""

import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

# FORUM_TEST_CHROMIUM points at another Chromium build (e.g. /usr/bin/chromium-browser).
CHROMIUM = Path(os.environ.get("FORUM_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# CI runs the SQLite and PostgreSQL suites side by side: each keeps its own pictures.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
if os.environ.get("FORUM_TEST_DATABASE_URL", "").startswith("postgresql"):
    SCREENSHOTS = SCREENSHOTS / "postgresql"

# Playwright's assertions retry for 5 s by default. CI runs both databases' suites
# side by side on two cores, where a page behind a mail or a search commit now and
# then takes longer: an assertion waits until its condition holds, so a longer
# limit costs nothing when all is well and only turns a slow pass from a failure.
expect.set_options(timeout=20_000)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Kept on the item so ``open_page`` can tell, while tearing down, whether the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


#: CI runs the two databases' suites side by side, one per core, and Chromium makes
#: the SQLite one the longer: the coordinator's pages go through Chromium on
#: PostgreSQL there instead (.ci/run), so both suites end at about the same time.
ON_POSTGRESQL_IN_CI = {"test_admin_pages.py", "test_admin_categories.py", "test_people.py"}


def pytest_collection_modifyitems(items) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)
            if item.path.name in ON_POSTGRESQL_IN_CI:
                item.add_marker(pytest.mark.browser_on_postgresql)


def _read_whole_file(file, _buffer_size: int = 8192) -> list[bytes]:
    """A ``wsgi.file_wrapper`` that reads the file at once and closes it.

    Werkzeug's development server skips closing the response when Chromium drops
    a connection while it drains the request (a page navigated away before the
    favicon came): the open static file then surfaced as a ResourceWarning in
    whichever test the garbage collector happened to run in. Static files and
    uploads are small, so reading them whole costs nothing here.
    """
    try:
        return [file.read()]
    finally:
        file.close()


class _SwappableApp:
    """A WSGI app that forwards to whichever Flask app the current test built."""

    def __init__(self) -> None:
        self.app: Flask | None = None

    def __call__(self, environ, start_response):
        if self.app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no test app"]
        environ["wsgi.file_wrapper"] = _read_whole_file
        return self.app(environ, start_response)


def _only_failed_requests(record: logging.LogRecord) -> bool:
    """Keep the server's log lines of 4xx and 5xx answers only.

    A journey makes hundreds of requests; a failed test's report showed all of
    them, and the CI summary cut the part that said what went wrong.
    """
    args = record.args if isinstance(record.args, tuple) else ()
    return len(args) < 2 or not str(args[1]).startswith(("1", "2", "3"))


@pytest.fixture(scope="session")
def _live_server() -> Iterator[tuple[str, _SwappableApp]]:
    logging.getLogger("werkzeug").addFilter(_only_failed_requests)
    target = _SwappableApp()
    server = make_server("127.0.0.1", 0, target, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", target
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def base_url(_live_server) -> str:
    return _live_server[0]


@pytest.fixture
def live_app(app, _live_server) -> Iterator[Flask]:
    """Serve this test's app on the live server; returns the app."""
    _url, target = _live_server
    target.app = app
    yield app
    target.app = None


class CronMailbox:
    """The loopback mailbox, with the deployment's cron as a second chance.

    A request's mails go out right after its response (forum/mail.py); a
    deployment also runs ``flask --app forum mail send`` every minute
    (docs/operations.md) for what that missed. On CI's loaded machine a mail
    now and then had not come 30 s after the page that queued it, so every
    ``CRON_AFTER`` seconds of waiting this runs what cron runs. Whether mails go
    out after the response at all is proven without it, in tests/mailing/test_queue.py.
    """

    CRON_AFTER = 10

    def __init__(self, mailbox, app: Flask) -> None:
        self._mailbox, self._app = mailbox, app

    def __getattr__(self, name):
        return getattr(self._mailbox, name)

    def wait_for(self, address: str, count: int = 1, timeout: float = 30):
        from forum.mail import send_due

        deadline = time.monotonic() + timeout
        found = self._mailbox.wait_for(address, count, timeout=min(self.CRON_AFTER, timeout))
        while len(found) < count and time.monotonic() < deadline:
            # Again every CRON_AFTER seconds: a hand-over that failed is tried again
            # a minute later (MAIL_RETRY_BASE_SECONDS), by the next cron run.
            print(f"mail to {address}: not there yet, sending as cron does")
            self._print_queue(address)
            with self._app.app_context():
                send_due()
            left = deadline - time.monotonic()
            found = self._mailbox.wait_for(address, count, timeout=min(self.CRON_AFTER, left))
        if len(found) < count:
            self._print_queue(address)
        return found

    def _print_queue(self, address: str) -> None:
        """Say what became of the mails to ``address`` (a failing test's output)."""
        import sqlalchemy as sa

        from forum.extensions import db
        from forum.mail import OutgoingMail

        with self._app.app_context():
            for mail in db.session.scalars(
                sa.select(OutgoingMail).where(OutgoingMail.recipient == address)
            ):
                print(
                    f"mail {mail.id} to {address}: attempts {mail.attempts}, claimed until "
                    f"{mail.claimed_until}, next attempt {mail.next_attempt_at}, sent "
                    f"{mail.sent_at}, failed {mail.failed_at}, error {mail.last_error!r}"
                )
            db.session.rollback()


@pytest.fixture
def mailbox(mailbox, live_app) -> CronMailbox:
    return CronMailbox(mailbox, live_app)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args) -> dict:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install -y chromium, or set FORUM_TEST_CHROMIUM)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; browser tests must run in CI.")
        pytest.skip(reason)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


# --- Shared by the interface tests (accessibility, composer, mobile) ------------------

WCAG_A_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _print_pages(contexts) -> None:
    """Say where each page of a failed test stood: a CI log has no screenshots."""
    for number, context in enumerate(contexts, 1):
        for page in context.pages:
            try:
                text = page.locator("main").first.inner_text(timeout=2_000)
            except Exception as error:  # the page may be gone or still loading
                text = f"(no main: {type(error).__name__})"
            print(f"page {number} at {page.url}: {' '.join(text.split())[:600]}")


@pytest.fixture
def open_page(browser, base_url, request) -> Iterator:
    """Open a page in a fresh browser context: language, colour scheme, viewport."""
    contexts = []

    def _open(locale: str = "de-DE", color_scheme: str = "light", width: int = 1280) -> Page:
        context = browser.new_context(
            base_url=base_url,
            locale=locale,
            color_scheme=color_scheme,
            viewport={"width": width, "height": 800},
        )
        contexts.append(context)
        return context.new_page()

    yield _open
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        _print_pages(contexts)
    for context in contexts:
        context.close()


def log_in(page, username: str, password: str) -> None:
    """Log in through the real form (German or English labels)."""
    page.goto("/login")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    # The log-out form waits in the closed account menu (a <details>) in the header.
    page.wait_for_selector("header form[action$='/logout']", state="attached")


def open_account_menu(page) -> None:
    """Open the header's account menu (profile, bookmarks, settings, log out)."""
    page.locator("header details.user-menu > summary").click()
