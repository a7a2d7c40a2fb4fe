"""The audit log names actions and details as people read them, never by their codes."""

import pytest
import sqlalchemy as sa

from forum.admin.services import add_watched_word
from forum.extensions import db
from forum.membership.services import create_question
from forum.review import audit
from forum.users.models import User


@pytest.fixture
def logged(app, admin):
    with app.app_context(), app.test_request_context():
        actor = db.session.get(User, admin.id)
        add_watched_word(actor, "Kaffeefahrt", "hold")
        create_question(actor, "Wie haben Sie von uns erfahren?", False)
    return admin


def test_the_log_shows_labels_and_readable_values(client, login_as, logged):
    login_as(logged)
    html = client.get("/admin/log").get_data(as_text=True)
    assert "Watched word added" in html
    assert "Membership question added" in html
    for raw in ("watched_action", "required", ">hold<", ">False<", "add_watched_word"):
        assert raw not in html.split('<table class="admin-table', 1)[1], raw
    assert "<dt>Action</dt><dd>Hold for review</dd>" in html
    assert "<dt>Required answer</dt><dd>no</dd>" in html


def test_the_log_shows_labels_in_german(client, login_as, logged, app):
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == logged.id).values(locale="de"))
        db.session.commit()
    login_as(logged)
    html = client.get("/admin/log").get_data(as_text=True)
    assert "<dt>Pflichtantwort</dt><dd>nein</dd>" in html
    assert "<dt>Aktion</dt><dd>Zur Prüfung zurückhalten</dd>" in html


def test_nested_and_listed_values_read_as_words(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        rows = audit.detail_rows(
            {"old": {"read_level": "members", "archived": False}, "new": ["A", "B"], "x_y": None}
        )
    assert rows == [
        ("After", "A, B"),
        ("Before", "Who may read: Members; Archived: no"),
        ("X y", "\u2013"),
    ]
