"""``flask --app forum check``: every counter kept on rows, recomputed from its rows."""

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from forum.boards import consistency, services
from forum.boards.consistency import Drift
from forum.boards.models import Category, Post, Topic
from forum.extensions import db
from forum.moderation.actions import move_topic
from forum.organisations.models import Opportunity
from forum.users.models import User
from tests.conftest import counting_statements

CHECKED = [(check.model, column) for check in consistency.checks() for column in check.columns]


@dataclass
class Forum:
    """A little of everything: replies, a like, a deleted reply, a deleted topic."""

    author: object
    replier: object
    moderator: object
    category: object
    other: object
    topic: object
    reply: object
    opportunity_id: int = 0


@pytest.fixture
def forum(app, make) -> Forum:
    author, replier = make.user("autorin"), make.user("antworter")
    moderator = make.user("koordination", role="moderator")
    category, other = make.category("Allgemeines"), make.category("Fahrdienste")
    topic = make.topic(author, category, "Wer fährt mittwochs?")
    reply = make.post(topic, replier, "Ich kann fahren.", reply_to_post_number=1)
    gone = make.post(topic, author, "Danke, schon erledigt.", reply_to_post_number=2)
    elsewhere = make.topic(replier, other, "Suche Lesepaten")
    make.post(elsewhere, author, "Ich melde mich.")
    with app.app_context():
        get = db.session.get
        services.toggle_like(get(User, author.id), get(Post, reply.id))
        first = db.session.scalar(
            sa.select(Post).where(Post.topic_id == topic.id, Post.post_number == 1)
        )
        services.toggle_like(get(User, replier.id), first)
        services.delete_post(get(User, author.id), get(Post, gone.id))
        deleted = make.topic(author, other, "Doppelt angelegt")
        first_of_deleted = db.session.scalar(sa.select(Post).where(Post.topic_id == deleted.id))
        services.delete_post(get(User, moderator.id), first_of_deleted)
        opportunity_id = _opportunity_with_interests(author, [replier, moderator])
    return Forum(author, replier, moderator, category, other, topic, reply, opportunity_id)


def _opportunity_with_interests(representative, interested) -> int:
    """An organisation's opportunity with an interest of each of ``interested``."""
    from forum.organisations import interests, opportunities
    from forum.organisations import services as organisations

    organisation = organisations.create_organisation("Tafel Gifhorn", "gifhorn")
    organisations.add_representative(None, organisation, db.session.get(User, representative.id))
    db.session.commit()
    values = {
        "kind": "opportunity", "title": "Fahrer gesucht", "description": "", "place": "",
        "from_home": False, "commitment": "regular", "hours_per_month": 4,
        "starts_on": None, "ends_on": None, "requirements": "", "suitable_for": [],
        "contact_name": "", "cost": "", "registration": "", "municipality": "gifhorn",
    }  # fmt: skip
    rep = db.session.get(User, representative.id)
    opportunity = opportunities.create_opportunity(rep, organisation, values)
    for person in interested:
        interests.show_interest(db.session.get(User, person.id), opportunity, "Ich helfe.")
    return opportunity.id


def _corrupt(app, forum: Forum, model, column: str):
    """Change one counter of the forum's busiest row behind the services' back."""
    key = {
        Topic: forum.topic.id,
        Category: forum.category.id,
        User: forum.author.id,
        Post: forum.reply.id,
        Opportunity: forum.opportunity_id,
    }[model]
    with app.app_context():
        stored = db.session.scalar(sa.select(getattr(model, column)).where(model.id == key))
        if isinstance(stored, datetime):
            wrong = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)
        elif column.endswith("_user_id"):
            wrong = forum.moderator.id
        else:
            wrong = stored + 3
        db.session.execute(sa.update(model).where(model.id == key).values({column: wrong}))
        db.session.commit()
    return Drift(model.__tablename__, key, column, wrong, stored)


def _report(output: str) -> list[list[str]]:
    """Return the report's table rows (header included) as lists of cells."""
    rows = [re.split(r"\s{2,}", line.strip()) for line in output.splitlines()]
    return [cells for cells in rows if len(cells) == 5]


def test_a_forum_written_by_the_services_has_no_drift(forum, runner):
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "No drift" in result.output


