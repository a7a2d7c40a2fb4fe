"""Lockout after repeated failed log-ins: per account, growing, told in the user's language."""

import re

import pytest
import sqlalchemy as sa

from forum.auth.models import LoginThrottle
from forum.db import utcnow
from forum.extensions import db

WRONG = "falsch falsch"


def _log_in(client, login: str, password: str = WRONG, language: str = "en"):
    # Buffered, as a server sends it: the owner's mail goes out once the response is closed.
    return client.post(
        "/login",
        data={"login": login, "password": password},
        headers={"Accept-Language": language},
        buffered=True,
    )


def _fail(client, login: str, times: int) -> list[int]:
    return [_log_in(client, login).status_code for _ in range(times)]


def _retry_after(response) -> int:
    return int(response.headers["Retry-After"])


def _end_lockouts(app) -> None:
    """Let every lockout run out, as time would."""
    with app.app_context():
        db.session.execute(sa.update(LoginThrottle).values(locked_until=utcnow()))
        db.session.commit()


@pytest.fixture
def berta(make):
    return make.user("berta")


def test_fifth_failure_locks_the_account_even_for_the_right_password(client, berta, make):
    assert _fail(client, "berta", 4) == [400, 400, 400, 400]
    locked = _log_in(client, "berta")
    assert locked.status_code == 429
    html = locked.get_data(as_text=True)
    assert "Too many failed log-ins for this account." in html
    assert re.search(r"Please try again in 1 minute \(at \d{1,2}:\d\d", html)
    assert 55 <= _retry_after(locked) <= 60
    right = _log_in(client, "berta", make.password)
    assert right.status_code == 429
    assert client.get("/settings").status_code == 302  # not logged in


def test_after_the_lockout_the_right_password_works(app, client, berta, make):
    _fail(client, "berta", 5)
    _end_lockouts(app)
    assert _log_in(client, "berta", make.password).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) == 0


def test_each_lockout_lasts_twice_as_long_up_to_the_cap(app, client, berta):
    app.config["LOGIN_LOCKOUT_MAX_SECONDS"] = 200
    durations = []
    for _round in range(3):
        *_, locked = [_log_in(client, "berta") for _ in range(5)]
        assert locked.status_code == 429
        durations.append(_retry_after(locked))
        _end_lockouts(app)
    assert [round(seconds, -1) for seconds in durations] == [60, 120, 200]


def test_username_and_address_count_together(client, berta):
    assert _fail(client, "berta", 3) == [400] * 3
    assert _fail(client, " Berta@Example.org ", 2) == [400, 429]
    assert _log_in(client, "BERTA").status_code == 429


def test_a_success_ends_the_streak(client, berta, make):
    _fail(client, "berta", 4)
    assert _log_in(client, "berta", make.password).status_code == 302
    client.post("/logout")
    assert _fail(client, "berta", 4) == [400] * 4


def test_unknown_names_are_locked_alike_and_nobody_is_mailed(client, mailbox):
    # The same answers as for an account, so a lockout tells nothing about addresses.
    assert _fail(client, "niemand@example.org", 6) == [400] * 4 + [429, 429]
    assert _fail(client, "niemand", 5) == [400] * 4 + [429]
    assert mailbox.messages == []


def test_the_owner_is_mailed_once_per_lockout(app, client, berta, mailbox):
    _fail(client, "berta", 8)  # one lockout, three attempts while locked
    [notice] = mailbox.to("berta@example.org")
    body = notice.get_payload(decode=True).decode()
    assert "5" in body and "http://forum.test/password/forgot" in body
    assert "/password/reset/" not in body  # nothing in it grants access
    _end_lockouts(app)
    _fail(client, "berta", 5)
    assert len(mailbox.to("berta@example.org")) == 2


def test_the_notice_is_in_the_owners_language(client, make, mailbox):
    make.user("emma", locale="en")
    make.user("gerda", locale="de")
    _fail(client, "emma", 5)
    _fail(client, "gerda", 5)
    assert mailbox.to("emma@example.org")[0]["Subject"] == "Failed log-ins to your account"
    german = mailbox.to("gerda@example.org")[0].get_payload(decode=True).decode()
    assert "Hallo gerda" in german


def test_the_lockout_is_said_in_german(client, berta):
    _fail(client, "berta", 4)
    html = _log_in(client, "berta", language="de").get_data(as_text=True)
    assert "Zu viele fehlgeschlagene Anmeldungen" in html
    assert "Bitte versuchen Sie es in 1 Minute erneut" in html


def test_old_failures_are_forgotten(app, client, berta):
    _fail(client, "berta", 4)
    with app.app_context():
        from datetime import timedelta

        db.session.execute(
            sa.update(LoginThrottle).values(last_failure_at=utcnow() - timedelta(days=2))
        )
        db.session.commit()
    # The stale streak is gone: four more failures do not lock.
    assert _fail(client, "berta", 4) == [400] * 4
