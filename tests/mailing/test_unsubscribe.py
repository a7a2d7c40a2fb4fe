"""One-click unsubscribe (RFC 8058): no login, no CSRF token, exactly one choice."""

import re

import pytest

from forum.extensions import db
from forum.mailing.tokens import unsubscribe_token
from forum.users.models import User

from .conftest import notification


@pytest.fixture
def app_config(app_config):
    # The real protection: the unsubscribe POST must work without a CSRF token anyway.
    return {**app_config, "WTF_CSRF_ENABLED": True}


def _choices(app, user_id: int) -> dict:
    with app.app_context():
        user = db.session.get(User, user_id)
        return {
            "reply": user.email_on_reply,
            "mention": user.email_on_mention,
            "message": user.email_on_message,
            "watched": user.email_on_watched,
            "digest": user.digest_frequency,
        }


def _link(app, user_id: int, choice: str) -> str:
    with app.app_context():
        return f"/email/unsubscribe/{unsubscribe_token(user_id, choice)}"


def test_the_link_asks_before_it_changes_anything(app, client, make):
    anke = make.user("anke")
    before = _choices(app, anke.id)
    page = client.get(_link(app, anke.id, "mention"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "mails when someone mentions you" in html and "<button" in html
    assert _choices(app, anke.id) == before


def test_the_button_turns_off_exactly_that_choice_without_login(app, client, make):
    anke = make.user("anke")
    before = _choices(app, anke.id)
    response = client.post(_link(app, anke.id, "mention"))
    assert response.status_code == 200
    assert "anke no longer gets mails when someone mentions you" in response.get_data(as_text=True)
    assert _choices(app, anke.id) == {**before, "mention": False}


def test_mail_programs_unsubscribe_with_one_click(app, client, make):
    anke = make.user("anke")
    before = _choices(app, anke.id)
    response = client.post(_link(app, anke.id, "digest"), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert _choices(app, anke.id) == {**before, "digest": "off"}


def test_other_forms_still_need_their_csrf_token(client, make):
    make.user("anke")
    response = client.post("/login", data={"login": "anke", "password": make.password})
    assert response.status_code == 400


@pytest.mark.parametrize("token", ["kaputt", "x" * 300, "WzEsInJlcGx5Il0.falsch"])
def test_a_bad_token_changes_nothing(app, client, make, token):
    anke = make.user("anke")
    before = _choices(app, anke.id)
    assert client.post(f"/email/unsubscribe/{token}").status_code == 404
    assert client.get(f"/email/unsubscribe/{token}").status_code == 404
    assert _choices(app, anke.id) == before


def test_the_link_in_a_mail_works(app, client, runner, mailbox, scene):
    notification(app, scene.anke.id, "replied", scene.post)
    runner.invoke(args=["mail", "send"])
    [mail] = mailbox.wait_for("anke@example.org")
    link = re.match(r"<http://forum\.test(/\S+)>", mail["List-Unsubscribe"]).group(1)
    assert client.post(link, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert _choices(app, scene.anke.id)["reply"] is False
    assert _choices(app, scene.anke.id)["mention"] is True
