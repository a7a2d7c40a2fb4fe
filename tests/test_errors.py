"""Bad input never yields a 500: friendly pages that keep what the user typed."""

import re
from html import unescape

import pytest
import sqlalchemy as sa

from forum.boards.models import Post, Topic


@pytest.fixture
def app_config(app_config):
    app_config["HOLD_FIRST_POSTS"] = 0  # publish at once; holding is moderation's topic
    return app_config


# Every test here reads English pages (tests/conftest.py sets the header).
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def category(make):
    return make.category("Austausch", read_level="members")


def _html(response) -> str:
    return response.get_data(as_text=True)


def _textarea(html: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(?:\r?\n)?(.*?)</textarea>', html, re.S)
    assert match, html
    return unescape(match.group(1))


def _count(app, model) -> int:
    from forum.extensions import db

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- The composer ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "This field is required."),
        ("    ", "Please write at least 5 characters."),
        ("Kurz", "Please write at least 5 characters."),
        ("T" * 201, "Please write at most 200 characters (now 201)."),
    ],
)
def test_bad_titles_keep_the_text(app, client, member, category, title, message):
    raw = "Mein sorgfältig geschriebener Text <mit> Zeichen & Umlauten."
    response = client.post("/new-topic", data={"category": category.id, "title": title, "raw": raw})
    assert response.status_code == 400
    html = _html(response)
    assert message in html
    assert _textarea(html, "raw") == raw
    if title.strip():
        assert f'value="{title}"' in html
    assert _count(app, Topic) == 0


def test_title_at_the_limit_is_accepted(app, client, member, category):
    response = client.post(
        "/new-topic", data={"category": category.id, "title": "T" * 200, "raw": "Text"}
    )
    assert response.status_code == 302
    assert _count(app, Topic) == 1


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "This field is required."),
        ("x", "Please write at least 2 characters."),
        ("x" * 32001, "Please write at most 32000 characters (now 32001)."),
    ],
)
def test_bad_posts_keep_the_text(app, client, member, category, raw, message):
    response = client.post(
        "/new-topic", data={"category": category.id, "title": "Ein guter Titel", "raw": raw}
    )
    assert response.status_code == 400
    html = _html(response)
    assert message in html
    assert 'value="Ein guter Titel"' in html
    assert _textarea(html, "raw") == raw
    assert _count(app, Topic) == 0


def test_too_long_reply_keeps_the_text(app, client, make, member, category):
    topic = make.topic(category=category)
    raw = "Antwort " * 4001
    response = client.post(f"/t/{topic.id}/reply", data={"raw": raw})
    assert response.status_code == 400
    html = _html(response)
    assert "Please write at most 32000 characters" in html
    assert _textarea(html, "raw") == raw
    assert _count(app, Post) == 1


@pytest.mark.parametrize("value", ["4711", "abc", "", "-1"])
def test_unknown_category_is_a_form_error(app, client, member, category, value):
    raw = "Text, der nicht verloren gehen darf"
    response = client.post(
        "/new-topic", data={"category": value, "title": "Ein guter Titel", "raw": raw}
    )
    assert response.status_code == 400
    html = _html(response)
    assert 'class="field-error"' in html
    assert _textarea(html, "raw") == raw
    assert _count(app, Topic) == 0


def test_unknown_help_values_are_form_errors(app, client, make, member):
    help_category = make.category("Hilfe", read_level="members", kind="help")
    data = {
        "category": help_category.id,
        "title": "Ein guter Titel",
        "raw": "Bitte helfen",
        "help_kind": "bribe",
        "municipality": "atlantis",
    }
    response = client.post("/new-topic", data=data)
    assert response.status_code == 400
    assert "Not a valid choice" in _html(response)
    assert _count(app, Topic) == 0


