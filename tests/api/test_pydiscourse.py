"""A real Discourse client library (pydiscourse) against the running forum."""

import threading

import pytest
from pydiscourse import DiscourseClient
from pydiscourse.exceptions import DiscourseClientError
from werkzeug.serving import make_server

from forum.auth import api_keys
from forum.extensions import db


@pytest.fixture
def server(app):
    live = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=live.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{live.server_port}"
    live.shutdown()
    thread.join(timeout=10)
    live.server_close()


@pytest.fixture
def forum(app, make):
    public = make.category("Ehrenamt entdecken", read_level="public")
    members = make.category("Allgemeines", read_level="members")
    anna = make.user("anna", display_name="Anna Becker")
    make.user("admin", role="admin")
    topic = make.topic(anna, public, "Lesepaten gesucht", "Wer liest Kindern vor?")
    make.post(topic, make.user("bernd"), "Ich helfe gern mit.", reply_to_post_number=1)
    make.topic(anna, members, "Internes Geheimthema", "Nur für Mitglieder.")
    with app.app_context():
        from forum.auth.accounts import get_user_by_username

        member_key = api_keys.create_key(
            description="Bot", user=get_user_by_username("anna"), read_only=False, created_by=None
        )[1]
        admin_key = api_keys.create_key(
            description="Alle", user=None, read_only=False, created_by=None
        )[1]
        db.session.commit()
    return {"public": public, "members": members, "topic": topic,
            "member_key": member_key, "admin_key": admin_key}  # fmt: skip


def _titles(topics) -> set[str]:
    return {t["title"] for t in topics["topic_list"]["topics"]}


def test_a_member_lists_reads_writes_likes_searches(server, forum):
    client = DiscourseClient(server, api_username="anna", api_key=forum["member_key"])
    assert _titles(client.latest_topics()) == {"Lesepaten gesucht", "Internes Geheimthema"}
    topic = forum["topic"]
    read = client.topic(topic.slug, topic.id)
    assert [p["post_number"] for p in read["post_stream"]["posts"]] == [1, 2]

    created = client.create_post(
        "Wir suchen Fahrerinnen für den Bürgerbus.",
        category_id=forum["public"].id,
        title="Fahrdienst am Mittwoch",
    )
    assert created["post_number"] == 1 and created["username"] == "anna"
    reply = client.create_post("Ich kann mittwochs fahren.", topic_id=created["topic_id"])
    assert reply["post_number"] == 2

    second = read["post_stream"]["posts"][1]
    liked = client._post("/post_actions", id=second["id"], post_action_type_id=2)
    assert liked["actions_summary"][0]["acted"] is True

    found = client.search("Lesepaten")
    assert "Lesepaten gesucht" in {t["title"] for t in found["topics"]}
    notifications = client._get("/notifications.json")
    assert isinstance(notifications["notifications"], list)
    assert client.categories()[0]["name"] in {"Ehrenamt entdecken", "Allgemeines"}


def test_an_admin_key_for_all_users(server, forum):
    admin = DiscourseClient(server, api_username="admin", api_key=forum["admin_key"])
    assert "Internes Geheimthema" in _titles(admin.latest_topics())
    assert admin.user("anna")["name"] == "Anna Becker"
    topic = forum["topic"]
    admin.update_topic_status(topic.id, "closed", True)
    assert admin.topic(topic.slug, topic.id)["closed"] is True
    # Bernd's reply gets a like from anna through the same key (Api-Username picks her).
    as_anna = DiscourseClient(server, api_username="anna", api_key=forum["admin_key"])
    assert as_anna._get("/session/current.json")["current_user"]["username"] == "anna"


def test_a_guest_sees_public_content_only(server, forum):
    guest = DiscourseClient(server, api_username="", api_key="")
    guest_topics = guest._get("/latest.json")
    assert _titles(guest_topics) == {"Lesepaten gesucht"}
    assert [t["title"] for t in guest.search("Geheimthema")["topics"]] == []
    with pytest.raises(DiscourseClientError):
        guest.create_post("Hallo", category_id=forum["public"].id, title="Ein Gast schreibt")


def test_staff_work_the_review_queue(app, server, forum):
    """A flag and a held reply, decided through pydiscourse's raw requests (it has
    no review methods), with and without .json."""
    from forum.auth.accounts import get_user_by_username
    from forum.review.held import Draft, hold_post

    with app.app_context():
        held = hold_post(
            get_user_by_username("bernd"),
            Draft(raw="Eine gehaltene Antwort.", category_id=forum["public"].id,
                  topic_id=forum["topic"].id),
            "new_member",
        ).id  # fmt: skip
    member = DiscourseClient(server, api_username="anna", api_key=forum["member_key"])
    second = member.topic(forum["topic"].slug, forum["topic"].id)["post_stream"]["posts"][1]
    member._post("/post_actions.json", id=second["id"], post_action_type_id=8)
    with pytest.raises(DiscourseClientError):
        member._get("/review.json")

    admin = DiscourseClient(server, api_username="admin", api_key=forum["admin_key"])
    queue = admin._get("/review")["reviewables"]
    types = {r["type"]: r for r in queue}
    assert set(types) == {"ReviewableFlaggedPost", "ReviewableQueuedPost"}
    assert types["ReviewableFlaggedPost"]["post_id"] == second["id"]
    approved = admin._put(f"/review/{held}/perform/approve_post", version=0)
    assert approved["transition_to"] == "approved" and approved["created_post_id"]
    flag = types["ReviewableFlaggedPost"]["id"]
    done = admin._put(f"/review/{flag}/perform/disagree.json", version=0)
    assert done["transition_to"] == "rejected" and done["reviewable_count"] == 0
    with pytest.raises(DiscourseClientError):
        admin._put(f"/review/{flag}/perform/ignore", version=0)
    assert admin._get("/review.json")["reviewables"] == []
