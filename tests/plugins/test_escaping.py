"""The plugins' messages show their input as text (see tests/test_escaping.py)."""

import pytest

from forum.boards.models import ReadLevel
from forum.extensions import db
from forum.notifications.services import notify
from tests.test_escaping import PAYLOAD, assert_shown, check, check_classified

SHOWN_BY = {
    "“%(title)s” has changed: it now begins on %(when)s. See the event for the place.": (
        "notifications"
    ),
    "Reminder: “%(title)s” begins on %(when)s. You said you would come.": "notifications",
    "Your answer in “%(title)s” was accepted as the solution.": "notifications",
}
NOT_INPUT = {
    "Your answer was saved: %(status)s.": "a translated label of the RSVP status",
    "Please check the event's details: %(problems)s": (
        "the form's labels and their translated errors; none repeats what was typed"
    ),
}


@pytest.fixture
def app_config(app_config, plugin_app_config):
    return {**app_config, **plugin_app_config(["events", "solved"])}


def test_every_plugin_message_is_classified():
    check_classified("plugins", SHOWN_BY, NOT_INPUT)


def test_notifications(app, client, make, login_as):
    member = make.user()
    topic = make.topic(
        member, make.category(read_level=ReadLevel.PUBLIC), f"Thema {PAYLOAD} mit Titel"
    )
    starts = "2030-01-01T10:00:00+00:00"
    with app.app_context():
        for kind in ("event_changed", "event_reminder", "solution_accepted"):
            notify(member.id, kind, topic_id=topic.id, title=topic.title, starts_at=starts)
        db.session.commit()
    login_as(member)
    page = client.get("/notifications").get_data(as_text=True)
    check(page, "/notifications")
    assert_shown("notifications", [page], SHOWN_BY)
