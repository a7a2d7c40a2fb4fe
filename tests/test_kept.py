"""Text a guest typed, kept on the server under a key the session holds (forum/kept.py)."""

from datetime import timedelta

import sqlalchemy as sa
from flask import session

from forum import kept
from forum.extensions import db
from forum.kept import KeptText


def _rows() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(KeptText))


def test_one_kept_text_per_kind_and_session_taken_once(app):
    with app.test_request_context():
        kept.keep("interest", {"message": "erste"})
        kept.keep("interest", {"message": "zweite"})
        kept.keep("question", {"title": "Wer?"})
        assert _rows() == 2
        assert kept.has("interest") and kept.peek("interest") == {"message": "zweite"}
        assert kept.take("interest") == {"message": "zweite"}
        assert not kept.has("interest") and kept.take("interest") is None
        assert kept.peek("question") == {"title": "Wer?"} and _rows() == 1


def test_a_key_reads_only_its_own_kind_and_an_old_text_is_gone(app):
    with app.test_request_context():
        kept.keep("question", {"title": "Wer?"})
        session["kept.interest"] = session["kept.question"]  # a key moved to another kind
        assert kept.peek("interest") is None
        assert kept.take("interest") is None and _rows() == 0
    with app.test_request_context():
        kept.keep("question", {"title": "Alt"})
        row = db.session.scalar(sa.select(KeptText))
        row.created_at -= app.permanent_session_lifetime + timedelta(minutes=1)
        db.session.commit()
        assert kept.has("question") and kept.peek("question") is None
    with app.test_request_context():
        kept.keep("interest", {"message": "neu"})  # keeping another clears what expired
        assert _rows() == 1 and db.session.scalar(sa.select(KeptText.kind)) == "interest"


def test_a_response_that_leaves_the_session_alone_sets_no_cookie(app, client):
    # A guest with a kept text holds a permanent session. A late answer to a request
    # sent before she logged in (a stylesheet, a picture) would otherwise send her
    # guest's session back and so log her out (tests/browser/test_organisations_journey.py).
    with client.session_transaction() as guest_session:
        guest_session["kept.interest"] = "ein-schluessel"
        guest_session.permanent = True
    # Flask-Login marks a session it did not log in as not fresh, once.
    assert "Set-Cookie" in client.get("/").headers
    for path in ("/static/css/forum.css", "/", "/login", "/search"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, path
    with client.session_transaction() as guest_session:
        assert guest_session["kept.interest"] == "ein-schluessel"


def test_logging_in_makes_the_session_a_browser_session_again(app, client, make):
    # A guest's kept text made her session last a month; logged in without
    # "stay logged in", closing the browser must log her out (a shared computer).
    member = make.user("mitglied")
    with client.session_transaction() as guest_session:
        guest_session["kept.question"] = "ein-schluessel"
        guest_session.permanent = True
    response = client.post("/login", data={"login": "mitglied", "password": make.password})
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Expires" not in cookie
    with client.session_transaction() as member_session:
        assert member_session["kept.question"] == "ein-schluessel"
        assert member_session["_user_id"].split(":")[0] == str(member.id)
