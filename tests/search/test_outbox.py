"""The outbox: index failures lose nothing, reindex repairs, status tells."""

import multiprocessing
import os
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.search.models import SearchOutbox


def _pending(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox))


@pytest.fixture
def broken_index(app, monkeypatch):
    """Make every index write fail, as a full disk or a lost database would."""
    backend = app.extensions["search"]

    def fail(*_args, **_kwargs):
        raise OSError("simulated index failure")

    monkeypatch.setattr(backend, "apply", fail)
    return lambda: monkeypatch.undo()


def test_a_failed_index_write_keeps_the_post_and_the_outbox_row(
    app, make, find, client, login_as, broken_index
):
    author = make.user("schreiberin")
    category = make.category(read_level="public")
    topic = make.topic(author, category, "Repair-Café sucht Tüftler", "Wer repariert Toaster?")
    login_as(author)
    response = client.post(f"/t/{topic.id}/reply", data={"raw": "Ich kann Fahrräder flicken."})
    assert response.status_code == 302  # the user's request did not fail
    assert _pending(app) == 2
    assert find("Fahrräder").total == 0
    with app.app_context():
        from forum.search.services import index_status

        status = index_status()
    assert (status.pending, status.in_step, status.failed_attempts >= 1) == (2, False, True)
    broken_index()
    with app.app_context():
        from forum.search.outbox import process_outbox

        assert process_outbox() == 2
    assert _pending(app) == 0
    assert find("Fahrräder").titles == ["Repair-Café sucht Tüftler"]


def test_the_next_successful_write_applies_what_was_left(app, make, find, broken_index):
    category = make.category(read_level="public")
    make.topic(category=category, title="Bürgerbus Fahrplan", raw="Der Bürgerbus fährt.")
    assert _pending(app) == 1
    broken_index()
    make.topic(category=category, title="Ferienpass Programm", raw="Angebote für Kinder.")
    assert _pending(app) == 0
    assert find("Bürgerbus").total == 1


def test_reindex_repairs_a_lost_index(app, make, find, runner, broken_index):
    category = make.category(read_level="public")
    make.topic(category=category, title="Hospizbegleitung Kurs", raw="Der Kurs beginnt im Mai.")
    broken_index()
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 1 posts." in result.output
    assert _pending(app) == 0
    assert find("Hospiz").total == 1
    status = runner.invoke(args=["search", "status"])
    assert status.exit_code == 0 and "in step" in status.output


def test_reindex_vacuums_the_replaced_rows_away(app, search_backend, make, runner):
    if search_backend != "postgres":
        pytest.skip("only PostgreSQL keeps replaced rows until a vacuum")
    make.topic(category=make.category(read_level="public"), title="Besuchsdienst")
    statistics = sa.text(
        "SELECT vacuum_count, analyze_count FROM pg_stat_user_tables "
        "WHERE relname = 'search_documents'"
    )
    with app.app_context():
        before = db.session.execute(statistics).one()
        db.session.rollback()
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    with app.app_context():
        after = db.session.execute(statistics).one()
    assert (
        after.vacuum_count - before.vacuum_count,
        after.analyze_count - before.analyze_count,
    ) == (1, 1)


def test_status_fails_when_the_index_is_behind(app, make, runner, broken_index):
    make.topic(category=make.category(read_level="public"))
    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 1
    assert "Pending updates:    1" in result.output
    assert runner.invoke(args=["search", "process-outbox"]).exit_code == 1
    broken_index()
    assert runner.invoke(args=["search", "process-outbox"]).exit_code == 0


def test_enqueue_covers_core_updates(app, make, find):
    from forum.boards.models import Post
    from forum.search import enqueue

    category = make.category(read_level="public")
    topic = make.topic(category=category, title="Tafel Ausgabe", raw="Alter Text.")
    with app.app_context():
        db.session.execute(
            sa.update(Post).where(Post.topic_id == topic.id).values(cooked="<p>Lesepaten</p>")
        )
        enqueue("topic", topic.id)
        db.session.commit()
    assert find("Lesepaten").total == 1
    with pytest.raises(ValueError):
        enqueue("user", 1)


# --- After the response --------------------------------------------------------------


def test_a_reply_is_indexed_after_its_response_has_gone_out(app, make, find, client, login_as):
    author = make.user("antwortende")
    topic = make.topic(author, make.category(read_level="public"), "Lesepaten gesucht")
    login_as(author)
    response = client.post(
        f"/t/{topic.id}/reply", data={"raw": "Ich lese gern Märchen vor."}, buffered=False
    )
    assert response.status_code == 302
    # The response exists, the reply and its outbox row are committed, the
    # index has not been touched yet ...
    assert _pending(app) == 1
    assert find("Märchen").total == 0
    # ... until the server closes the response, as after sending it.
    response.close()
    assert _pending(app) == 0
    assert find("Märchen").titles == ["Lesepaten gesucht"]


