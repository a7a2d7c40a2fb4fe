"""The notifications page, its readable messages, and the unread count in the header."""

import re

import pytest
import sqlalchemy as sa

from forum.db import utcnow
from forum.extensions import db
from forum.notifications.models import Notification
from forum.notifications.services import notify
from tests.conftest import counting_statements, login

# Every test here reads English pages (tests/conftest.py sets the header).
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def member(make):
    return make.user("mitglied", role="member")


@pytest.fixture
def topic(make, member):
    category = make.category("Allgemeines", read_level="members")
    return make.topic(member, category, "Fahrdienst für Senioren")


def _notify(app, user, kind, **kwargs) -> None:
    with app.app_context():
        notify(user.id, kind, **kwargs)
        db.session.commit()


def test_guest_is_sent_to_log_in(client):
    assert client.get("/notifications").status_code == 302
    assert client.post("/notifications/read").status_code == 302


def test_each_kind_reads_as_a_sentence(app, client, member, topic):
    until = utcnow().isoformat()
    _notify(app, member, "application_approved")
    _notify(app, member, "post_approved", topic_id=topic.id, post_number=2, title=topic.title)
    _notify(app, member, "post_rejected", reason="Bitte ohne Werbung.", title="Mein Angebot")
    _notify(app, member, "post_hidden", topic_id=topic.id, post_number=3, title=topic.title)
    _notify(app, member, "silenced", reason="Pause", until=until)
    _notify(app, member, "application_rejected", reason="Nicht aus dem Landkreis")
    _notify(app, member, "something_from_a_plugin")
    login(client, member)
    body = client.get("/notifications").get_data(as_text=True)
    assert "Your request to join was approved" in body
    assert "Your request to join was not approved. Reason: Nicht aus dem Landkreis" in body
    assert "Your post in “Fahrdienst für Senioren” was approved" in body
    assert re.search(r'href="/notifications/\d+">Your post in “Fahrdienst für Senioren”', body)
    assert "Your post “Mein Angebot” was not published. Reason: Bitte ohne Werbung." in body
    assert "was hidden after reports from the community" in body
    opened = [client.get(link) for link in re.findall(r'href="(/notifications/\d+)"', body)]
    targets = {response.headers["Location"] for response in opened}
    base = f"/t/{topic.slug}/{topic.id}"
    assert targets == {"/", f"{base}/2#post_2", f"{base}/3#post_3"}
    assert "You may read but not write until" in body and "Reason: Pause" in body
    assert "You have a new notification." in body
    # Newest first.
    assert body.index("You have a new notification.") < body.index("request to join was approved")


def test_reasons_are_escaped(app, client, member):
    _notify(app, member, "application_rejected", reason="<script>alert(1)</script>")
    login(client, member)
    body = client.get("/notifications").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_unread_count_in_header_and_mark_all_read(app, client, member):
    _notify(app, member, "application_approved")
    _notify(app, member, "post_rejected", reason="x", title="y")
    login(client, member)
    page = client.get("/latest").get_data(as_text=True)
    assert re.search(
        r'href="/notifications"[^>]*>.*Notifications</span>\s*<span class="count-badge">2', page
    )
    notifications = client.get("/notifications").get_data(as_text=True)
    assert notifications.count("is-unread") == 2 and "Mark all as read" in notifications
    response = client.post("/notifications/read", follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "is-unread" not in body and "count-badge" not in body
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Notification)
                .where(Notification.read_at.is_(None))
            )
            == 0
        )


def test_applicants_see_their_notifications_too(app, client, make):
    applicant = make.user("bewerberin", role="applicant")
    _notify(app, applicant, "application_rejected", reason="Nur für den Landkreis")
    login(client, applicant)
    assert "count-badge" in client.get("/notifications").get_data(as_text=True)
    assert "Nur für den Landkreis" in client.get("/notifications").get_data(as_text=True)


def test_notifications_of_others_are_not_shown(app, client, make, member):
    other = make.user("andere", role="member")
    _notify(app, other, "post_rejected", reason="Geheimer Grund", title="Fremd")
    login(client, member)
    assert "Geheimer Grund" not in client.get("/notifications").get_data(as_text=True)


def test_a_topic_the_reader_may_no_longer_see_is_left_out(app, client, make, topic):
    applicant = make.user("bewerberin", role="applicant")
    _notify(app, applicant, "post_hidden", topic_id=topic.id, post_number=1, title=topic.title)
    login(client, applicant)
    assert "Fahrdienst" not in client.get("/notifications").get_data(as_text=True)


def test_guests_cost_no_count_queries(app, client, make):
    with counting_statements(app) as statements:
        assert client.get("/latest").status_code == 200
    assert not [s for s in statements if "notifications" in s or "review_items" in s]


def test_members_cost_one_count_query_and_no_review_count(app, client, member):
    login(client, member)
    with counting_statements(app) as statements:
        client.get("/latest")
    assert len([s for s in statements if "FROM notifications" in s]) == 1
    assert not [s for s in statements if "review_items" in s]
