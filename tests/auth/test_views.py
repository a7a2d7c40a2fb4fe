"""Signing up, confirming, logging in and out, resetting passwords: through the real pages."""

import re

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.users.models import Role, User

PASSWORD = "lange genug 123"


def _body(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


def _link(message, path: str) -> str:
    """Return the path of the forum link in the mail that starts with ``path``."""
    match = re.search(rf"http://forum\.test({re.escape(path)}\S+)", _body(message))
    assert match, _body(message)
    return match.group(1)


def _user(app, username: str) -> User:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username_lower == username.lower()))
        db.session.expunge(user)
        return user


def _register(client, **overrides):
    data = {
        "username": "anna_k",
        "email": "anna@example.org",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    data.update(overrides)
    # Buffered, as a server sends it: the mail goes out once the response is closed.
    return client.post("/register", data=data, buffered=True)


# --- Registration and confirmation ---------------------------------------------------


def test_register_page_renders(client):
    response = client.get("/register")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="username"' in html
    assert 'name="password_confirm"' in html


def test_register_confirm_by_mail(app, client, mailbox):
    response = _register(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/welcome"

    # Told to look into the mail, not logged in (that would tell a new address from a taken one).
    page = client.get("/welcome").get_data(as_text=True)
    assert "Please check your e-mail" in page
    assert client.get("/settings").status_code == 302
    user = _user(app, "anna_k")
    assert user.role == Role.APPLICANT
    assert not user.email_confirmed

    # The first click on the link confirms and logs in.
    [message] = mailbox.to("anna@example.org")
    link = _link(message, "/confirm/")
    response = client.get(link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/join"
    assert _user(app, "anna_k").email_confirmed
    assert "anna_k" in client.get("/settings").get_data(as_text=True)


def test_confirmation_link_logs_in_only_once(app, client, mailbox):
    _register(client)
    link = _link(mailbox.to("anna@example.org")[0], "/confirm/")
    client.get(link)
    client.post("/logout")
    response = client.get(link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/settings").status_code == 302


def test_register_saves_the_language_in_use(app, client, mailbox):
    client.post(
        "/register",
        data={
            "username": "emma",
            "email": "emma@example.org",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
        headers={"Accept-Language": "en"},
    )
    assert _user(app, "emma").locale == "en"


def test_confirmation_link_twice_is_fine(client, mailbox):
    _register(client)
    link = _link(mailbox.to("anna@example.org")[0], "/confirm/")
    assert client.get(link).status_code == 302
    assert client.get(link).status_code == 302


def test_bad_confirmation_link(client):
    response = client.get("/confirm/not-a-token")
    assert response.status_code == 400
    assert "This link is not valid" in response.get_data(as_text=True)


def test_expired_confirmation_link(app, client, mailbox):
    _register(client)
    link = _link(mailbox.to("anna@example.org")[0], "/confirm/")
    app.config["EMAIL_CONFIRM_MAX_AGE"] = -1
    assert client.get(link).status_code == 400
    assert not _user(app, "anna_k").email_confirmed


def test_resend_confirmation(client, mailbox):
    _register(client)
    client.post("/login", data={"login": "anna_k", "password": PASSWORD})
    mailbox.clear()
    response = client.post("/confirm/resend")
    assert response.status_code == 302
    assert len(mailbox.to("anna@example.org")) == 1


def test_duplicate_username_is_refused(client, make):
    make.user("Anna_K")
    response = _register(client)
    assert response.status_code == 400
    assert "This username is already taken." in response.get_data(as_text=True)


def test_taken_address_gets_the_answer_of_a_new_one(app, client, make, mailbox):
    make.user("someone", email="ANNA@example.org", locale="de")
    taken = _register(client)
    fresh = _register(client, username="bert_k", email="bert@example.org")
    assert (taken.status_code, taken.headers["Location"]) == (
        fresh.status_code,
        fresh.headers["Location"],
    )
    assert client.get("/settings").status_code == 302  # nobody logged in
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == "anna_k")) is None
    # The owner hears of it, in the owner's language, with nothing that grants access.
    [notice] = mailbox.to("ANNA@example.org")
    body = _body(notice)
    assert "someone" in body and "kein zweites Konto" in body
    assert re.findall(r"http://forum\.test\S*", body) == [
        "http://forum.test/login",
        "http://forum.test/password/forgot",
        "http://forum.test",
    ]


def test_taken_username_is_said(client, make, mailbox):
    make.user("Anna_K", email="other@example.org")
    response = _register(client, email="other@example.org")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This username is already taken." in html
    assert mailbox.messages == []


@pytest.mark.parametrize("email", ["anna", "anna@", "anna@@example.org", "anna example@x.org"])
def test_invalid_email_is_refused(client, email):
    response = _register(client, email=email)
    assert response.status_code == 400
    assert "Please enter a valid e-mail address." in response.get_data(as_text=True)


@pytest.mark.parametrize("username", ["ab", "a" * 21, "anna k", "anna<script>"])
def test_invalid_username_is_refused(client, username):
    response = _register(client, username=username)
    assert response.status_code == 400
    assert 'class="field-error"' in response.get_data(as_text=True)


def test_short_password_keeps_what_was_typed(client):
    response = _register(client, password="kurz", password_confirm="kurz")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The password needs at least 10 characters." in html
    assert 'value="anna_k"' in html
    assert 'value="anna@example.org"' in html
    assert 'value="kurz"' not in html
    # The error is announced and tied to its field.
    assert 'aria-describedby="password-hint password-error"' in html
    assert 'id="password-error" role="alert"' in html


def test_passwords_must_match(client):
    response = _register(client, password_confirm=PASSWORD + "x")
    assert response.status_code == 400
    assert "The passwords do not match." in response.get_data(as_text=True)


def test_register_when_logged_in_goes_home(client, make, login_as):
    login_as(make.user())
    assert client.get("/register").status_code == 302


def test_failed_mail_keeps_the_account(app, client, mailbox):
    app.config["MAIL_PORT"] = 1  # nothing listens there
    response = _register(client)
    assert response.status_code == 302
    assert _user(app, "anna_k") is not None


# --- Login and logout ---------------------------------------------------------------


def test_login_page_renders(client):
    response = client.get("/login?next=/latest")
    assert response.status_code == 200
    assert 'name="next" type="hidden" value="/latest"' in response.get_data(as_text=True)


@pytest.mark.parametrize("login", ["berta", "BERTA", "berta@example.org", " Berta@Example.org "])
def test_login_by_username_or_email(client, make, login):
    make.user("berta")
    response = client.post("/login", data={"login": login, "password": make.password})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "berta" in client.get("/settings").get_data(as_text=True)


def test_wrong_password(client, make):
    make.user("berta")
    response = client.post("/login", data={"login": "berta", "password": "falsch falsch"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Wrong username, e-mail address or password." in html
    assert 'value="berta"' in html
    assert client.get("/settings").status_code == 302


def test_unknown_user_gets_the_same_message(client):
    response = client.post("/login", data={"login": "niemand", "password": "falsch falsch"})
    assert response.status_code == 400
    assert "Wrong username, e-mail address or password." in response.get_data(as_text=True)


def test_empty_login_form(client):
    response = client.post("/login", data={})
    assert response.status_code == 400
    assert "Please enter your username or e-mail address." in response.get_data(as_text=True)


def test_login_follows_a_safe_next(client, make):
    make.user("berta")
    data = {"login": "berta", "password": make.password, "next": "/t/thema/1?page=2"}
    response = client.post("/login", data=data)
    assert response.headers["Location"] == "/t/thema/1?page=2"


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_login_ignores_an_unsafe_next(client, make, target):
    make.user("berta")
    response = client.post(
        "/login", data={"login": "berta", "password": make.password, "next": target}
    )
    assert response.headers["Location"] == "/"


def test_remember_me_sets_a_cookie(client, make):
    make.user("berta")
    response = client.post(
        "/login", data={"login": "berta", "password": make.password, "remember": "y"}
    )
    assert response.status_code == 302
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    assert cookie.http_only


def test_no_remember_cookie_without_remember_me(client, make):
    make.user("berta")
    client.post("/login", data={"login": "berta", "password": make.password})
    assert client.get_cookie("remember_token") is None


def test_logout_needs_post(client, make, login_as):
    login_as(make.user())
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/settings").status_code == 302


def test_login_rate_limit(app_config, tmp_path):
    from forum import create_app

    app_config["RATELIMIT_ENABLED"] = True
    app = create_app(app_config, instance_path=str(tmp_path / "limited"))
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    # A new name each time: the per-address limit, not the per-name lockout.
    for attempt in range(10):
        response = client.post("/login", data={"login": f"x{attempt}", "password": "falsch falsch"})
        assert response.status_code == 400
    response = client.post("/login", data={"login": "y", "password": "falsch falsch"})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    # The minute window's end: within a minute, two if the window has just begun.
    assert re.search(r"Please try again in [12] minutes? \(at ", response.get_data(as_text=True))
    # Reading the page is not limited.
    assert client.get("/login").status_code == 200
    with app.app_context():
        db.engine.dispose()


# --- Password reset ---------------------------------------------------------------------


def _forgot(client, email: str):
    return client.post("/password/forgot", data={"email": email}, buffered=True)


def test_password_reset_works_once(app, client, make, mailbox):
    make.user("berta")
    response = _forgot(client, "berta@example.org")
    assert response.status_code == 302
    link = _link(mailbox.to("berta@example.org")[0], "/password/reset/")

    assert client.get(link).status_code == 200
    new = "ein ganz neues Passwort"
    response = client.post(link, data={"password": new, "password_confirm": new})
    assert response.status_code == 302
    client.post("/logout")

    assert client.post("/login", data={"login": "berta", "password": new}).status_code == 302
    client.post("/logout")
    old = client.post("/login", data={"login": "berta", "password": make.password})
    assert old.status_code == 400

    # The password changed, so the link is spent.
    response = client.get(link)
    assert response.status_code == 400
    assert "expired or was already used" in response.get_data(as_text=True)


def test_reset_form_validates(client, make, mailbox):
    make.user("berta")
    _forgot(client, "berta@example.org")
    link = _link(mailbox.to("berta@example.org")[0], "/password/reset/")
    response = client.post(link, data={"password": "kurz", "password_confirm": "kurz"})
    assert response.status_code == 400
    assert "The password needs at least 10 characters." in response.get_data(as_text=True)


def test_unknown_address_gets_the_same_answer(client, make, mailbox):
    make.user("berta")
    known = _forgot(client, "berta@example.org")
    unknown = _forgot(client, "nobody@example.org")
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code,
        unknown.headers["Location"],
    )
    assert mailbox.to("nobody@example.org") == []
    assert len(mailbox.messages) == 1


def test_expired_reset_link(app, client, make, mailbox):
    make.user("berta")
    _forgot(client, "berta@example.org")
    link = _link(mailbox.to("berta@example.org")[0], "/password/reset/")
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    response = client.get(link)
    assert response.status_code == 400
    assert "Ask for a new link" in response.get_data(as_text=True)


def test_invalid_reset_link(client):
    response = client.post(
        "/password/reset/garbage", data={"password": PASSWORD, "password_confirm": PASSWORD}
    )
    assert response.status_code == 400


def test_invalid_forgot_address(client):
    response = _forgot(client, "keine adresse")
    assert response.status_code == 400
    assert "Please enter a valid e-mail address." in response.get_data(as_text=True)
