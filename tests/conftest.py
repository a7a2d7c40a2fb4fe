"""Fixtures: a real app on a real database (SQLite, or PostgreSQL when
FORUM_TEST_DATABASE_URL names a server), a real SMTP server on loopback, and a
factory that builds data through the real services."""

import contextlib
import os
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from jinja2.bccache import Bucket, BytecodeCache
from werkzeug.routing.rules import Rule

from forum import create_app
from forum.extensions import db
from forum.review import words

# --- Speed: every test builds its own app ---------------------------------------

_BUILDERS: dict = {}
_compile_builder = Rule._compile_builder


def _cached_builder(rule: Rule, append_unknown: bool = True):
    """Werkzeug's URL builder for ``rule``, compiled once per run.

    Each test builds its own app, and werkzeug compiles a Python function per URL
    rule while the app registers its ~180 rules: ~100 ms per app, a tenth of an
    average test. The function depends only on the rule's text, its parsed parts,
    its defaults and ``append_unknown`` (it reaches the rule's converters through
    its ``self`` argument), so the same code serves every app's equal rule.
    """
    defaults = tuple(sorted((key, repr(value)) for key, value in (rule.defaults or {}).items()))
    converters = tuple(
        (name, type(converter), repr({k: v for k, v in vars(converter).items() if k != "map"}))
        for name, converter in sorted(rule._converters.items())
    )
    key = (rule.rule, tuple(rule._trace), defaults, converters, append_unknown)
    builder = _BUILDERS.get(key)
    if builder is None:
        builder = _BUILDERS[key] = _compile_builder(rule, append_unknown)
    return builder


Rule._compile_builder = _cached_builder


class _TemplateCodeKept(BytecodeCache):
    """Jinja's compiled templates, kept for the whole run.

    Each app has its own Jinja environment, so each test compiled every template
    it rendered again: ~30 ms a template, a fifth of the auth tests' time. Every
    test app is built by the same factory with the same environment settings;
    Jinja's key is the template's name and file, and its checksum of the source
    rejects a template whose text differs.
    """

    def __init__(self) -> None:
        self.codes: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        kept = self.codes.get(bucket.key)
        if kept is not None and kept[0] == bucket.checksum:
            bucket.code = kept[1]

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.codes[bucket.key] = (bucket.checksum, bucket.code)


_TEMPLATE_CODE = _TemplateCodeKept()


# --- Database -----------------------------------------------------------------


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """Return the URL of a fresh, migrated database for this test run."""
    server_url = os.environ.get("FORUM_TEST_DATABASE_URL")
    if not server_url:
        path = tmp_path_factory.mktemp("db") / "forum-test.sqlite3"
        url = f"sqlite:///{path}"
        _migrate(url, tmp_path_factory)
        yield url
        return
    # A PostgreSQL server: make a database of our own, drop it afterwards.
    name = f"forum_test_{uuid.uuid4().hex[:12]}"
    admin_engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        # A test database need not survive a crash: its commits (every test
        # empties the tables and builds its data) need not wait for the disk.
        connection.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    url = sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        _migrate(url, tmp_path_factory)
        yield url
    finally:
        with admin_engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


def _migrate(url: str, tmp_path_factory) -> None:
    """Create the schema through the committed migrations, as deployments do."""
    from flask_migrate import upgrade

    from forum.extensions import init_migrate

    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url},
        instance_path=str(tmp_path_factory.mktemp("migrate-instance")),
    )
    init_migrate(app)
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()