def test_the_demo_content_has_no_drift(runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "No drift" in result.output


def test_an_empty_forum_has_no_drift(app, runner):
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "No drift" in result.output


@pytest.mark.parametrize(
    ("model", "column"), CHECKED, ids=[f"{m.__tablename__}.{c}" for m, c in CHECKED]
)
def test_a_corrupted_counter_is_reported_with_its_true_value(app, forum, runner, model, column):
    drift = _corrupt(app, forum, model, column)
    with app.app_context():
        assert consistency.find_drift() == [drift]
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1, result.output
    header, *rows = _report(result.output)
    assert header == ["table", "id", "column", "stored", "true"]
    expected = [drift.table, str(drift.row_id), column]
    assert rows == [[*expected, consistency.show(drift.stored), consistency.show(drift.true)]]
    assert "1 counter(s) drift" in result.output


def test_repair_sets_the_true_values_logs_them_and_the_next_check_passes(
    app, forum, runner, caplog
):
    drifts = [
        _corrupt(app, forum, Topic, "posts_count"),
        _corrupt(app, forum, Topic, "bumped_at"),
        _corrupt(app, forum, Category, "post_count"),
        _corrupt(app, forum, User, "likes_received"),
        _corrupt(app, forum, Post, "reply_count"),
    ]
    with caplog.at_level(logging.WARNING, logger="forum.boards.consistency"):
        result = runner.invoke(args=["check", "--repair"])
    assert result.exit_code == 0, result.output
    assert "Repaired 5 counter(s)." in result.output
    assert "No drift left." in result.output
    logged = [r.getMessage() for r in caplog.records if r.name == "forum.boards.consistency"]
    assert len(logged) == 5
    assert f"Repaired topics {forum.topic.id} posts_count: was" in "\n".join(logged)
    with app.app_context():
        for drift in drifts:
            model = {"topics": Topic, "categories": Category, "users": User, "posts": Post}
            row = db.session.get(model[drift.table], drift.row_id)
            assert getattr(row, drift.column) == drift.true, drift
    again = runner.invoke(args=["check"])
    assert again.exit_code == 0, again.output
    assert "No drift" in again.output


def test_repair_on_a_clean_forum_changes_nothing(forum, runner):
    result = runner.invoke(args=["check", "--repair"])
    assert result.exit_code == 0, result.output
    assert "No drift" in result.output


def test_check_and_repair_take_one_statement_per_table_whatever_the_size(app, forum, make):
    with counting_statements(app) as small, app.app_context():
        consistency.find_drift()
    for number in range(5):
        make.post(forum.topic, forum.replier, f"Antwort {number}", reply_to_post_number=2)
    make.topic(forum.replier, forum.other, "Noch ein Thema")
    with counting_statements(app) as larger, app.app_context():
        consistency.find_drift()
    assert len(small) == len(larger) == len(consistency.checks())
    for model, column in ((Topic, "like_count"), (Category, "topic_count"), (User, "post_count")):
        _corrupt(app, forum, model, column)
    _corrupt(app, forum, Post, "like_count")
    _corrupt(app, forum, Opportunity, "interest_count")
    with counting_statements(app) as repair, app.app_context():
        assert len(consistency.repair_drift()) == 5
    updates = [s for s in repair if s.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == len(consistency.checks())
    assert len(repair) == 2 * len(consistency.checks())


def test_every_counter_column_is_checked():
    """A new ``*_count`` or ``likes_*`` column needs its recomputation here."""
    checked = {(m.__tablename__, c) for m, c in CHECKED}
    # Copies the search index keeps for sorting; `search reindex` rebuilds them.
    derived_elsewhere = {("search_documents", "like_count")}
    counters = {
        (table.name, column.name)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if "count" in column.name or column.name.startswith("likes_")
    }
    assert counters - derived_elsewhere <= checked


# --- What the counters mean (the services' definitions) ----------------------------------


def _row(model, key):
    db.session.expire_all()
    return db.session.get(model, key)


def test_hidden_posts_count_and_deleted_posts_keep_their_numbers(app, forum):
    with app.app_context():
        topic = _row(Topic, forum.topic.id)
        # Three posts written, one deleted: two visible, the highest number stays 3.
        assert (topic.posts_count, topic.highest_post_number) == (2, 3)
        assert _row(Post, forum.reply.id).reply_count == 0  # its only answer was deleted
        assert _row(Category, forum.other.id).topic_count == 1  # the deleted one not
        assert consistency.find_drift() == []


def test_moving_a_topic_takes_its_latest_post_time_along(app, forum):
    with app.app_context():
        source = _row(Category, forum.other.id)
        latest_elsewhere = source.last_posted_at
        topic = _row(Topic, forum.topic.id)
        assert latest_elsewhere > topic.last_posted_at
        move_topic(_row(User, forum.moderator.id), _row(Topic, forum.topic.id), source)
        assert _row(Category, forum.category.id).last_posted_at is None
        assert _row(Category, forum.other.id).last_posted_at == latest_elsewhere
        assert consistency.find_drift() == []


def test_the_command_is_documented(app):
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text()
    operations = (root / "docs" / "operations.md").read_text()
    assert "| `check` / `check --repair` |" in readme
    assert "## Checking the counters" in operations
    for named in ("flask --app forum check --repair", "Exit codes", "forum/boards/consistency.py"):
        assert named in operations
    assert (root / "forum" / "boards" / "consistency.py").exists()
    assert "check" in app.cli.commands