def test_a_commit_in_a_request_context_without_a_response_is_applied_when_it_ends(app, make, find):
    from forum.boards.models import Topic
    from forum.boards.services import create_post
    from forum.users.models import User

    author = make.user()
    topic = make.topic(author, make.category(read_level="public"), "Kleiderkammer")
    with app.test_request_context():
        create_post(db.session.get(User, author.id), db.session.get(Topic, topic.id), "Mäntel")
        assert _pending(app) == 1
    assert _pending(app) == 0
    assert find("Mäntel").total == 1


def _reply_and_die(config: dict, instance: str, topic_id: int, username: str, password: str):
    """Reply through the web, then end the process before the response is closed."""
    from forum import create_app

    app = create_app(config, instance_path=instance)
    client = app.test_client()
    assert client.post("/login", data={"login": username, "password": password}).status_code == 302
    response = client.post(f"/t/{topic_id}/reply", data={"raw": "Wer flickt Fahrradschläuche?"})
    assert response.status_code == 302
    os._exit(0)  # the worker dies: no close, no cleanup


def test_a_crash_between_commit_and_indexing_leaves_the_row_for_the_next_drain(
    app, app_config, make, find, client, login_as, tmp_path
):
    author = make.user("radlerin")
    topic = make.topic(author, make.category(read_level="public"), "Fahrradwerkstatt")
    worker = multiprocessing.get_context("spawn").Process(
        target=_reply_and_die,
        args=(app_config, str(tmp_path / "dying"), topic.id, author.username, make.password),
    )
    worker.start()
    worker.join(timeout=120)
    assert worker.exitcode == 0
    assert _pending(app) == 1
    assert find("Fahrradschläuche").total == 0
    # The next request that writes, in another process, applies the outbox
    # after its own response, the dead worker's row included.
    login_as(author)
    client.post(f"/t/{topic.id}/reply", data={"raw": "Die Werkstatt hat Flicken."}).close()
    assert _pending(app) == 0
    assert find("Fahrradschläuche").total == 1
    assert find("Flicken").total == 1


def test_two_drains_at_once_apply_each_row_once(app, make, find, broken_index, monkeypatch):
    from forum.search import outbox

    category = make.category(read_level="public")
    for number in range(6):
        make.topic(category=category, title=f"Nachbarschaftscafé Treffen {number}")
    assert _pending(app) == 6
    broken_index()
    applied: list[int] = []
    resolve = outbox.resolve

    def recording_resolve(session, rows):
        applied.extend(row.id for row in rows)
        return resolve(session, rows)

    backend = app.extensions["search"]
    apply = backend.apply

    def slow_apply(session, load, remove):
        def slow_remove(rows):
            time.sleep(0.2)  # widen the gap between writing the index and removing the rows
            remove(rows)

        return apply(session, load, slow_remove)

    monkeypatch.setattr(outbox, "resolve", recording_resolve)
    monkeypatch.setattr(backend, "apply", slow_apply)
    start = threading.Barrier(2)

    def drain():
        start.wait()
        with app.app_context():
            outbox.process_outbox(app, batch=2)

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(applied) == len(set(applied)) == 6
    assert _pending(app) == 0
    assert find("Nachbarschaftscafé").total == 6


# --- Several processes writing at once ----------------------------------------------


def _write_posts(config: dict, instance: str, topic_id: int, author_id: int, count: int) -> None:
    from forum import create_app
    from forum.boards.models import Topic
    from forum.boards.services import create_post
    from forum.users.models import User

    app = create_app(config, instance_path=instance)
    with app.app_context():
        for number in range(count):
            create_post(
                db.session.get(User, author_id),
                db.session.get(Topic, topic_id),
                f"Beitrag Prozess {instance[-1]} Nummer {number} Krötenwanderung",
            )
        app.extensions["search"].close()
        db.engine.dispose()


