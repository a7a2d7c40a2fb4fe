"""An attacker's pass over issue 11's routes: another member's notification, a
conversation one is not in, unsubscribe tokens of someone else or tampered with,
the mention lookup for applicants and guests, huge ids, JSON bodies. Every case
answers a clean 4xx (or an empty answer) and changes nothing."""

import base64
import json
import string

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.mailing.tokens import reply_token, unsubscribe_token
from forum.messages.models import MessageParticipant
from forum.notifications.models import Notification
from forum.routing import MAX_ID
from forum.users.models import User
from tests.conftest import login
from tests.messages.conftest import send

HUGE = [MAX_ID + 1, 10**30]


@pytest.fixture
def scene(app, make):
    """anke and lena talk privately; mehmet is a member outside; lena has a
    notification of anke's message."""
    anke, lena, mehmet = (make.user(n, locale="en") for n in ("anke", "lena", "mehmet"))
    moderator = make.user("koordination", role="moderator", locale="en")
    with app.app_context():
        db.session.execute(
            sa.update(User)
            .where(User.id.in_([anke.id, lena.id, mehmet.id]))
            .values(published_post_count=5)
        )
        db.session.commit()
    response = send(_client(app, anke), to="lena", title="Unter uns", raw="Hallo Lena")
    assert response.status_code == 302, response.get_data(as_text=True)
    response.close()  # the notifications are made when the response is closed
    with app.app_context():
        notification = db.session.scalars(
            sa.select(Notification).where(Notification.user_id == lena.id)
        ).one()
    return anke, lena, mehmet, moderator, notification.topic_id, notification.id


def _client(app, user=None):
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if user is not None:
        login(browser, user)
    return browser


def _state(app) -> tuple:
    """What an attack might change: participants, notifications' read marks, choices."""
    with app.app_context():
        participants = sorted(
            (p.topic_id, p.user_id, p.left_at is None)
            for p in db.session.scalars(sa.select(MessageParticipant))
        )
        marks = sorted(
            (n.id, n.read_at is None) for n in db.session.scalars(sa.select(Notification))
        )
        choices = sorted(
            (
                u.username,
                u.email_on_reply,
                u.email_on_mention,
                u.email_on_message,
                u.digest_frequency,
            )
            for u in db.session.scalars(sa.select(User))
        )
    return participants, marks, choices


def test_another_members_notification_cannot_be_opened(app, scene):
    _anke, _lena, mehmet, moderator, _topic_id, notification_id = scene
    before = _state(app)
    for who in (mehmet, moderator):
        assert _client(app, who).get(f"/notifications/{notification_id}").status_code == 404
    assert _client(app).get(f"/notifications/{notification_id}").status_code in (302, 401)
    assert _state(app) == before


def test_a_conversation_one_is_not_in_cannot_be_joined_changed_or_left(app, scene):
    anke, _lena, mehmet, moderator, topic_id, _nid = scene
    before = _state(app)
    for who in (mehmet, moderator):
        browser = _client(app, who)
        for username in (who.username, "anke", "koordination"):
            response = browser.post(
                f"/messages/{topic_id}/participants", data={"username": username}
            )
            assert response.status_code == 404, (who.username, username)
        assert browser.post(f"/messages/{topic_id}/leave", data={}).status_code == 404
    # A public topic is no conversation: nobody is added to it.
    assert (
        _client(app, anke)
        .post(f"/messages/{topic_id + 1000}/participants", data={"username": "mehmet"})
        .status_code
        == 404
    )
    assert _state(app) == before


@pytest.mark.parametrize("huge", HUGE)
def test_huge_ids_are_not_found(app, scene, huge):
    _anke, lena, *_rest = scene
    before = _state(app)
    browser = _client(app, lena)
    assert browser.get(f"/notifications/{huge}").status_code == 404
    for path in (
        f"/messages/{huge}/participants",
        f"/messages/{huge}/leave",
        f"/t/{huge}/notifications",
        f"/c/{huge}/notifications",
    ):
        response = browser.post(path, data={"username": "mehmet", "level": "watching"})
        assert response.status_code == 404, path
    assert _state(app) == before


def test_unsubscribe_tokens_change_only_the_member_they_name(app, scene):
    anke, lena, *_rest = scene
    with app.app_context():
        annas_token = unsubscribe_token(anke.id, "message")
        not_a_token = reply_token(lena.id, 1)
    before = _state(app)
    # Posted from lena's session: the token names anke, so lena keeps her choice.
    response = _client(app, lena).post(f"/email/unsubscribe/{annas_token}")
    assert response.status_code == 200
    participants, marks, choices = before
    expected = [(c[0], c[1], c[2], False, c[4]) if c[0] == "anke" else c for c in choices]
    assert _state(app) == (participants, marks, expected)
    after = _state(app)
    # A token signed for something else, one for a member who does not exist,
    # one whose choice was changed: not found, nothing changed.
    with app.app_context():
        nobody = unsubscribe_token(MAX_ID, "reply")
    payload, signature = annas_token.rsplit(".", 1)
    # The signature's last character changed in its high bits: the low ones may
    # lie past the signature's bytes, so a fixed "A" left a few tokens in 64 valid.
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
    flipped = alphabet[(alphabet.index(annas_token[-1]) + 32) % 64]
    last_changed = annas_token[:-1] + flipped
    other_choice = base64.urlsafe_b64encode(f'[{anke.id},"digest"]'.encode()).rstrip(b"=")
    tampered = f"{other_choice.decode()}.{signature}"
    assert payload != other_choice.decode()
    for token in (not_a_token, nobody, tampered, last_changed, "%00", "a" * 5000):
        assert _client(app).post(f"/email/unsubscribe/{token}").status_code == 404, token
        assert _client(app).get(f"/email/unsubscribe/{token}").status_code == 404, token
    assert _state(app) == after


def test_the_mention_lookup_takes_no_strange_terms(app, scene):
    _anke, lena, *_rest = scene
    browser = _client(app, lena)
    for query in ("term=", "term=" + "a" * 5000, "term=%25", "term=_", "term=a&term=b", "x=1"):
        response = browser.get(f"/u/search.json?{query}")
        assert response.status_code in (200, 400), query
        if response.status_code == 200:
            names = [u["username"] for u in response.get_json()["users"]]
            assert names in ([], ["anke"]), query
    assert browser.get("/u/search.json?term=%").get_json() == {"users": []}


def test_json_bodies_change_nothing(app, scene):
    _anke, lena, _mehmet, _moderator, topic_id, _nid = scene
    before = _state(app)
    browser = _client(app, lena)
    app.config["WTF_CSRF_ENABLED"] = True  # as in production: a JSON body carries no token
    body = json.dumps({"username": "mehmet", "level": "muted", "to": "mehmet", "raw": "x"})
    for path in (
        "/notifications/read",
        f"/messages/{topic_id}/participants",
        f"/messages/{topic_id}/leave",
        f"/t/{topic_id}/notifications",
        "/messages/new",
        "/messages/settings",
        "/settings/watching",
    ):
        response = browser.post(path, data=body, content_type="application/json")
        assert 400 <= response.status_code < 500, (path, response.status_code)
    assert _state(app) == before
