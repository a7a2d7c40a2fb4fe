import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.users.models import User
from tests.conftest import login


@pytest.fixture(autouse=True)
def _english(english):
    """Every test here reads English pages."""


@pytest.fixture
def members(app, make):
    """Three members past the new-member review, and a public category with a topic."""
    people = [make.user(name, locale="en") for name in ("anke", "lena", "mehmet")]
    with app.app_context():
        db.session.execute(
            sa.update(User)
            .where(User.id.in_([p.id for p in people]))
            .values(published_post_count=5)
        )
        db.session.commit()
    return people


@pytest.fixture
def as_user(app):
    """Return a fresh logged-in English client for ``user``."""

    def _client(user):
        browser = app.test_client()
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        login(browser, user)
        return browser

    return _client


def send(browser, *, to="", office=False, title="Eine private Frage", raw="Hallo, kurze Frage."):
    data = {"to": to, "title": title, "raw": raw, "submit": "y"}
    if office:
        data["office"] = "y"
    response = browser.post("/messages/new", data=data)
    response.close()  # as a server does: the participants are told after the response
    return response
