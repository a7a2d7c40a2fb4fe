"""Routes answer with and without .json where Discourse does (forum/api/negotiation.py)."""

import pytest

from forum.auth import api_keys
from forum.extensions import db
from tests.conftest import login

JSON = "application/json; charset=utf-8"
WANTS_JSON = {"Accept": "application/json"}


@pytest.fixture
def world(make):
    public = make.category("Ehrenamt entdecken", read_level="public")
    members = make.category("Allgemeines", read_level="members")
    anna = make.user("anna")
    topic = make.topic(anna, public, "Lesepaten gesucht", "Wer liest vor?")
    secret = make.topic(anna, members, "Internes Geheimthema", "Nur für Mitglieder.")
    return anna, topic, secret


def test_json_only_paths_answer_json_to_anyone(client, world):
    _anna, topic, secret = world
    post_id = client.get(f"/t/{topic.id}.json").get_json()["post_stream"]["stream"][0]
    answer = client.get(f"/posts/{post_id}")
    assert answer.headers["Content-Type"] == JSON and answer.get_json()["id"] == post_id
    assert "Accept" in answer.headers["Vary"] and "Api-Key" in answer.headers["Vary"]
    shown = client.get(f"/t/{topic.id}/posts?post_ids[]={post_id}").get_json()
    assert shown["post_stream"]["posts"][0]["id"] == post_id
    guest = client.get("/session/current")
    assert guest.status_code == 404 and guest.get_data() == b""
    hidden = client.get(f"/t/{secret.id}/posts", headers=WANTS_JSON)
    assert hidden.status_code == 404 and "Geheimthema" not in hidden.get_data(as_text=True)


def test_pages_stay_pages_unless_json_is_preferred(app, client, world):
    anna, topic, secret = world
    page = client.get("/latest")
    assert page.mimetype == "text/html" and "Accept" in page.headers["Vary"]
    assert client.get("/latest", headers={"Accept": "text/html,*/*;q=0.8"}).mimetype == (
        "text/html"
    )
    listed = client.get("/latest", headers={"Accept": "application/json; charset=utf-8"})
    assert listed.headers["Content-Type"] == JSON
    assert [t["title"] for t in listed.get_json()["topic_list"]["topics"]] == ["Lesepaten gesucht"]
    topic_json = client.get(f"/t/{topic.slug}/{topic.id}", headers=WANTS_JSON).get_json()
    assert topic_json["title"] == "Lesepaten gesucht"
    assert client.get(f"/u/{anna.username}", headers=WANTS_JSON).get_json()["user"]["id"]
    # No page at /categories: a browser gets the 404 page, a client the list.
    assert client.get("/categories").mimetype == "text/html"
    assert "category_list" in client.get("/categories", headers=WANTS_JSON).get_json()
    refused = client.get("/notifications", headers=WANTS_JSON)
    assert refused.status_code == 403 and refused.get_json()["error_type"] == "not_logged_in"
    missing = client.get(f"/t/{secret.slug}/{secret.id}", headers=WANTS_JSON)
    assert missing.status_code == 404 and missing.get_json()["error_type"] == "not_found"
    assert client.get("/openapi").status_code == 404
    assert client.get("/latest.rss").mimetype == "application/rss+xml"


def test_a_key_asks_for_json(app, client, world):
    anna = world[0]
    with app.app_context():
        secret = api_keys.create_key(
            description="Test", user=db.session.merge(anna), read_only=True, created_by=None
        )[1]
    answer = client.get("/notifications", headers={"Api-Key": secret})
    assert answer.headers["Content-Type"] == JSON and "notifications" in answer.get_json()
    mine = client.get("/session/current", headers={"Api-Key": secret}).get_json()
    assert mine["current_user"]["username"] == "anna"


def test_a_session_reads_its_notifications_without_json(client, world):
    login(client, world[0])
    assert client.get("/notifications").mimetype == "text/html"
    assert "notifications" in client.get("/notifications", headers=WANTS_JSON).get_json()
    assert client.get("/session/current").get_json()["current_user"]["username"] == "anna"
