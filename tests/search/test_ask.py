"""Answers before questions, for guests: the landing page's question box shows
the answers first; when nothing fits, the question is kept through
registration, joining and approval and waits in the composer of "Fragen &
Antworten" (forum/boards/questions.py). Through the app, with real mail."""

import re

import pytest
import sqlalchemy as sa

from forum.boards.models import Topic
from forum.extensions import db
from forum.kept import KeptText
from forum.moderation.models import ReviewItem
from tests.conftest import login

PASSWORD = "lange genug 123"
QUESTION = "Brauche ich als Lesepatin ein Führungszeugnis?"


@pytest.fixture
def qa(make):
    category = make.category("Fragen & Antworten", slug="fragen-antworten", read_level="public")
    author = make.user("autorin")
    make.topic(author, category, "Führungszeugnis für die Jugendarbeit", "Im Bürgerbüro.")
    return category


def _link(message, path: str) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    text = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return re.search(rf"http://forum\.test({re.escape(path)}\S*)", text).group(1)


def test_a_guests_question_is_kept_through_joining(app, client, make, mailbox, qa, coordinator):
    landing = client.get("/").get_data(as_text=True)
    assert 'id="landing-q" name="q"' in landing and "Has your question been answered?" in landing

    # The answers first (no topic holds every word: those with some of them),
    # then the offer to ask after joining.
    page = client.get("/search", query_string={"q": QUESTION}).get_data(as_text=True)
    assert "Topics with some of these words" in page
    assert page.index("Führungszeugnis für die Jugendarbeit</a>") < page.index("Nothing fits?")
    assert "Become a member to ask" in page and "Join and ask" in page
    assert f'value="{QUESTION}"' in page
    response = client.post("/search/ask", data={"title": QUESTION})
    assert response.headers["Location"] == "/register"

    # Registration, confirmation by mail, the join request.
    register = client.get("/register").get_data(as_text=True)
    assert "Your question is kept." in register
    client.post(
        "/register",
        data={
            "username": "lesepatin",
            "email": "lese@example.org",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
        buffered=True,
    ).close()
    assert client.get(_link(mailbox.to("lese@example.org")[0], "/confirm/")).status_code == 302
    join = client.post("/join", data={"netiquette_version": "0", "accept_netiquette": "y"})
    assert join.headers["Location"] == "/join/waiting"
    client.post("/logout")

    # A moderator approves; the new member logs in (a new session: the cookie kept it).
    with app.app_context():
        item_id = db.session.scalar(sa.select(ReviewItem.id))
    moderator = app.test_client()
    login(moderator, coordinator)
    assert moderator.post(f"/review/{item_id}/approve", buffered=True).status_code == 302
    from tests.membership.conftest import load_user

    member = load_user(app, "lesepatin")
    login(client, member, PASSWORD)
    response = client.get("/")
    assert response.headers["Location"] == "/new-topic"
    composer = client.get("/new-topic").get_data(as_text=True)
    assert f'value="{QUESTION}"' in composer
    assert re.search(rf'<option selected value="{qa.id}">Fragen &amp; Antworten', composer)
    assert "Here is the question you typed before." in composer
    # Taken once: the next visit starts empty, the home page is the forum again.
    assert QUESTION not in client.get("/new-topic").get_data(as_text=True)
    assert client.get("/").status_code == 200


def test_members_ask_at_once_and_the_offer_follows_the_category(app, client, make, qa):
    login(client, make.user("anna"))
    page = client.get("/search", query_string={"q": "Xylophon"}).get_data(as_text=True)
    assert "Ask in “Fragen &amp; Antworten”" in page
    response = client.post("/search/ask", data={"title": "Xylophon?"})
    assert response.headers["Location"] == "/new-topic"
    assert 'value="Xylophon?"' in client.get("/new-topic").get_data(as_text=True)
    assert client.post("/search/ask", data={}).status_code == 302
    with app.app_context():
        db.session.get(type(qa), qa.id).write_level = "staff"
        db.session.commit()
    page = client.get("/search", query_string={"q": "Xylophon"}).get_data(as_text=True)
    assert "Nothing fits?" not in page
    response = client.post("/search/ask", data={"title": "X"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Topic)) == 1


def test_a_long_question_in_emoji_stays_out_of_the_cookie_and_arrives_whole(app, client, make, qa):
    """The question was kept in the session cookie: 200 emoji, written as \\uXXXX
    pairs, with the rest of a session neared the 4 KB a browser keeps."""
    question = "".join(chr(0x1F300 + (n * 37) % 0x2FF) for n in range(199)) + "?"
    response = client.post("/search/ask", data={"title": question})
    assert response.headers["Location"] == "/register"
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all(len(cookie.encode()) < 600 for cookie in cookies)
    login(client, make.user("anna"))
    composer = client.get("/new-topic").get_data(as_text=True)
    assert f'value="{question}"' in composer
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(KeptText)) == 0
