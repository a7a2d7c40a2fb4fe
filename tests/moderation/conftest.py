"""Fixtures for the moderation tests: English pages, a member category, review items."""

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.users.models import User
from tests.conftest import counting_statements


@pytest.fixture(autouse=True)
def english(english):
    """Every test here reads English pages (tests/conftest.py sets the header)."""
    return english


@pytest.fixture
def members(make):
    return make.category("Allgemeines", read_level="members")


@dataclass
class World:
    """A topic by a trusted member in a member category, and a coordinator."""

    coordinator: object
    author: object
    topic: object
    category: object


@pytest.fixture
def world(make, coordinator, members, app) -> World:
    author = make.user("autorin", role="member", locale="en")
    _trust(app, author)
    topic = make.topic(author, members, "Fahrdienst für Senioren", "Wer kann mittwochs fahren?")
    return World(coordinator, author, topic, members)


def _trust(app, user) -> None:
    """Mark a member's first post as done, so their posts need no review."""
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == user.id).values(published_post_count=5))
        db.session.commit()


@pytest.fixture
def trust(app):
    return lambda user: _trust(app, user)


@pytest.fixture
def join_request(app, make):
    """Return a function that makes an applicant with a pending join request."""

    def _make(username: str = "bewerberin"):
        from forum.membership.applications import submit_application

        applicant = make.user(username, role="applicant", locale="en")
        with app.app_context():
            item = submit_application(
                db.session.get(User, applicant.id),
                [
                    {"question": "Wie sind Sie auf uns aufmerksam geworden?", "answer": "Zeitung"},
                    {"question": "In welchem Bereich engagieren Sie sich?", "answer": "Tafel"},
                ],
                1,
            )
            return applicant, item.id

    return _make


@pytest.fixture
def held_reply(app, make, world):
    """Return a function: a new member's first reply, held for review; gives (author, item id)."""

    def _make(
        username: str = "neuling", raw: str = "Ich kann mittwochs fahren, gern auch zweimal."
    ):
        from forum.boards.models import Topic
        from forum.boards.services import submit_post

        newcomer = make.user(username, role="member", locale="en")
        with app.app_context():
            item = submit_post(
                db.session.get(User, newcomer.id), db.session.get(Topic, world.topic.id), raw
            )
            return newcomer, item.id

    return _make


@pytest.fixture
def flagged(app, make, world, trust):
    """Return a function: a reply flagged as spam by ``count`` members; gives (post id, item id)."""

    def _make(count: int = 1, raw: str = "Kaufen Sie jetzt billige Uhren!"):
        from forum.boards.models import Post
        from forum.moderation.services import flag_post

        post = make.post(world.topic, world.author, raw)
        item_id = None
        for number in range(count):
            flagger = make.user(f"melder{number}", role="member")
            with app.app_context():
                item = flag_post(
                    db.session.get(User, flagger.id), db.session.get(Post, post.id), "spam"
                )
                item_id = item.id
        return post.id, item_id

    return _make


@pytest.fixture
def get(fetch):
    """Load a fresh, detached row: ``get(User, user.id)`` (tests/conftest.py: fetch)."""
    return fetch


@pytest.fixture
def count_queries(app):
    """Return a context manager that counts the SQL statements run inside it."""
    return lambda: counting_statements(app)
