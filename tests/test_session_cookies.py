"""The session cookie verified once per process (forum/session_cookies.py): a kept
cookie still ages out, a changed one is verified, and no request changes what the
next one with the same cookie reads."""

from datetime import timedelta

import pytest
from flask import session
from itsdangerous import URLSafeTimedSerializer

from forum import session_cookies

COOKIE = "session"


@pytest.fixture
def decodes(monkeypatch) -> list[str]:
    """Every cookie the signing serializer verifies and decodes."""
    seen: list[str] = []
    loads = URLSafeTimedSerializer.loads

    def counting(self, value, *args, **kwargs):
        seen.append(value)
        return loads(self, value, *args, **kwargs)

    monkeypatch.setattr(URLSafeTimedSerializer, "loads", counting)
    return seen


def _cookie(client) -> str:
    return client.get_cookie(COOKIE).value


def _logged_in(client) -> bool:
    return b'action="/logout"' in client.get("/").data


def _kept_logged_in(client) -> None:
    """Request pages until the cookie is kept: the login's welcome message goes
    with the first page (a session with a list is never kept)."""
    assert _logged_in(client)
    assert _logged_in(client)
    assert _cookie(client) in session_cookies_kept(client)


def session_cookies_kept(client) -> set[str]:
    return set(client.application.session_interface.kept)


def test_a_members_cookie_is_verified_once(client, make, login_as, decodes):
    login_as(make.user("immer_da"))
    assert _logged_in(client)
    decodes.clear()
    for _ in range(3):
        assert _logged_in(client)
    assert decodes == [_cookie(client)]


def test_a_kept_cookie_still_ages_out(app, client, make, login_as, monkeypatch):
    login_as(make.user("lange_weg"))
    _kept_logged_in(client)
    later = session_cookies.time.time() + 3 * 3600
    monkeypatch.setattr(session_cookies.time, "time", lambda: later)
    app.permanent_session_lifetime = timedelta(hours=1)
    assert not _logged_in(client)


def test_a_changed_cookie_is_verified_again(client, make, login_as, decodes):
    login_as(make.user("faelscher"))
    assert _logged_in(client)
    value = _cookie(client)
    # A character inside the signature (the last one carries unused bits).
    forged = value[:-5] + ("A" if value[-5] != "A" else "B") + value[-4:]
    client.set_cookie(COOKIE, forged)
    decodes.clear()
    assert not _logged_in(client)
    assert decodes == [forged]


def test_a_request_never_changes_what_the_same_cookie_holds(app, client):
    @app.get("/_test/session-locale")
    def session_locale():
        return session.get("locale") or "-"

    client.get("/language/en")
    english = _cookie(client)
    assert client.get("/_test/session-locale").text == "en"
    client.get("/language/de")  # a new cookie; the old text must still mean English
    assert client.get("/_test/session-locale").text == "de"
    client.set_cookie(COOKIE, english)
    assert client.get("/_test/session-locale").text == "en"


def test_sessions_holding_lists_are_decoded_each_time(app, client, decodes):
    @app.get("/_test/flash")
    def keep_flash():
        session["_flashes"] = [("info", "Hallo")]
        return "ok"

    @app.get("/_test/peek")
    def peek():
        return str(len(session.get("_flashes", [])))

    client.get("/_test/flash")
    decodes.clear()
    assert client.get("/_test/peek").text == "1"
    assert client.get("/_test/peek").text == "1"
    assert len(decodes) == 2


def test_a_new_secret_key_forgets_the_kept_cookies(app, client, make, login_as):
    login_as(make.user("schluesselwechsel"))
    _kept_logged_in(client)
    app.secret_key = "another-secret-key-0123456789abcdef"
    assert not _logged_in(client)


def test_a_cookie_verified_while_the_key_changes_is_not_kept(app, client, make, login_as):
    """A request still verifying with the old key when another one meets the new
    key must not leave its cookie kept under the new key."""
    login_as(make.user("schluesselrennen"))
    assert _logged_in(client)
    interface = app.session_interface
    old = interface.get_signing_serializer(app)
    loads = type(old).loads

    def rotating_meanwhile(self, value, *args, **kwargs):
        result = loads(self, value, *args, **kwargs)
        app.secret_key = "another-secret-key-0123456789abcdef"
        interface.get_signing_serializer(app)  # another request, with the new key
        return result

    old.loads = rotating_meanwhile.__get__(old)
    assert _logged_in(client)  # verified with the key it was signed with
    assert not _logged_in(client)


def test_long_sessions_are_decoded_each_time(app, client, decodes):
    @app.get("/_test/long")
    def keep_long():
        session["note"] = "x" * 2000  # compressed, still longer than what is kept
        session["other"] = "".join(chr(0x4E00 + n % 500) for n in range(600))
        return "ok"

    client.get("/_test/long")
    client.get("/")  # the page's forms add the CSRF secret: the cookie's final text
    decodes.clear()
    client.get("/")
    client.get("/")
    assert len(_cookie(client)) > session_cookies.MAX_KEPT_LENGTH
    assert decodes == [_cookie(client)] * 2
