"""Backups and restores (``backup``, ``restore``) and the rebuild of a missing search index.

The round trip runs on the suite's database (SQLite, or PostgreSQL with
FORUM_TEST_DATABASE_URL); the restore target is always a fresh, empty database.
"""

import fcntl
import io
import json
import os
import stat
import tarfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from forum import create_app
from forum.backups import archive, recovery
from forum.backups.archive import Manifest
from forum.boards.models import Post, Topic
from forum.extensions import db
from forum.users.models import User

WORD = "Krötenwanderung"


@pytest.fixture
def app_config(app_config):
    app_config["HOLD_FIRST_POSTS"] = 0
    return app_config


@pytest.fixture
def empty_database_url(database_url, tmp_path) -> Iterator[str]:
    """Return the URL of a new, empty database of the suite's kind; drop it afterwards."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"forum_restore_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(os.environ["FORUM_TEST_DATABASE_URL"], isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def target(app_config, empty_database_url, tmp_path) -> Iterator:
    """A second forum on the empty database with an empty instance folder."""
    config = {**app_config, "SQLALCHEMY_DATABASE_URI": empty_database_url}
    app = create_app(config, instance_path=str(tmp_path / "restored-instance"))
    yield app
    app.extensions["search"].close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def forum(app, make):
    """A small forum: a public category, a topic with a reply, an upload, a config.py."""
    category = make.category("Natur", slug="natur", read_level="public")
    author = make.user("annette")
    topic = make.topic(author, category, title="Hilfe am Teich", raw=f"Die {WORD} beginnt.")
    reply = make.post(topic, raw="Ich komme mit Eimern.")
    instance = Path(app.instance_path)
    (instance / "uploads" / "2026").mkdir(parents=True)
    (instance / "uploads" / "2026" / "teich.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    (instance / "config.py").write_text('SECRET_KEY = "from-the-backup"\n')
    return {"topic": topic, "reply": reply, "author": author}


def _backup(runner, path: Path) -> Path:
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {path}" in result.output
    return path


def _rows(app) -> dict:
    with app.app_context():
        rows = db.session.execute
        return {
            "users": sorted(db.session.scalars(sa.select(User.username))),
            "posts": sorted(map(tuple, rows(sa.select(Post.id, Post.raw)))),
            "topics": sorted(map(tuple, rows(sa.select(Topic.id, Topic.posts_count)))),
        }


def _found(app, word: str) -> str:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get("/search", query_string={"q": word})
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- The round trip ----------------------------------------------------------------------


def test_round_trip_brings_back_posts_users_uploads_config_and_search(
    app, runner, forum, target, tmp_path
):
    assert "1 topic found" in _found(app, WORD)
    path = _backup(runner, tmp_path / "forum.tar.gz")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with tarfile.open(path) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
    kind = "sqlite" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else "postgresql"
    assert manifest["database"] == kind
    assert manifest["format"] == 1
    assert manifest["files"] == ["config.py", "uploads/2026/teich.jpg"]
    with app.app_context():
        from forum.cli import _current_revision

        assert ", ".join(manifest["revisions"]) == _current_revision()
    assert not any("search-index" in name for name in names)

    before = _rows(app)
    result = target.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code == 0, result.output
    assert "Rebuilt the search index: 2 posts." in result.output
    assert "Restored 1 uploaded files." in result.output

    assert _rows(target) == before
    restored = Path(target.instance_path)
    upload = restored / "uploads" / "2026" / "teich.jpg"
    assert upload.read_bytes() == b"\xff\xd8 not really a jpeg"
    config = restored / "config.py"
    assert config.read_text() == 'SECRET_KEY = "from-the-backup"\n'
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert "1 topic found" in _found(target, WORD)
    assert "Hilfe am Teich" in _found(target, "Eimern")
    status = target.test_cli_runner().invoke(args=["search", "status"])
    assert status.exit_code == 0, status.output
    assert "in step" in status.output
    # The restored forum takes new posts with fresh ids (PostgreSQL's sequences came along).
    from forum.boards.services import create_post

    with target.app_context():
        author = db.session.scalar(sa.select(User).where(User.username == "annette"))
        post = create_post(author, db.session.get(Topic, forum["topic"].id), "Noch eine Antwort.")
        assert post.id > forum["reply"].id


def test_restore_keeps_a_different_config_and_writes_the_backups_beside_it(
    app, runner, forum, target, tmp_path
):
    path = _backup(runner, tmp_path / "forum.tar.gz")
    restored = Path(target.instance_path)
    (restored / "config.py").write_text('SECRET_KEY = "new-machine"\n')
    result = target.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code == 0, result.output
    assert "differs from the backup's and was kept" in result.output
    assert (restored / "config.py").read_text() == 'SECRET_KEY = "new-machine"\n'
    kept = restored / "config.py.from-backup"
    assert kept.read_text() == 'SECRET_KEY = "from-the-backup"\n'
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_a_backup_taken_while_members_post_is_consistent(app, runner, make, target, tmp_path):
    category = make.category("Laufend", slug="laufend", read_level="public")
    topic = make.topic(category=category)
    author = make.user()
    stop = threading.Event()
    written: list[int] = []
    errors: list[BaseException] = []

    def write() -> None:
        try:
            while not stop.is_set() and len(written) < 200:
                written.append(make.post(topic, author, raw=f"Antwort {len(written)}").id)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(written) < 3:
            threading.Event().wait(0.01)
        path = _backup(runner, tmp_path / "online.tar.gz")
    finally:
        stop.set()
        writer.join(timeout=60)
    assert not errors
    result = target.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code == 0, result.output
    with target.app_context():
        posts = db.session.scalar(
            sa.select(sa.func.count()).select_from(Post).where(Post.topic_id == topic.id)
        )
        counted, highest = db.session.execute(
            sa.select(Topic.posts_count, Topic.highest_post_number).where(Topic.id == topic.id)
        ).one()
    # A snapshot: the counters agree with the rows, whatever moment it caught.
    assert posts == counted == highest
    assert 1 + 3 <= posts <= 1 + len(written)


def test_restore_twice_needs_force_and_then_replaces(app, runner, forum, target, tmp_path):
    path = _backup(runner, tmp_path / "forum.tar.gz")
    cli = target.test_cli_runner()
    assert cli.invoke(args=["restore", str(path)]).exit_code == 0
    with target.app_context():
        db.session.execute(sa.delete(Post).where(Post.id == forum["reply"].id))
        db.session.commit()

    refused = cli.invoke(args=["restore", str(path)])
    assert refused.exit_code == 1
    assert "holds data" in refused.output
    assert "--force" in refused.output
    assert refused.exception is None or isinstance(refused.exception, SystemExit)

    forced = cli.invoke(args=["restore", "--force", str(path)])
    assert forced.exit_code == 0, forced.output
    assert _rows(target) == _rows(app)


def test_restore_refuses_the_running_forums_own_database(app, runner, forum, tmp_path):
    path = _backup(runner, tmp_path / "forum.tar.gz")
    result = runner.invoke(args=["restore", str(path)])
    assert result.exit_code == 1
    assert "holds data" in result.output
    assert len(_rows(app)["posts"]) == 2


def test_restore_refuses_uploads_in_the_way(app, runner, forum, target, tmp_path):
    path = _backup(runner, tmp_path / "forum.tar.gz")
    other = Path(target.instance_path) / "uploads" / "eigenes.txt"
    other.parent.mkdir(parents=True)
    other.write_text("nicht überschreiben")
    result = target.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code == 1
    assert "holds files" in result.output
    assert other.read_text() == "nicht überschreiben"


# --- backup's target and errors --------------------------------------------------------------


def test_backup_without_a_path_writes_into_instance_backups(app, runner, forum):
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    folder = Path(app.instance_path) / "backups"
    (written,) = folder.glob("forum-*.tar.gz")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no leftovers


def test_backup_into_a_folder_and_never_over_an_existing_file(runner, forum, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (written,) = tmp_path.glob("forum-*.tar.gz")
    again = runner.invoke(args=["backup", str(written)])
    assert again.exit_code == 1
    assert "exists already" in again.output
    missing = runner.invoke(args=["backup", str(tmp_path / "nowhere" / "x.tar.gz")])
    assert missing.exit_code == 1
    assert "There is no folder" in missing.output


# --- restore's checks ------------------------------------------------------------------------


def _restore_error(app, path: Path) -> str:
    result = app.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert "Traceback" not in result.output
    return result.output


def _kind(app) -> str:
    return "sqlite" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else "postgresql"


def _archive(path: Path, tmp_path: Path, **manifest) -> Path:
    """Write an archive whose manifest says what the test wants, around a dummy copy."""
    fields = {"forum_version": "0.1.0", "created_at": "2026-01-01T00:00:00+00:00",
              "revisions": [], "files": []} | manifest  # fmt: skip
    copy = tmp_path / "copy.bin"
    copy.write_bytes(b"not a database")
    archive.write(path, Manifest(**fields), copy, [])
    return path


def test_restore_explains_a_missing_file_or_folder(target, tmp_path):
    assert "There is no file" in _restore_error(target, tmp_path / "gibtsnicht.tar.gz")
    assert "is not a file" in _restore_error(target, tmp_path)


def test_restore_explains_a_file_that_is_no_archive(target, tmp_path):
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"das ist kein Archiv")
    assert "is not a forum backup" in _restore_error(target, garbage)
    plain = tmp_path / "plain.tar.gz"
    with tarfile.open(plain, "w:gz") as tar:
        info = tarfile.TarInfo("hallo.txt")
        tar.addfile(info, io.BytesIO(b""))
    assert "it has no manifest.json" in _restore_error(target, plain)


def test_restore_explains_a_truncated_archive_and_changes_nothing(
    app, runner, forum, target, tmp_path
):
    path = _backup(runner, tmp_path / "forum.tar.gz")
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])
    assert "is not a forum backup" in _restore_error(target, cut)
    with target.app_context():
        assert sa.inspect(db.engine).get_table_names() == []


def test_restore_refuses_the_other_kind_of_database(target, tmp_path):
    other = "postgresql" if _kind(target) == "sqlite" else "sqlite"
    path = _archive(tmp_path / "other.tar.gz", tmp_path, database=other, revisions=["x"])
    message = _restore_error(target, path)
    assert "holds a" in message
    assert "but this forum uses" in message


def test_restore_refuses_a_revision_it_does_not_know(target, tmp_path):
    path = _archive(
        tmp_path / "newer.tar.gz", tmp_path, database=_kind(target), revisions=["ffffffffffff"]
    )
    assert "does not know" in _restore_error(target, path)


def test_restore_refuses_a_newer_format(target, tmp_path):
    path = _archive(tmp_path / "f2.tar.gz", tmp_path, database=_kind(target), format=2)
    assert "backup format 2" in _restore_error(target, path)


def test_restore_refuses_entries_outside_the_instance(target, tmp_path):
    kind = _kind(target)
    manifest = {"forum_version": "0.1.0", "database": kind, "created_at": "x",
                "revisions": ["x"], "files": [], "format": 1}  # fmt: skip
    member = f"database/{'forum.sqlite3' if kind == 'sqlite' else 'forum.dump'}"
    for extra, files in (("../../evil.py", []), ("instance/../../evil.py", ["../../evil.py"])):
        path = tmp_path / "evil.tar.gz"
        manifest["files"] = files
        with tarfile.open(path, "w:gz") as tar:
            for name, data in (("manifest.json", json.dumps(manifest).encode()),
                               (member, b"x"), (extra, b"print('boom')")):  # fmt: skip
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        message = _restore_error(target, path)
        assert "unexpected entry" in message or "manifest" in message
    assert not (tmp_path / "evil.py").exists()
    assert not (tmp_path.parent / "evil.py").exists()


# --- A missing search index ---------------------------------------------------------------------


@pytest.fixture
def second_process(app_config, tmp_path) -> Iterator:
    """The same database served by another process whose instance has no search index."""
    config = {**app_config, "SEARCH_REBUILD_MISSING": True}
    app = create_app(config, instance_path=str(tmp_path / "second"))
    yield app
    app.extensions["search"].close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _join_rebuild() -> None:
    for thread in threading.enumerate():
        if thread.name == "search-rebuild":
            thread.join(timeout=60)


def test_status_names_a_missing_index(forum, second_process):
    result = second_process.test_cli_runner().invoke(args=["search", "status"])
    assert result.exit_code == 1
    assert "missing or empty" in result.output
    assert recovery.index_missing(second_process)  # status created an empty index only


def test_the_first_request_rebuilds_a_missing_index(forum, second_process):
    assert recovery.index_missing(second_process)
    client = second_process.test_client()
    assert client.get("/").status_code == 200  # the first request starts the rebuild
    _join_rebuild()
    assert not recovery.index_missing(second_process)
    assert "1 topic found" in _found(second_process, WORD)
    status = second_process.test_cli_runner().invoke(args=["search", "status"])
    assert status.exit_code == 0, status.output


def test_rebuild_leaves_an_empty_forum_and_another_processes_rebuild_alone(
    app, second_process, make, tmp_path
):
    assert recovery.rebuild_if_missing(second_process) is None  # no posts: nothing to do
    make.topic(raw=f"Die {WORD} beginnt.")
    lock = Path(second_process.instance_path) / recovery.LOCK_NAME
    with open(lock, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another worker is rebuilding
        assert recovery.rebuild_if_missing(second_process) is None
        fcntl.flock(held, fcntl.LOCK_UN)
    assert recovery.rebuild_if_missing(second_process) == 1
    assert recovery.rebuild_if_missing(second_process) is None  # written now


def test_no_rebuild_when_switched_off(app, forum, tmp_path):
    assert recovery.index_missing(app) is False  # the factory's posts were indexed
    client = app.test_client()  # SEARCH_REBUILD_MISSING is off in the test config
    client.get("/")
    assert not [t for t in threading.enumerate() if t.name == "search-rebuild"]


def test_an_unreachable_database_is_a_message_not_a_traceback(app_config, runner, forum, tmp_path):
    path = _backup(runner, tmp_path / "forum.tar.gz")
    url = app_config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        broken = f"sqlite:///{tmp_path / 'no-such-folder' / 'forum.sqlite3'}"
    else:
        broken = sa.make_url(url).set(database="forum_does_not_exist").render_as_string(False)
    app = create_app(
        {**app_config, "SQLALCHEMY_DATABASE_URI": broken}, instance_path=str(tmp_path / "b")
    )
    try:
        for args in (["backup", str(tmp_path)], ["restore", str(path)]):
            result = app.test_cli_runner().invoke(args=args)
            assert result.exit_code == 1, result.output
            assert isinstance(result.exception, SystemExit)
            assert "Traceback" not in result.output
            assert "There is no database file" in result.output or "Cannot use" in result.output
    finally:
        with app.app_context():
            db.engine.dispose()
