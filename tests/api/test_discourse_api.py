"""The Discourse-shaped JSON endpoints: reads, writes, errors, by the pages' rules."""

import pytest

from forum.auth import api_keys
from forum.extensions import db
from tests.conftest import login

JSON = "application/json; charset=utf-8"


@pytest.fixture
def places(make):
    public = make.category("Ehrenamt entdecken", read_level="public")
    members = make.category("Allgemeines", read_level="members")
    return public, members


@pytest.fixture
def world(make, places):
    public, members = places
    anna = make.user("anna", display_name="Anna Becker")
    open_topic = make.topic(anna, public, "Lesepaten gesucht", "Wer liest **vor**?")
    make.post(open_topic, make.user("bernd"), "Ich helfe gern.", reply_to_post_number=1)
    secret = make.topic(anna, members, "Internes Geheimthema", "Nur für Mitglieder.")
    return open_topic, secret


def _key(app, user) -> dict:
    with app.app_context():
        secret = api_keys.create_key(
            description="Test", user=db.session.merge(user), read_only=False, created_by=None
        )[1]
    return {"Api-Key": secret, "Api-Username": user.username}


def test_latest_pages_and_orders(client, make, places):
    public, _members = places
    author = make.user("anna")
    for n in range(3):
        make.topic(author, public, f"Thema Nummer {n}", "Ein Text mit genug Länge.")
    answer = client.get("/latest.json?per_page=2&order=created&ascending=true")
    assert answer.headers["Content-Type"] == JSON
    data = answer.get_json()["topic_list"]
    assert [t["title"] for t in data["topics"]] == ["Thema Nummer 0", "Thema Nummer 1"]
    assert data["more_topics_url"] == "/latest.json?page=1"
    second = client.get("/latest.json?per_page=2&order=created&ascending=true&page=1").get_json()
    assert [t["title"] for t in second["topic_list"]["topics"]] == ["Thema Nummer 2"]
    assert client.get("/latest.json?page=kaputt&per_page=-5&order=x").status_code == 200


def test_categories_and_category_lists(client, world, places):
    public, members = places
    names = [
        c["name"] for c in client.get("/categories.json").get_json()["category_list"]["categories"]
    ]
    assert names == ["Ehrenamt entdecken"]
    shown = client.get(f"/c/{public.id}/show.json").get_json()["category"]
    assert shown["slug"] == public.slug and shown["read_restricted"] is False
    missing = client.get(f"/c/{members.id}/show.json")
    assert missing.status_code == 404 and missing.get_json()["error_type"] == "not_found"
    assert missing.headers["Content-Type"] == JSON
    listed = client.get(f"/c/{public.id}.json").get_json()["topic_list"]["topics"]
    assert [t["title"] for t in listed] == ["Lesepaten gesucht"]


def test_topic_stream_and_posts(client, world):
    open_topic, secret = world
    data = client.get(f"/t/{open_topic.slug}/{open_topic.id}.json").get_json()
    stream = data["post_stream"]["stream"]
    assert len(stream) == 2 and [p["id"] for p in data["post_stream"]["posts"]] == stream
    assert data["details"]["created_by"]["username"] == "anna"
    posts = client.get(f"/t/{open_topic.id}/posts.json?post_ids[]={stream[1]}&post_ids[]=x")
    assert [p["post_number"] for p in posts.get_json()["post_stream"]["posts"]] == [2]
    post = client.get(f"/posts/{stream[0]}.json").get_json()
    assert post["cooked"] == "<p>Wer liest <strong>vor</strong>?</p>" and "raw" not in post
    assert client.get(f"/t/{secret.id}.json").status_code == 404
    secret_post = client.get(f"/t/{secret.id}.json")
    assert "Geheimthema" not in secret_post.get_data(as_text=True)


def test_raw_for_those_who_may_edit(client, make, world):
    open_topic, _secret = world
    login(client, db_user(make, "anna"))
    post = client.get(f"/posts/{first_post_id(client, open_topic)}.json").get_json()
    assert post["raw"] == "Wer liest **vor**?" and post["can_edit"] is True


def db_user(make, username):
    from forum.auth.accounts import get_user_by_username

    with make.app.app_context():
        return get_user_by_username(username)


def first_post_id(client, topic) -> int:
    return client.get(f"/t/{topic.id}.json").get_json()["post_stream"]["stream"][0]


def test_session_current_and_users(client, make, world):
    guest = client.get("/session/current.json")
    assert guest.status_code == 404 and guest.get_data() == b""
    carla = make.user("carla", role="admin")
    login(client, carla)
    me = client.get("/session/current.json").get_json()["current_user"]
    assert me["username"] == "carla" and me["admin"] is True
    assert client.get("/users/anna.json").get_json()["user"]["name"] == "Anna Becker"
    assert client.get("/users/niemand.json").status_code == 404


