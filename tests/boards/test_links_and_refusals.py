"""A topic link without its slug, the page a silenced member gets from a
composer, and the "in reply to" line naming people as they are shown."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.users.models import User


def test_a_topic_link_without_its_slug_moves_to_the_canonical_address(client, make):
    topic = make.topic(category=make.category(read_level="public"), title="Fahrdienst gesucht")
    response = client.get(f"/t/{topic.id}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/t/{topic.slug}/{topic.id}"
    # A page number travels along; the canonical address still answers itself.
    assert client.get(f"/t/{topic.id}?page=2").headers["Location"].endswith("?page=2")
    assert client.get(f"/t/{topic.slug}/{topic.id}").status_code == 200


def test_a_link_without_slug_tells_nothing_about_topics_one_may_not_read(client, make):
    hidden = make.topic(category=make.category(read_level="members"))
    assert client.get(f"/t/{hidden.id}").status_code == 404
    assert client.get("/t/999999999").status_code == 404


@pytest.fixture
def silenced(app, make, login_as):
    """A German-speaking member silenced for three days, logged in."""
    member = make.user("stille", locale="de")
    with app.app_context():
        db.session.execute(
            sa.update(User)
            .where(User.id == member.id)
            .values(
                silenced_until=datetime.now(UTC) + timedelta(days=3),
                silence_reason="Bitte erst die Netiquette lesen.",
            )
        )
        db.session.commit()
    login_as(member)
    return member


@pytest.mark.parametrize("composer", ["new-topic", "reply", "messages/new"])
def test_a_silenced_member_learns_why_and_until_when(client, make, silenced, composer):
    topic = make.topic(category=make.category())
    path = {"new-topic": "/new-topic", "reply": f"/t/{topic.id}/reply"}.get(
        composer, "/messages/new"
    )
    response = client.get(path, headers={"Accept-Language": "de"})
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert '<html lang="de">' in html
    assert "Sie können gerade nicht schreiben" in html
    assert "Bitte erst die Netiquette lesen." in html
    # The end date, as the member's language writes it.
    assert str((datetime.now(UTC) + timedelta(days=3)).year) in html
    assert "stummgeschaltet" in html


def test_in_reply_to_names_the_display_name(client, make):
    category = make.category(read_level="public")
    asker = make.user("frage", display_name="Frieda Fragesteller")
    topic = make.topic(author=asker, category=category)
    make.post(topic, raw="Meine Antwort darauf.", reply_to_post_number=1)
    html = client.get(f"/t/{topic.slug}/{topic.id}").get_data(as_text=True)
    assert "in reply to Frieda Fragesteller (#1)" in html
    assert "in reply to frage" not in html
