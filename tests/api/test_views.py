"""The JSON API answers in Discourse's shape and by the same permission rules."""

import pytest

from tests.conftest import login


@pytest.fixture
def places(make):
    public = make.category("Ehrenamt entdecken", read_level="public")
    members = make.category("Allgemeines", read_level="members")
    return public, members


def test_latest_json_lists_topics_in_discourse_shape(client, make, places):
    public, _members = places
    author = make.user("anna", display_name="Anna Becker")
    topic = make.topic(author, public, "Wie werde ich Lesepatin?", "Gibt es Schulungen?")
    data = client.get("/latest.json").get_json()
    [listed] = data["topic_list"]["topics"]
    assert listed["id"] == topic.id and listed["title"] == "Wie werde ich Lesepatin?"
    assert listed["posts_count"] == 1 and listed["category_id"] == public.id
    assert data["users"] == [{**data["users"][0], "username": "anna", "name": "Anna Becker"}]
    assert data["topic_list"]["more_topics_url"] is None


def test_topic_json_has_the_post_stream(client, make, places):
    public, _members = places
    author, other = make.user("anna"), make.user("bernd")
    topic = make.topic(author, public, "Fahrdienst gesucht", "Wer fährt **mittwochs**?")
    make.post(topic, other, "Ich kann das.", reply_to_post_number=1)
    data = client.get(f"/t/{topic.id}.json").get_json()
    posts = data["post_stream"]["posts"]
    assert [p["post_number"] for p in posts] == [1, 2]
    assert posts[0]["cooked"] == "<p>Wer fährt <strong>mittwochs</strong>?</p>"
    assert posts[1]["reply_to_post_number"] == 1 and posts[1]["username"] == "bernd"


def test_members_content_is_404_for_guests_and_shown_to_members(client, make, places):
    _public, members = places
    member = make.user("carla")
    topic = make.topic(member, members, "Nur für Mitglieder", "Geheimer Text")
    assert client.get(f"/t/{topic.id}.json").status_code == 404
    assert client.get(f"/c/allgemeines/{members.id}.json").status_code == 404
    assert client.get("/latest.json").get_json()["topic_list"]["topics"] == []
    login(client, member)
    assert client.get(f"/t/{topic.id}.json").get_json()["title"] == "Nur für Mitglieder"
    listed = client.get(f"/c/allgemeines/{members.id}.json").get_json()
    assert [t["id"] for t in listed["topic_list"]["topics"]] == [topic.id]


def test_hidden_posts_have_no_text_for_other_readers(app, client, make, places):
    from forum.boards.models import Post
    from forum.db import utcnow
    from forum.extensions import db

    public, _members = places
    topic = make.topic(make.user("anna"), public, "Ein Thema mit Meldung", "Erster Beitrag")
    reply = make.post(topic, make.user("bernd"), "Gemeldeter Text")
    with app.app_context():
        db.session.get(Post, reply.id).hidden_at = utcnow()
        db.session.commit()
    posts = client.get(f"/t/{topic.id}.json").get_json()["post_stream"]["posts"]
    assert posts[1]["hidden"] is True and posts[1]["cooked"] == ""


def test_user_json(client, make):
    make.user("dora", display_name="Dora Muster")
    data = client.get("/u/dora.json").get_json()["user"]
    assert data["username"] == "dora" and data["name"] == "Dora Muster"
    assert "email" not in data and "password_hash" not in data
    assert client.get("/u/niemand.json").status_code == 404