def test_create_topic_reply_edit_like_delete_with_a_key(app, client, make, world, places):
    public, _members = places
    open_topic, _secret = world
    headers = _key(app, db_user(make, "bernd"))
    created = client.post(
        "/posts.json",
        headers=headers,
        data={
            "title": "Neues Thema aus der API",
            "raw": "Ein Text aus einem Skript.",
            "category": public.id,
        },
    )
    assert created.status_code == 200, created.get_data(as_text=True)
    post = created.get_json()
    assert post["post_number"] == 1 and post["username"] == "bernd"
    reply = client.post(
        "/posts",
        headers=headers,
        json={
            "topic_id": open_topic.id,
            "raw": "Eine Antwort per JSON.",
            "reply_to_post_number": 1,
        },
    )
    assert reply.status_code == 200 and reply.get_json()["post_number"] == 3
    edited = client.put(
        f"/posts/{reply.get_json()['id']}.json",
        headers=headers,
        data={"post[raw]": "Eine geänderte Antwort.", "post[edit_reason]": "Tippfehler"},
    )
    assert edited.get_json()["post"]["raw"] == "Eine geänderte Antwort."
    first = first_post_id(client, open_topic)
    liked = client.post(
        "/post_actions.json", headers=headers, data={"id": first, "post_action_type_id": 2}
    )
    assert liked.status_code == 200 and liked.get_json()["actions_summary"][0]["acted"] is True
    again = client.post(
        "/post_actions.json", headers=headers, data={"id": first, "post_action_type_id": 2}
    )
    assert again.status_code == 403
    deleted = client.delete(f"/posts/{reply.get_json()['id']}.json", headers=headers)
    assert deleted.status_code == 200
    refused = client.delete(f"/posts/{first}.json", headers=headers)
    assert refused.status_code == 403 and refused.get_json()["error_type"] == "invalid_access"


def test_invalid_posts_answer_422(app, client, make, world, places):
    public, _members = places
    headers = _key(app, make.user("carla"))
    short = client.post(
        "/posts.json", headers=headers, data={"title": "x", "raw": "y", "category": public.id}
    )
    assert short.status_code == 422 and short.get_json()["error_type"] == "invalid_parameters"
    nowhere = client.post(
        "/posts.json",
        headers=headers,
        data={"title": "Ein Titel hier", "raw": "Text genug.", "category": "kaputt"},
    )
    assert nowhere.status_code == 422
    guest = client.post("/posts.json", data={"raw": "Hallo"})
    assert guest.status_code == 403 and guest.get_json()["error_type"] == "not_logged_in"


def test_a_held_post_answers_as_enqueued(app, client, make, world, places):
    public, _members = places
    body = {"title": "Ein Titel für alle", "raw": "Ein Text mit Länge.", "category": public.id}
    # A new member's first post waits for a moderator (the forum's holding rules).
    held = client.post("/posts.json", headers=_key(app, make.user("carla")), data=body)
    assert held.status_code == 200
    answer = held.get_json()
    assert answer["action"] == "enqueued" and answer["pending_post"]["raw"] == body["raw"]
    assert "Ein Titel für alle" not in client.get("/latest.json").get_data(as_text=True)
    # An applicant may not post at all.
    refused = client.post(
        "/posts.json", headers=_key(app, make.user("neu", role="applicant")), data=body
    )
    assert refused.status_code == 403


def test_topic_status_for_staff(app, client, make, world):
    open_topic, _secret = world
    member = _key(app, make.user("carla"))
    assert (
        client.put(
            f"/t/{open_topic.id}/status.json",
            headers=member,
            data={"status": "closed", "enabled": "true"},
        ).status_code
        == 403
    )
    staff = _key(app, make.user("mod", role="moderator"))
    answer = client.put(
        f"/t/{open_topic.id}/status.json",
        headers=staff,
        data={"status": "closed", "enabled": "true"},
    )
    assert answer.status_code == 200 and answer.get_json()["success"] == "OK"
    assert client.get(f"/t/{open_topic.id}.json").get_json()["closed"] is True
    bad = client.put(f"/t/{open_topic.id}/status.json", headers=staff, data={"status": "kaputt"})
    assert bad.status_code == 422


def test_search_json_by_the_pages_rules(client, make, world):
    found = client.get("/search.json?q=Lesepaten").get_json()
    assert [t["title"] for t in found["topics"]] == ["Lesepaten gesucht"]
    assert found["grouped_search_result"]["term"] == "Lesepaten"
    assert client.get("/search.json?q=Geheimthema").get_json()["topics"] == []
    login(client, make.user("carla"))
    member = client.get("/search.json?q=Geheimthema").get_json()
    assert [t["title"] for t in member["topics"]] == ["Internes Geheimthema"]
    assert client.get("/search.json").get_json()["posts"] == []


def test_watched_words_apply_to_the_api(app, client, make, world):
    from forum.moderation.models import WatchedWord, WatchedWordAction

    open_topic, _secret = world
    with app.app_context():
        db.session.add(WatchedWord(word="verboten", action=WatchedWordAction.BLOCK))
        db.session.commit()
    headers = _key(app, db_user(make, "bernd"))
    refused = client.post(
        "/posts.json",
        headers=headers,
        data={"topic_id": open_topic.id, "raw": "Das ist ein verboten langer Text."},
    )
    assert refused.status_code == 422 and refused.get_json()["error_type"] == "invalid_parameters"
    assert "verboten" not in client.get(f"/t/{open_topic.id}.json").get_data(as_text=True)
