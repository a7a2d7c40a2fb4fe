"""Profiles, avatars, settings, language and bookmarks through the real pages."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.boards.models import Bookmark, Post
from forum.db import utcnow
from forum.extensions import db
from forum.users.avatar import PALETTE
from forum.users.models import User
from tests.conftest import counting_statements, read_settings_once


def _body(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


def _load_user(app, username: str) -> User:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        db.session.expunge(user)
        return user


@pytest.fixture
def places(make):
    """A public and a member-only category, and a staff member to write in both."""
    author = make.user("carla", role="moderator", display_name="Carla Beispiel")
    public = make.category("Ehrenamt entdecken", read_level="public")
    closed = make.category("Intern", read_level="members")
    staff = make.category("Koordination", read_level="staff")
    return author, public, closed, staff


# --- Profile ----------------------------------------------------------------------------


def test_unknown_profile_is_404(client):
    assert client.get("/u/niemand").status_code == 404


def test_profile_shows_only_readable_activity(client, make, login_as, places):
    author, public, closed, staff = places
    make.topic(author, public, title="Offenes Thema für alle")
    make.topic(author, closed, title="Internes Thema der Mitglieder")
    make.topic(author, staff, title="Nur für die Koordination")
    open_topic = make.topic(make.user(), public, title="Eine Frage an alle")
    make.post(open_topic, author, raw="Eine öffentliche Antwort von Carla")
    hidden_topic = make.topic(make.user(), closed, title="Mitgliederfrage")
    make.post(hidden_topic, author, raw="Eine interne Antwort von Carla")

    html = client.get("/u/carla").get_data(as_text=True)
    assert "Carla Beispiel" in html
    assert "@carla" in html
    assert "Offenes Thema für alle" in html
    assert "Eine öffentliche Antwort von Carla" in html
    assert "Internes Thema der Mitglieder" not in html
    assert "Eine interne Antwort von Carla" not in html
    assert "Mitgliederfrage" not in html
    assert "Nur für die Koordination" not in html

    login_as(make.user("mitglied"))
    html = client.get("/u/carla").get_data(as_text=True)
    assert "Internes Thema der Mitglieder" in html
    assert "Eine interne Antwort von Carla" in html
    assert "Nur für die Koordination" not in html


def test_profile_counters_come_from_the_row(app, client, make, places):
    author, public, _closed, _staff = places
    make.topic(author, public)
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == author.id).values(likes_received=1234))
        db.session.commit()
    html = client.get("/u/carla").get_data(as_text=True)
    assert re.search(r"<dt>Topics</dt><dd>1</dd>", html)
    assert "1,234" in html or "1.234" in html


def test_profile_leaves_out_deleted_posts(app, client, make, places):
    author, public, _closed, _staff = places
    topic = make.topic(make.user(), public)
    post = make.post(topic, author, raw="Das nehme ich wieder zurück")
    with app.app_context():
        db.session.execute(sa.update(Post).where(Post.id == post.id).values(deleted_at=utcnow()))
        db.session.commit()
    assert "Das nehme ich wieder zurück" not in client.get("/u/carla").get_data(as_text=True)


def test_profile_costs_the_same_queries_for_more_data(app, client, make, places):
    author, public, closed, _staff = places

    def profile_queries() -> int:
        with counting_statements(app) as statements:
            assert client.get("/u/carla").status_code == 200
        return len(statements)

    make.topic(author, public)
    read_settings_once(client)
    few = profile_queries()
    for number in range(4):
        topic = make.topic(author, public if number % 2 else closed)
        make.post(topic, author)
    assert profile_queries() == few


# --- Avatar -------------------------------------------------------------------------------


def test_avatar_is_a_letter_svg(client):
    response = client.get("/user_avatar/anna/48.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.cache_control.public
    assert response.cache_control.max_age >= 86400
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg")
    assert 'width="48"' in svg
    assert ">A</text>" in svg
    colour = re.search(r'fill="#([0-9a-f]{6})"', svg).group(1)
    assert colour in PALETTE
    # The same name always gets the same colour.
    assert colour in client.get("/user_avatar/Anna/96.svg").get_data(as_text=True)


@pytest.mark.parametrize("size", [0, 50, 1000])
def test_avatar_size_must_be_allowed(client, size):
    assert client.get(f"/user_avatar/anna/{size}.svg").status_code == 404


def test_avatar_escapes_the_letter(client):
    svg = client.get("/user_avatar/%3Cx/32.svg").get_data(as_text=True)
    assert "&lt;" in svg
    assert "<x" not in svg


# --- Settings ------------------------------------------------------------------------------


def test_settings_need_login(client):
    response = client.get("/settings")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_settings_save_profile(app, client, make, login_as):
    login_as(make.user("dora"))
    page = client.get("/settings")
    assert page.status_code == 200
    response = client.post(
        "/settings",
        data={
            "display_name": "Dora Muster",
            "bio": "Ich helfe **gern** beim Vorlesen.",
            "language": "de",
            "email_on_reply": "y",
            "digest_frequency": "daily",
        },
    )
    assert response.status_code == 302
    user = _load_user(app, "dora")
    assert user.display_name == "Dora Muster"
    assert "<strong>gern</strong>" in user.bio_cooked
    assert user.email_on_reply and user.digest_frequency == "daily" and not user.email_on_mention
    assert "<strong>gern</strong>" in client.get("/u/dora").get_data(as_text=True)


def test_settings_change_language(client, make, login_as):
    # The saved language wins over the browser's (which asks for English here).
    login_as(make.user("dora"))
    assert '<html lang="en">' in client.get("/settings").get_data(as_text=True)
    client.post("/settings", data={"display_name": "", "bio": "", "language": "de"})
    assert '<html lang="de">' in client.get("/settings").get_data(as_text=True)
    client.post("/settings", data={"display_name": "", "bio": "", "language": "en"})
    html = client.get("/settings").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Your settings are saved." in html


def test_settings_invalid_input_is_kept(client, make, login_as):
    login_as(make.user("dora"))
    long_bio = "Sehr lang. " * 400
    response = client.post(
        "/settings", data={"display_name": "Dora", "bio": long_bio, "language": "de"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "At most 3000 characters." in html
    assert "Sehr lang. Sehr lang." in html


def test_settings_unknown_language(client, make, login_as):
    login_as(make.user("dora"))
    response = client.post("/settings", data={"language": "xx"})
    assert response.status_code == 400


def test_change_password(client, make, login_as):
    user = make.user("dora")
    login_as(user)
    new = "ein neues langes Passwort"
    wrong = client.post(
        "/settings/password",
        data={"current_password": "falsch falsch", "password": new, "password_confirm": new},
    )
    assert wrong.status_code == 400
    assert "This is not your current password." in wrong.get_data(as_text=True)
    response = client.post(
        "/settings/password",
        data={"current_password": make.password, "password": new, "password_confirm": new},
    )
    assert response.status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"login": "dora", "password": new}).status_code == 302


def test_change_password_logs_out_other_devices(app, make):
    make.user("dora")
    here, elsewhere = app.test_client(), app.test_client()
    for client in (here, elsewhere):
        response = client.post(
            "/login", data={"login": "dora", "password": make.password, "remember": "y"}
        )
        assert response.status_code == 302
    new = "ein neues langes Passwort"
    here.post(
        "/settings/password",
        data={"current_password": make.password, "password": new, "password_confirm": new},
    )
    assert here.get("/settings").status_code == 200
    assert here.get_cookie("remember_token") is not None
    assert elsewhere.get("/settings").status_code == 302
    # The remember-me cookie of the other device is void too.
    elsewhere.delete_cookie("session")
    assert elsewhere.get("/settings").status_code == 302


def test_change_password_too_short(client, make, login_as):
    login_as(make.user("dora"))
    response = client.post(
        "/settings/password",
        data={"current_password": make.password, "password": "kurz", "password_confirm": "kurz"},
    )
    assert response.status_code == 400
    assert "The password needs at least 10 characters." in response.get_data(as_text=True)


def test_change_email_needs_password_and_reconfirmation(app, client, make, login_as, mailbox):
    login_as(make.user("dora"))
    wrong = client.post(
        "/settings/email", data={"email": "dora@example.net", "current_password": "falsch"}
    )
    assert wrong.status_code == 400
    assert 'value="dora@example.net"' in wrong.get_data(as_text=True)
    assert _load_user(app, "dora").email == "dora@example.org"

    response = client.post(
        "/settings/email", data={"email": "dora@example.net", "current_password": make.password}
    )
    assert response.status_code == 302
    user = _load_user(app, "dora")
    assert user.email == "dora@example.net"
    assert not user.email_confirmed
    [confirm] = mailbox.to("dora@example.net")
    [notice] = mailbox.to("dora@example.org")
    assert "dora@example.net" in _body(notice)
    link = re.search(r"http://forum\.test(/confirm/\S+)", _body(confirm)).group(1)
    assert client.get(link).status_code == 302
    assert _load_user(app, "dora").email_confirmed


def test_change_email_to_a_taken_address(client, make, login_as):
    make.user("emil")
    login_as(make.user("dora"))
    response = client.post(
        "/settings/email", data={"email": "EMIL@example.org", "current_password": make.password}
    )
    assert response.status_code == 400
    assert "This e-mail address is already in use." in response.get_data(as_text=True)


# --- Language switch -------------------------------------------------------------------------


def test_guest_language_is_kept_in_the_session(client, make):
    make.user("dora")
    response = client.post("/language", data={"language": "en", "next": "/u/dora"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/u/dora"
    assert '<html lang="en">' in client.get("/u/dora").get_data(as_text=True)
    client.post("/language", data={"language": "de", "next": "/u/dora"})
    assert '<html lang="de">' in client.get("/u/dora").get_data(as_text=True)


def test_member_language_is_saved(app, client, make, login_as):
    login_as(make.user("dora"))
    client.post("/language", data={"language": "en", "next": "/settings"})
    assert _load_user(app, "dora").locale == "en"


def test_language_switch_refuses_bad_input(client):
    assert client.post("/language", data={"language": "xx"}).status_code == 400
    response = client.post("/language", data={"language": "en", "next": "https://evil.example"})
    assert response.headers["Location"] == "/"


# --- Bookmarks --------------------------------------------------------------------------------


def _bookmark(app, user, post, minutes_ago: int) -> None:
    with app.app_context():
        db.session.add(
            Bookmark(
                user_id=user.id,
                post_id=post.id,
                created_at=utcnow() - timedelta(minutes=minutes_ago),
            )
        )
        db.session.commit()


def test_bookmarks_need_login(client):
    assert client.get("/bookmarks").status_code == 302


def test_bookmarks_newest_first_and_only_readable(app, client, make, login_as, places):
    author, public, closed, staff = places
    reader = make.user("dora")
    older = make.topic(author, public, title="Älteres Lesezeichen", raw="Alter Text zum Merken")
    newer = make.topic(author, closed, title="Neueres Lesezeichen", raw="Neuer Text zum Merken")
    secret = make.topic(author, staff, title="Geheimes Thema", raw="Nicht für Mitglieder")
    gone = make.topic(author, public, title="Gelöschter Beitrag")
    gone_reply = make.post(gone, author, raw="Wird gelöscht")
    with app.app_context():
        first_posts = {
            post.topic_id: post
            for post in db.session.scalars(sa.select(Post).where(Post.post_number == 1))
        }
    _bookmark(app, reader, first_posts[older.id], 30)
    _bookmark(app, reader, first_posts[newer.id], 5)
    _bookmark(app, reader, first_posts[secret.id], 1)
    _bookmark(app, reader, gone_reply, 2)
    with app.app_context():
        db.session.execute(
            sa.update(Post).where(Post.id == gone_reply.id).values(deleted_at=utcnow())
        )
        db.session.commit()

    login_as(reader)
    html = client.get("/bookmarks").get_data(as_text=True)
    assert "Neuer Text zum Merken" in html
    assert html.index("Neueres Lesezeichen") < html.index("Älteres Lesezeichen")
    assert "Geheimes Thema" not in html
    assert "Wird gelöscht" not in html


def test_no_bookmarks(client, make, login_as):
    login_as(make.user())
    assert "No bookmarks yet." in client.get("/bookmarks").get_data(as_text=True)