def _empty_all_tables() -> None:
    """Delete every row, children first.

    DELETE, not TRUNCATE: on PostgreSQL a TRUNCATE of all tables costs ~0.8 s
    per test, a DELETE of a test's few rows ~10 ms. Ids therefore keep
    counting up across tests; tests never assume an id.
    """
    from forum.boards.models import Category

    # Subcategories point at their parents (RESTRICT); cut them loose first.
    db.session.execute(sa.update(Category).values(parent_id=None))
    # Plugin models join the metadata when a plugin is imported; their tables
    # exist only in databases where the plugin's branch was applied.
    existing = set(sa.inspect(db.session.connection()).get_table_names())
    for table in reversed(db.metadata.sorted_tables):
        if table.name in existing:
            db.session.execute(table.delete())
    db.session.commit()


# --- E-mail -------------------------------------------------------------------


@dataclass
class Mailbox:
    """What the loopback SMTP server received."""

    messages: list[Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if address in m["To"]]

    def wait_for(self, address: str, count: int = 1, timeout: float = 30) -> list[Message]:
        """Return the mails to ``address`` once ``count`` have come, or what came by ``timeout``.

        Some mail goes out after the response, on the server's thread; on a
        loaded CI machine that can take seconds. The wait ends as soon as the
        mail is there, so a generous timeout costs nothing when all is well.
        """
        deadline = time.monotonic() + timeout
        while len(self.to(address)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.to(address)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    # aiosmtpd 1.4 cannot take port 0 (its start-up probe connects to the given
    # port), so ask the OS for a free one first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    mailbox, _port = smtp_server
    mailbox.clear()
    return mailbox


# --- App ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _settings_copy_kept_while_a_test_runs(monkeypatch):
    """A process keeps the admin's settings until they change, and trusts its copy
    at most PROCESS_COPY_SECONDS (30 s) in case a change's signal was lost
    (forum/site/services.py). A test that counts statements must not count one
    more because the machine was slow enough for half a minute to pass between
    its requests; tests/site/test_settings_copy.py tests the age limit itself."""
    monkeypatch.setattr("forum.pagecache.PROCESS_COPY_SECONDS", 24 * 3600)


@pytest.fixture
def app_config(database_url, smtp_server) -> dict:
    """Settings for the test app; tests may change them before `app` is built."""
    _mailbox, port = smtp_server
    return {
        "TESTING": True,
        "SECRET_KEY": secrets.token_hex(16),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "VIEW_FLUSH_INTERVAL": 0,
        # The core's tests run without plugins; tests/plugins/ enables them.
        "PLUGINS": [],
        # scrypt costs ~0.1 s per hash; the suite creates hundreds of accounts.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "BASE_URL": "http://forum.test",
        "SERVER_NAME": None,
        # A background rebuild would race the test; tests/test_backups.py turns it on.
        "SEARCH_REBUILD_MISSING": False,
        # Search work and notifications when the response closes (not in a thread):
        # tests search and read notifications at once.
        "SEARCH_APPLY_IN_BACKGROUND": False,
        "NOTIFY_IN_BACKGROUND": False,
    }


@pytest.fixture
def app(app_config, tmp_path) -> Iterator[Flask]:
    app = create_app(app_config, instance_path=str(tmp_path / "instance"))
    app.jinja_env.bytecode_cache = _TEMPLATE_CODE
    with app.app_context():
        _empty_all_tables()
    # Tests build their own content on an empty database: they skip the first start
    # set-up (forum/admin/setup.py), whose tests clear this mark.
    app.extensions["forum.setup"] = {"configured": True}
    yield app
    if "search" in app.extensions:
        # The Whoosh index keeps files open; close them with the app.
        app.extensions["search"].close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class ServerLikeClient(FlaskClient):
    """A test client that reads and closes every response, as a server does.

    Work the app does after the response (mails queued by the page, the read
    position, the search outbox) runs when the response is closed; so it has
    run when a request returns here. ``buffered=False`` keeps a response open.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app) -> FlaskClient:
    """A browser that asks for English, so tests can assert on the msgids;
    German (the default) is covered by tests/test_translations.py."""
    client = ServerLikeClient(app, app.response_class, use_cookies=True)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- Data factory ---------------------------------------------------------------


class Factory:
    """Builds users, categories, topics and posts through the real services."""

    password = "correct horse battery"

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.counter = 0

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def user(self, username: str | None = None, role: str = "member", **kwargs):
        from forum.auth.accounts import create_user
        from forum.users.models import Role

        with self.app.app_context():
            name = username or f"user{self._next()}"
            kwargs.setdefault("confirmed", True)
            user = create_user(
                name,
                kwargs.pop("email", f"{name}@example.org"),
                kwargs.pop("password", self.password),
                role=Role(role),
                **kwargs,
            )
            # Load the attributes the commit expired, so they survive detaching.
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    def category(self, name: str | None = None, **kwargs):
        from forum.boards.services import create_category

        with self.app.app_context():
            category = create_category(name or f"Kategorie {self._next()}", **kwargs)
            db.session.refresh(category)
            db.session.expunge(category)
            return category

    def topic(
        self,
        author=None,
        category=None,
        title: str | None = None,
        raw: str = "Ein erster Beitrag mit Text.",
        **kwargs,
    ):
        from forum.boards.models import Category
        from forum.boards.services import create_topic
        from forum.users.models import User

        author = author or self.user()
        category = category or self.category()
        with self.app.app_context():
            topic = create_topic(
                db.session.get(User, author.id),
                db.session.get(Category, category.id),
                title or f"Ein Thema Nummer {self._next()}",
                raw,
                **kwargs,
            )
            db.session.refresh(topic)
            db.session.expunge_all()
            return topic

    def post(self, topic, author=None, raw: str = "Eine Antwort mit etwas Text.", **kwargs):
        from forum.boards.models import Topic
        from forum.boards.services import create_post
        from forum.users.models import User

        author = author or self.user()
        with self.app.app_context():
            post = create_post(
                db.session.get(User, author.id), db.session.get(Topic, topic.id), raw, **kwargs
            )
            db.session.refresh(post)
            db.session.expunge_all()
            return post


@pytest.fixture
def make(app) -> Factory:
    return Factory(app)


def login(client: FlaskClient, user, password: str = Factory.password):
    """Log ``user`` in through the real login form."""
    response = client.post(
        "/login", data={"login": user.username, "password": password}, follow_redirects=False
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def read_settings_once(client: FlaskClient) -> None:
    """Start as a running forum does, with the admin's settings read.

    A process reads them with its first page and keeps them until they change
    (forum/site/services.py), so a test that compares statement counts asks a
    page once before it counts; otherwise its first counted page has one more.
    The watched words are kept the same way (forum/review/words.py): read here too.
    """
    client.get("/netiquette").close()
    with client.application.test_request_context():
        words.screen("")


@pytest.fixture
def english(client) -> FlaskClient:
    """Ask for English pages, so text assertions survive new translations.

    Test packages that read only English override it as an autouse fixture in their
    conftest.py; a single module says ``pytestmark = pytest.mark.usefixtures("english")``.
    """
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def coordinator(make):
    """The county's volunteer coordinator: a moderator who reads English."""
    return make.user("koordination", role="moderator", locale="en")


@pytest.fixture
def admin(make):
    """An administrator who reads English."""
    return make.user("verwaltung", role="admin", locale="en")


@pytest.fixture
def member(make, login_as):
    """A member, logged in on ``client``."""
    member = make.user("schreiberin")
    login_as(member)
    return member


@pytest.fixture
def login_as(client):
    def _login(user, password: str = Factory.password):
        return login(client, user, password)

    return _login


@contextlib.contextmanager
def counting_statements(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL statements ``app``'s engine runs inside the block."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def fetch(app):
    """Return a fresh, detached copy of a row: ``fetch(Topic, topic.id)``."""

    def _fetch(model, key):
        with app.app_context():
            row = db.session.get(model, key)
            if row is not None:
                db.session.refresh(row)
                db.session.expunge(row)
            return row

    return _fetch
