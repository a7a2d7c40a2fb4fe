"""The outbox: index failures lose nothing, reindex repairs, status tells."""

import multiprocessing
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
