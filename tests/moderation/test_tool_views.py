"""Moderator tools: the topic panel, member silencing and suspension, crafted requests."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.boards.models import Category, Post, Topic
from forum.db import utcnow
from forum.extensions import db
from forum.moderation.models import AuditLog, ReviewItem
from forum.users.models import User
from tests.conftest import login


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))


def _topic_path(world) -> str:
    return f"/t/{world.topic.slug}/{world.topic.id}"


# --- Topic panel -----------------------------------------------------------------------


def test_panel_is_for_staff_only(app, client, world):
    login(client, world.author)
    page = client.get(_topic_path(world)).get_data(as_text=True)
    assert "Moderate this topic" not in page
    for path in ("moderate", "move"):
        response = client.post(f"/t/{world.topic.id}/{path}", data={"action": "close"})
        assert response.status_code == 404
    with app.app_context():
        assert not db.session.get(Topic, world.topic.id).closed
    moderator = app.test_client()
    login(moderator, world.coordinator)
    assert "Moderate this topic" in moderator.get(_topic_path(world)).get_data(as_text=True)


@pytest.mark.parametrize(
    ("action", "attribute", "expected", "logged"),
    [
        ("close", "closed", True, "close_topic"),
        ("pin", "pinned_globally", False, "pin_topic"),
        ("pin_globally", "pinned_globally", True, "pin_topic_globally"),
        ("unlist", "unlisted", True, "unlist_topic"),
    ],
)
def test_topic_actions(app, client, world, action, attribute, expected, logged):
    login(client, world.coordinator)
    response = client.post(f"/t/{world.topic.id}/moderate", data={"action": action})
    assert response.status_code == 302
    with app.app_context():
        topic = db.session.get(Topic, world.topic.id)
        assert getattr(topic, attribute) is expected
        if action.startswith("pin"):
            assert topic.pinned_at is not None
    assert _actions(app) == [logged]


def test_topic_actions_undo(app, client, world):
    login(client, world.coordinator)
    for action in ("close", "reopen", "pin", "unpin", "unlist", "list", "delete", "restore"):
        response = client.post(
            f"/t/{world.topic.id}/moderate", data={"action": action}, follow_redirects=True
        )
        assert response.status_code == 200, action
    with app.app_context():
        topic = db.session.get(Topic, world.topic.id)
        assert not topic.closed and topic.pinned_at is None and not topic.unlisted
        assert topic.deleted_at is None
    assert _actions(app) == [
        "close_topic", "reopen_topic", "pin_topic", "unpin_topic", "unlist_topic",
        "list_topic", "delete_topic", "restore_topic",
    ]  # fmt: skip


def test_panel_shows_the_state(client, world):
    login(client, world.coordinator)
    client.post(f"/t/{world.topic.id}/moderate", data={"action": "close"})
    client.post(f"/t/{world.topic.id}/moderate", data={"action": "unlist"})
    page = client.get(_topic_path(world)).get_data(as_text=True)
    assert 'value="reopen"' in page and 'value="close"' not in page
    assert 'value="list"' in page and "Unlisted" in page


def test_unknown_topic_action_is_refused(app, client, world):
    login(client, world.coordinator)
    assert client.post(f"/t/{world.topic.id}/moderate", data={"action": "burn"}).status_code == 400
    assert client.post("/t/999999/moderate", data={"action": "close"}).status_code == 404
    assert _actions(app) == []


def test_move_topic(app, client, make, world):
    other = make.category("Nachbarschaftshilfe Termine", read_level="members")
    login(client, world.coordinator)
    page = client.get(_topic_path(world)).get_data(as_text=True)
    assert f'<option value="{other.id}">' in page
    response = client.post(f"/t/{world.topic.id}/move", data={"category": other.id})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Topic, world.topic.id).category_id == other.id
        assert db.session.get(Category, other.id).topic_count == 1
        assert db.session.get(Category, world.category.id).topic_count == 0
    assert _actions(app) == ["move_topic"]
    # A category that does not exist is refused.
    assert client.post(f"/t/{world.topic.id}/move", data={"category": 99999}).status_code == 400


# --- Members ------------------------------------------------------------------------------


def test_profile_links_to_member_tools_for_staff_only(app, client, world):
    login(client, world.coordinator)
    assert "/u/autorin/moderate" in client.get("/u/autorin").get_data(as_text=True)
    member = app.test_client()
    login(member, world.author)
    assert "/u/autorin/moderate" not in member.get("/u/koordination").get_data(as_text=True)
    assert member.get("/u/koordination/moderate").status_code == 404


def test_silence_a_member(app, client, world, get):
    login(client, world.coordinator)
    assert client.get("/u/autorin/moderate").status_code == 200
    response = client.post(
        "/u/autorin/silence", data={"silence-days": "3", "silence-reason": "Bitte Pause."}
    )
    assert response.status_code == 302
    author = get(User, world.author.id)
    assert author.is_silenced and author.silence_reason == "Bitte Pause."
    assert author.silenced_until > utcnow() + timedelta(days=2)
    # The silenced member may read but not reply.
    reader = app.test_client()
    login(reader, world.author)
    assert reader.get(_topic_path(world)).status_code == 200
    reply = reader.post(f"/t/{world.topic.id}/reply", data={"raw": "Ich schreibe trotzdem etwas."})
    assert reply.status_code == 403
    client.post("/u/autorin/unsilence")
    assert not get(User, world.author.id).is_silenced
    assert _actions(app) == ["silence_user", "unsilence_user"]


@pytest.mark.parametrize(
    "data",
    [
        {"suspend-days": "3", "suspend-reason": ""},
        {"suspend-days": "0", "suspend-reason": "Grund"},
        {"suspend-days": "viele", "suspend-reason": "Grund"},
    ],
)
def test_suspension_needs_days_and_a_reason(app, client, world, get, data):
    login(client, world.coordinator)
    response = client.post("/u/autorin/suspend", data=data)
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert get(User, world.author.id).suspended_until is None
    assert _actions(app) == []


def test_suspended_member_is_logged_out_and_cannot_log_in(app, client, world, mailbox, get):
    member = app.test_client()
    member.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(member, world.author)
    assert "autorin" in member.get("/latest").get_data(as_text=True)

    login(client, world.coordinator)
    mailbox.clear()
    response = client.post(
        "/u/autorin/suspend", data={"suspend-days": "7", "suspend-reason": "Beleidigungen"}
    )
    assert response.status_code == 302
    [mail] = mailbox.to("autorin@example.org")
    assert "Beleidigungen" in mail.get_payload(decode=True).decode()

    # The open session ends at the next request.
    assert member.get("/notifications").status_code == 302
    # Logging in again is refused, with the end date and the reason.
    response = member.post("/login", data={"login": "autorin", "password": "correct horse battery"})
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "suspended until" in body and "Beleidigungen" in body
    assert "Moderate this topic" not in member.get(_topic_path(world)).get_data(as_text=True)
    # A wrong password learns nothing about the suspension.
    response = member.post("/login", data={"login": "autorin", "password": "falsch falsch"})
    assert "Beleidigungen" not in response.get_data(as_text=True)

    client.post("/u/autorin/unsuspend")
    assert get(User, world.author.id).suspended_until is None
    response = member.post("/login", data={"login": "autorin", "password": "correct horse battery"})
    assert response.status_code == 302


def test_moderators_cannot_act_on_themselves_or_admins(app, client, make, world, get):
    admin = make.user("verwaltung", role="admin")
    login(client, world.coordinator)
    page = client.get("/u/verwaltung/moderate").get_data(as_text=True)
    assert "You cannot silence or suspend this account." in page
    data = {"suspend-days": "3", "suspend-reason": "Versuch"}
    assert client.post("/u/verwaltung/suspend", data=data).status_code == 403
    assert client.post("/u/koordination/suspend", data=data).status_code == 400
    assert client.post("/u/verwaltung/unsuspend").status_code == 403
    assert get(User, admin.id).suspended_until is None
    assert client.get("/u/niemand/moderate").status_code == 404


# --- Crafted requests ----------------------------------------------------------------------------


def test_applicant_crafting_a_reply_stores_nothing(app, client, make, world):
    public = make.category("Ehrenamt entdecken", read_level="public")
    public_topic = make.topic(world.author, public, "Offene Frage zum Ehrenamt")
    login(client, make.user("bewerberin", role="applicant"))
    for topic_id in (world.topic.id, public_topic.id):
        response = client.post(
            f"/t/{topic_id}/reply", data={"raw": "Ich schreibe, obwohl ich nicht darf."}
        )
        assert response.status_code in (403, 404)
    response = client.post(
        "/new-topic",
        data={"category": public.id, "title": "Ein Thema von mir", "raw": "Darf ich das? Nein."},
    )
    assert response.status_code in (403, 404)
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Post).where(Post.raw.contains("nicht darf"))
            )
            == 0
        )
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewItem)) == 0