def test_several_processes_lose_no_update(app, app_config, make, find, tmp_path):
    author = make.user(role="moderator")
    topic = make.topic(author, make.category(read_level="public"), "Krötenwanderung")
    config = {**app_config, "SEARCH_LOCK_TIMEOUT": 10.0}
    context = multiprocessing.get_context("spawn")
    workers, per_worker = 3, 8
    processes = [
        context.Process(
            target=_write_posts,
            args=(config, str(tmp_path / f"worker{n}"), topic.id, author.id, per_worker),
        )
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    assert _pending(app) == 0
    with app.app_context():
        from forum.search.services import index_status

        status = index_status()
    assert status.documents == status.posts == 1 + workers * per_worker
    assert find("Krötenwanderung topic:" + str(topic.id)).total == 1
    assert find(f'"Nummer {per_worker - 1}"').total == 1


def test_an_index_from_an_older_layout_asks_for_a_reindex(app, search_backend, make, find):
    if search_backend != "whoosh":
        pytest.skip("only the Whoosh index keeps a file layout of its own")
    from whoosh import fields, index

    # The first version's body field kept positions; its files must be rebuilt.
    old = fields.Schema(post_id=fields.ID(unique=True, stored=True), body=fields.TEXT())
    Path(app.config["SEARCH_INDEX_DIR"]).mkdir(parents=True)
    index.create_in(app.config["SEARCH_INDEX_DIR"], old, "posts")
    category = make.category(read_level="public")
    make.topic(category=category, title="Kleiderkammer Sassenburg", raw="Wir sortieren Jacken.")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 1
    assert "older version" in result.output and "search reindex" in result.output
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 0 and "in step" in result.output
    assert find('"Wir sortieren Jacken"').titles == ["Kleiderkammer Sassenburg"]


def test_a_new_post_state_in_permissions_asks_for_a_reindex(app, make, find, runner, monkeypatch):
    from forum import permissions
    from forum.boards.models import Topic

    category = make.category(read_level="public")
    topic = make.topic(category=category, title="Seniorentanz", raw="Jeden Dienstag.")
    make.topic(category=category, title="Seniorentanz im Sommer", raw="Auch im Juli.")
    with app.app_context():
        db.session.get(Topic, topic.id).closed = True
        db.session.commit()
    assert runner.invoke(args=["search", "status"]).exit_code == 0
    # Posts of closed topics are now kept from everybody: a state of its own.
    monkeypatch.setitem(permissions.POST_STATES, "topic_closed", Topic.closed.is_(True))
    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 1
    assert "search reindex" in result.output
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 0 and "in step" in result.output
    assert find("Seniorentanz").titles == ["Seniorentanz im Sommer"]


def test_an_index_written_before_the_flags_were_recorded_stays_in_step(
    app, search_backend, make, runner
):
    if search_backend != "whoosh":
        pytest.skip("only the Whoosh index keeps a file layout of its own")
    make.topic(category=make.category(read_level="public"), title="Tauschbörse")
    from forum.search.whoosh_backend import LAYOUT

    layout = Path(app.config["SEARCH_INDEX_DIR"]) / "layout.txt"
    assert layout.read_text().startswith(f"{LAYOUT}\nflags ")
    layout.write_text(f"{LAYOUT}\n")  # as the first index files of a layout
    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 0 and "in step" in result.output
    layout.write_text("2\n")  # an older layout: the analysis changed since
    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 1 and "search reindex" in result.output


def test_index_writes_survive_a_reseeded_random_module(app, search_backend, make, find, runner):
    """Whoosh names a new segment with the global ``random``; Hypothesis (or any
    ``random.seed``) replays the same names, and a writer then truncated the
    files of a live segment of that name: "Unknown file header b''"."""
    if search_backend != "whoosh":
        pytest.skip("only the Whoosh index names files of its own")
    import random

    category = make.category(read_level="public")
    titles = []
    for number in range(3):
        random.seed(0)  # as Hypothesis does before every example
        titles.append(f"Lesepatenschaft {number}")
        make.topic(category=category, title=titles[-1], raw=f"Vorlesen in Wittingen {number}.")
    assert sorted(find("Lesepatenschaft").titles) == titles
    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 0 and "in step" in result.output


def test_in_the_background_a_reply_is_indexed_by_the_workers_thread(
    app, make, find, client, login_as
):
    """SEARCH_APPLY_IN_BACKGROUND (the default outside tests): the response's close
    only wakes this process's outbox thread; the reply is searchable moments later."""
    app.config["SEARCH_APPLY_IN_BACKGROUND"] = True
    author = make.user("im-hintergrund")
    topic = make.topic(author, make.category(read_level="public"), "Vorlesestunde")
    login_as(author)
    for text in ("Ich bringe Bilderbücher mit.", "Und Kekse für alle Zuhörer."):
        response = client.post(f"/t/{topic.id}/reply", data={"raw": text})
        assert response.status_code == 302
    background = app.extensions["search.background"]
    deadline = time.monotonic() + 30
    while background.busy.is_set() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _pending(app) == 0
    assert find("Bilderbücher").titles == ["Vorlesestunde"]
    assert find("Zuhörer").titles == ["Vorlesestunde"]
    assert background.thread.name == "search-outbox"


def test_in_the_background_replies_close_together_share_one_index_commit(
    app, make, find, client, login_as
):
    """SEARCH_APPLY_DELAY: the thread gathers the work of every reply posted while
    it waits, and writes it in one go (one Whoosh segment rather than one each)."""
    from forum.search.backend import get_backend

    app.config.update(SEARCH_APPLY_IN_BACKGROUND=True, SEARCH_APPLY_DELAY=2.0)
    backend = get_backend(app)
    batches = []
    apply = backend.apply

    def counted(session, load, remove):
        rows = apply(session, load, remove)
        batches.append(len(rows))
        return rows

    backend.apply = counted
    author = make.user("gesammelt")
    topic = make.topic(author, make.category(read_level="public"), "Lesecafé")
    login_as(author)
    batches.clear()
    for text in ("Ich bringe Bilderbücher mit.", "Und Kekse für alle Zuhörer."):
        response = client.post(f"/t/{topic.id}/reply", data={"raw": text}, buffered=True)
        assert response.status_code == 302
        response.close()
    background = app.extensions["search.background"]
    deadline = time.monotonic() + 30
    while background.busy.is_set() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert batches == [2]
    assert find("Bilderbücher").titles == ["Lesecafé"]
    assert find("Zuhörer").titles == ["Lesecafé"]