# --- CSRF ---------------------------------------------------------------------------------------


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def test_missing_csrf_token_keeps_the_text_and_offers_a_fresh_token(app, client, make, category):
    # Flask-WTF reads the setting per request; the login below goes through CSRF too.
    app.config["WTF_CSRF_ENABLED"] = True
    user = make.user("schreiberin")
    login_page = _html(client.get("/login"))
    response = client.post(
        "/login",
        data={"login": user.username, "password": make.password, "csrf_token": _token(login_page)},
    )
    assert response.status_code == 302

    data = {"category": category.id, "title": "Mein langer Titel", "raw": "Ein Text <b>&</b> mehr"}
    response = client.post("/new-topic", data=data)
    assert response.status_code == 400
    html = _html(response)
    assert _textarea(html, "raw") == data["raw"]
    assert _textarea(html, "title") == data["title"]
    assert f'<input type="hidden" name="category" value="{category.id}">' in html
    assert '<form method="post" action="/new-topic"' in html
    assert _count(app, Topic) == 0

    # One click sends it again, with the fresh token.
    response = client.post("/new-topic", data={**data, "csrf_token": _token(html)})
    assert response.status_code == 302
    assert _count(app, Topic) == 1


def test_wrong_csrf_token_is_refused(app, client, make, login_as, category):
    user = make.user()
    login_as(user)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        "/new-topic",
        data={"category": category.id, "title": "Ein Titel", "raw": "Text", "csrf_token": "x"},
    )
    assert response.status_code == 400
    assert "Please send again" in _html(response)
    assert _count(app, Topic) == 0


# --- Sizes, unknown pages, odd ids ----------------------------------------------------------------


def test_huge_request_body_gets_a_friendly_413(app, client, member, category):
    raw = "x" * (20 * 1024 * 1024)
    response = client.post(
        "/new-topic", data={"category": category.id, "title": "Riesig", "raw": raw}
    )
    assert response.status_code == 413
    html = _html(response)
    assert "too large" in html
    assert '<main id="main"' in html
    assert _count(app, Topic) == 0


def test_unknown_url_is_a_friendly_404_page(client):
    response = client.get("/gibt-es-nicht")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = _html(response)
    assert "Page not found" in html
    assert '<main id="main"' in html  # the site's layout, with navigation
    assert 'href="/latest"' in html


@pytest.mark.parametrize(
    "url",
    [
        "/t/slug/abc",
        "/t/slug/1/abc",
        "/t/slug/-1",
        "/c/slug/abc",
        "/p/abc",
        "/p/abc/revisions",
        "/p/1.5/edit",
        "/t/abc/reply",
    ],
)
def test_non_numeric_ids_are_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/t/slug/99999999999999999999",
        "/p/99999999999999999999/revisions",
        "/c/x/99999999999999999999",
    ],
)
def test_enormous_ids_are_404(client, url):
    assert client.get(url).status_code == 404


def test_enormous_reply_to_number_is_not_a_server_error(app, client, make, member, category):
    topic = make.topic(category=category)
    response = client.post(
        f"/t/{topic.id}/reply",
        data={"raw": "Eine Antwort", "reply_to_post_number": "99999999999999999999"},
    )
    assert response.status_code in (302, 400)


def test_help_status_without_a_value_is_400(client, make, member):
    category = make.category("Hilfe", read_level="members", kind="help")
    topic = make.topic(member, category, help_kind="offer", municipality="wesendorf")
    assert client.post(f"/t/{topic.id}/help-status", data={}).status_code == 400


def test_get_on_a_post_only_url_is_405(client, make, member, category):
    topic = make.topic(category=category)
    response = client.get(f"/t/{topic.id}/help-status")
    assert response.status_code == 405
    assert "This action is not possible here." in _html(response)


# --- Security headers ---------------------------------------------------------------------------


def test_every_answer_carries_a_strict_content_security_policy(app, client, member, category):
    responses = [
        client.get("/latest"),
        client.get("/gibt-es-nicht"),
        client.post("/new-topic", data={"category": category.id, "title": "", "raw": ""}),
        client.post("/new-topic", data={"raw": "x" * (9 * 1024 * 1024)}),
        client.get("/assets/categories.css"),
    ]
    assert [r.status_code for r in responses] == [200, 404, 400, 413, 200]
    for response in responses:
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
