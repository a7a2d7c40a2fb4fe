"""The forum's commands: init, create-admin and the demo content."""

import pytest
import sqlalchemy as sa

from forum import create_app
from forum.auth.accounts import get_user_by_username, verify_password
from forum.boards.models import Category, CategoryKind, Post, PostLike, ReadLevel, Topic
from forum.db import utcnow
from forum.demo import DEMO_PASSWORD
from forum.extensions import db
from forum.membership.applications import application_of, latest_join_request
from forum.users.models import Role, User


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- init -----------------------------------------------------------------------------


def test_init_creates_the_schema_then_reports_up_to_date(tmp_path):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test"}, instance_path=str(tmp_path / "instance")
    )
    runner = app.test_cli_runner()
    try:
        first = runner.invoke(args=["init"])
        assert first.exit_code == 0, first.output
        assert "Created the schema" in first.output
        with app.app_context():
            assert "topics" in sa.inspect(db.engine).get_table_names()

        second = runner.invoke(args=["init"])
        assert second.exit_code == 0, second.output
        assert "is up to date" in second.output
    finally:
        with app.app_context():
            db.engine.dispose()


def test_init_refuses_a_database_without_migration_history(tmp_path):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test"}, instance_path=str(tmp_path / "instance")
    )
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE something (id INTEGER)"))
    result = app.test_cli_runner().invoke(args=["init"])
    with app.app_context():
        db.engine.dispose()
    assert result.exit_code == 1
    assert "no migration history" in result.output


def test_init_on_the_migrated_test_database_changes_nothing(runner):
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "is up to date" in result.output


# --- create-admin -------------------------------------------------------------------


def test_create_admin_asks_for_the_password_twice(app, runner):
    result = runner.invoke(
        args=["create-admin", "Kreisadmin", "Admin@Example.org"],
        input="ein sicheres Passwort\nein sicheres Passwort\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created administrator Kreisadmin" in result.output
    # The password is never echoed.
    assert "ein sicheres Passwort" not in result.output
    with app.app_context():
        admin = get_user_by_username("kreisadmin")
        assert admin.role == Role.ADMIN
        assert admin.email_confirmed
        assert verify_password(admin, "ein sicheres Passwort")


def test_create_admin_asks_again_when_the_passwords_differ(app, runner):
    result = runner.invoke(
        args=["create-admin", "kreisadmin", "admin@example.org"],
        input="ein sicheres Passwort\nein anderes Passwort\n"
        "ein sicheres Passwort\nein sicheres Passwort\n",
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output


def test_create_admin_rejects_a_short_password(app, runner):
    result = runner.invoke(
        args=["create-admin", "kreisadmin", "admin@example.org", "--password", "kurz"]
    )
    assert result.exit_code == 2
    assert "at least" in result.output
    with app.app_context():
        assert get_user_by_username("kreisadmin") is None


def test_create_admin_rejects_a_bad_username(runner):
    result = runner.invoke(
        args=["create-admin", "kreis admin", "admin@example.org", "--password", "x" * 12]
    )
    assert result.exit_code == 2
    assert "USERNAME" in result.output


def test_create_admin_refuses_taken_names_and_addresses(make, runner):
    make.user("kreisadmin", email="taken@example.org")
    taken_name = runner.invoke(
        args=["create-admin", "KreisAdmin", "new@example.org", "--password", "x" * 12]
    )
    assert taken_name.exit_code == 1
    assert "is taken" in taken_name.output
    taken_address = runner.invoke(
        args=["create-admin", "other", "TAKEN@example.org", "--password", "x" * 12]
    )
    assert taken_address.exit_code == 1
    assert "exists already" in taken_address.output


# --- demo -----------------------------------------------------------------------------


@pytest.fixture
def demo_runner(app, runner):
    """Return the CLI runner; afterwards undo the demo's category nesting.

    Workaround: tests/conftest.py empties `categories` with one DELETE, which
    SQLite refuses while a subcategory still points at its parent.
    """
    yield runner
    with app.app_context():
        db.session.execute(sa.update(Category).values(parent_id=None))
        db.session.commit()


def test_demo_load_is_idempotent(app, demo_runner):
    first = demo_runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "Loaded the German demo content" in first.output
    assert f"password for all: {DEMO_PASSWORD}" in first.output
    assert "koordination" in first.output
    with app.app_context():
        counts = [_count(model) for model in (User, Category, Topic, Post, PostLike)]
    assert counts[2] >= 15

    logins = demo_runner.invoke(args=["demo", "logins"])
    assert "marie.neumann" in logins.output
    assert "applicant" in logins.output

    second = demo_runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert "not loaded" in second.output
    with app.app_context():
        assert [_count(model) for model in (User, Category, Topic, Post, PostLike)] == counts


def test_demo_load_does_nothing_when_the_forum_has_categories(app, make, demo_runner):
    make.category("Eigene Kategorie")
    result = demo_runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "not loaded" in result.output
    assert "Demo logins" not in result.output
    with app.app_context():
        assert _count(Topic) == 0
        assert _count(User) == 0


def test_demo_content_is_consistent(app, demo_runner):
    assert demo_runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        admin = get_user_by_username("koordination")
        assert admin.role == Role.ADMIN
        assert verify_password(admin, DEMO_PASSWORD)
        roles = set(db.session.scalars(sa.select(User.role)))
        assert roles == set(Role)

        categories = db.session.scalars(sa.select(Category)).all()
        assert {c.kind for c in categories} == set(CategoryKind)
        assert ReadLevel.PUBLIC in {c.read_level for c in categories}
        assert any(c.parent_id is not None for c in categories)
        for category in categories:
            topics = db.session.scalars(sa.select(Topic).where(Topic.category_id == category.id))
            topics = topics.all()
            assert category.topic_count == len(topics), category.slug
            assert category.post_count == sum(t.posts_count for t in topics), category.slug
            for topic in topics:
                assert (topic.help_kind is not None) == (category.kind == CategoryKind.HELP)

        assert db.session.scalar(sa.select(sa.func.count()).where(Topic.pinned_globally)) == 1
        posts = db.session.scalars(sa.select(Post)).all()
        assert max(post.created_at for post in posts) < utcnow()
        assert any(post.reply_to_post_number for post in posts)
        assert any("<blockquote>" in post.cooked for post in posts)
        assert any("<table>" in post.cooked for post in posts)
        assert any('<a href="https://' in post.cooked for post in posts)
        assert sum(post.like_count for post in posts) == _count(PostLike) > 0

        # The moderators find one join request, with answers, in their queue.
        applicant = get_user_by_username("marie.neumann")
        assert applicant.role == Role.APPLICANT
        assert latest_join_request(applicant) is not None
        assert [answer["answer"] != "" for answer in application_of(applicant).answers] == [
            True,
            True,
        ]
