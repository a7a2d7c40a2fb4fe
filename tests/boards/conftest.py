"""Fixtures for the boards tests: places to write in, people, and row loaders."""

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from forum.extensions import db
from tests.conftest import login


@pytest.fixture
def app_config(app_config):
    # A member's first post would wait in the review queue (the moderation
    # tests cover that); here posts are published at once.
    app_config["HOLD_FIRST_POSTS"] = 0
    return app_config


@pytest.fixture
def in_request(app):
    """Return a request context in English, for service calls whose errors are translated."""
    return lambda: app.test_request_context(headers={"Accept-Language": "en"})


@dataclass
class Places:
    public: object
    members: object
    staff: object
    announcements: object
    help: object


@pytest.fixture
def places(make) -> Places:
    """One category of each access level and kind."""
    return Places(
        public=make.category("Ehrenamt entdecken", read_level="public"),
        members=make.category("Mitgliederforum", read_level="members"),
        staff=make.category("Koordination", read_level="staff"),
        announcements=make.category("Ankündigungen", read_level="members", write_level="staff"),
        help=make.category("Nachbarschaftshilfe", read_level="members", kind="help"),
    )


@pytest.fixture
def scalar(app):
    """Run one SELECT and return its first column of the first row."""

    def _scalar(statement):
        with app.app_context():
            return db.session.scalar(statement)

    return _scalar


@pytest.fixture
def update(app):
    """Change a row directly, for states no service sets yet (pinning, unlisting)."""

    def _update(model, key, **values):
        with app.app_context():
            db.session.execute(sa.update(model).where(model.id == key).values(**values))
            db.session.commit()

    return _update


@pytest.fixture
def second(app, make):
    """A second member (English), logged in on a client of their own."""
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(other, make.user("zweitleserin"))
    return other
