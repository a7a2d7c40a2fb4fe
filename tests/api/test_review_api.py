"""/review.json and PUT /review/{id}/perform/{action}: staff only, Discourse's
shape, the review pages' decisions and audit log entries."""

import pytest
import sqlalchemy as sa

from forum.auth import api_keys
from forum.boards.models import Post, Topic
from forum.extensions import db
from forum.membership import applications
from forum.moderation import services
from forum.moderation.models import AuditLog, ReviewItem
from forum.review.held import Draft, hold_post
from forum.users.models import Role, User
from tests.conftest import login
from tests.test_plugin_system import build  # noqa: F401 (the fixture)

JSON = "application/json; charset=utf-8"


def _key(app, user, read_only: bool = False) -> dict:
    with app.app_context():
        secret = api_keys.create_key(
            description="Test", user=db.session.merge(user), read_only=read_only, created_by=None
        )[1]
    return {"Api-Key": secret}


@pytest.fixture
def queue(app, make):
    """A held reply, a held new topic, a flagged post and a join request."""
    public = make.category("Ehrenamt entdecken", read_level="public")
    anna = make.user("anna")
    topic = make.topic(anna, public, "Lesepaten gesucht", "Wer liest vor?")
    reply = make.post(topic, make.user("bernd"), "Eine freche Antwort.", reply_to_post_number=1)
    newbie = make.user("neu")
    applicant = make.user("bewerber", role="applicant")
    flagger = make.user("melderin")
    with app.app_context():
        author = db.session.get(User, newbie.id)
        held_reply = hold_post(
            author, Draft(raw="GEHALTENE Antwort", category_id=public.id, topic_id=topic.id), "x"
        )
        held_topic = hold_post(
            author,
            Draft(raw="Ein gehaltenes Thema.", category_id=public.id, title="Gehaltenes Thema"),
            "new_member",
        )
        flagged = services.flag_post(
            db.session.get(User, flagger.id), db.session.get(Post, reply.id), "spam"
        )
        join = applications.submit_application(
            db.session.get(User, applicant.id), [{"question": "Warum?", "answer": "Gern."}], 1
        )
        ids = {
            "held_reply": held_reply.id,
            "held_topic": held_topic.id,
            "flagged": flagged.id,
            "join": join.id,
            "reply_post": reply.id,
        }
    return ids


def _audit(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))


def test_only_staff_see_the_queue(app, client, make, queue):
    guest = client.get("/review.json")
    assert guest.status_code == 403 and guest.get_json()["error_type"] == "not_logged_in"
    member = make.user("mitglied")
    for headers in (_key(app, member), {}):
        if not headers:
            login(client, member)
        answer = client.get("/review.json", headers=headers)
        assert answer.status_code == 403 and answer.headers["Content-Type"] == JSON
        assert "GEHALTENE" not in answer.get_data(as_text=True)
        done = client.put(f"/review/{queue['held_reply']}/perform/approve_post", headers=headers)
        assert done.status_code == 403
    with app.app_context():
        assert db.session.get(ReviewItem, queue["held_reply"]).status == "pending"


def test_the_list_in_discourse_shape(app, client, coordinator, queue):
    headers = _key(app, coordinator, read_only=True)
    data = client.get("/review.json", headers=headers).get_json()
    by_id = {r["id"]: r for r in data["reviewables"]}
    assert by_id[queue["held_reply"]]["type"] == "ReviewableQueuedPost"
    assert by_id[queue["held_reply"]]["payload"]["raw"] == "GEHALTENE Antwort"
    assert by_id[queue["held_reply"]]["bundled_action_ids"] == ["approve_post", "reject_post"]
    flagged = by_id[queue["flagged"]]
    assert flagged["type"] == "ReviewableFlaggedPost" and flagged["status"] == 0
    assert flagged["post_id"] == queue["reply_post"]
    assert [s["score_type"] for s in flagged["reviewable_scores"]] == [8]
    assert "delete_and_agree" in flagged["bundled_action_ids"]
    join = by_id[queue["join"]]
    assert join["type"] == "ReviewableUser" and join["payload"]["username"] == "bewerber"
    assert {"melderin", "bewerber", "neu"} <= {u["username"] for u in data["users"]}
    assert {a["id"] for a in data["reviewable_actions"]} >= {"approve_user", "reject_user"}
    only_users = client.get("/review.json?type=ReviewableUser", headers=headers).get_json()
    assert [r["id"] for r in only_users["reviewables"]] == [queue["join"]]
    assert (
        client.get("/review.json?status=approved", headers=headers).get_json()["reviewables"] == []
    )
    assert client.get("/review.json?type=Kaputt", headers=headers).status_code == 422
    # Without .json, asked for JSON (as Discourse's clients do).
    bare = client.get("/review", headers={**headers, "Accept": "application/json"})
    assert bare.headers["Content-Type"] == JSON and len(bare.get_json()["reviewables"]) == 4
    # A read-only key may not decide.
    refused = client.put(f"/review/{queue['join']}/perform/approve_user", headers=headers)
    assert refused.status_code == 403


def test_decisions_are_the_pages_decisions(app, client, coordinator, queue):
    headers = _key(app, coordinator)
    approved = client.put(
        f"/review/{queue['held_topic']}/perform/approve_post.json?version=0", headers=headers
    )
    assert approved.status_code == 200, approved.get_data(as_text=True)
    result = approved.get_json()
    assert result["success"] is True and result["transition_to"] == "approved"
    assert result["transition_to_id"] == 1 and result["remove_reviewable_ids"] == [
        queue["held_topic"]
    ]
    with app.app_context():
        topic = db.session.get(Topic, result["created_post_topic_id"])
        assert topic.title == "Gehaltenes Thema"
    no_reason = client.put(f"/review/{queue['held_reply']}/perform/reject_post", headers=headers)
    assert no_reason.status_code == 422 and no_reason.get_json()["error_type"] == (
        "invalid_parameters"
    )
    rejected = client.put(
        f"/review/{queue['held_reply']}/perform/reject_post",
        json={"reject_reason": "Bitte freundlicher."},
        headers=headers,
    )
    assert rejected.get_json()["transition_to"] == "rejected"
    wrong = client.put(f"/review/{queue['flagged']}/perform/approve_user", headers=headers)
    assert wrong.status_code == 403 and wrong.get_json()["error_type"] == "invalid_access"
    hidden = client.put(f"/review/{queue['flagged']}/perform/agree_and_hide", headers=headers)
    assert hidden.get_json()["transition_to"] == "approved"
    again = client.put(f"/review/{queue['flagged']}/perform/disagree", headers=headers)
    assert again.status_code == 409 and "koordination" in again.get_json()["errors"][0]
    user = client.put(f"/review/{queue['join']}/perform/approve_user", headers=headers)
    assert user.get_json()["reviewable_count"] == 0
    with app.app_context():
        assert db.session.get(Post, queue["reply_post"]).hidden_at is not None
        applicant = db.session.scalar(sa.select(User).where(User.username == "bewerber"))
        assert applicant.role == Role.MEMBER
    assert _audit(app)[-4:] == [
        "approve_post",
        "reject_post",
        "flags_agree_hide",
        "approve_application",
    ]
    assert client.put("/review/999999/perform/approve_post", headers=headers).status_code == 404


def test_a_session_needs_its_csrf_token(app, client, coordinator, queue):
    login(client, coordinator)
    app.config["WTF_CSRF_ENABLED"] = True
    refused = client.put(f"/review/{queue['join']}/perform/approve_user.json")
    assert refused.status_code == 403 and refused.get_json()["error_type"] == "csrf"
    bare = client.put(f"/review/{queue['join']}/perform/approve_user")
    assert bare.status_code in (400, 403)
    with app.app_context():
        assert db.session.get(ReviewItem, queue["join"]).status == "pending"


def test_a_plugins_review_kind_keeps_its_action_names(build):  # noqa: F811 (the fixture)
    """A plugin's kind is ReviewableMeldung; its action "dismiss" is the page's."""
    import sys

    from tests.test_plugin_system import REVIEW_KIND, _world

    app = build({"meldungen": REVIEW_KIND})
    _make, _member, moderator, *_rest = _world(app)
    with app.app_context():
        item_id = services.add_review_item("meldung", payload={"was": "Sommerfest"}).id
    headers = _key(app, moderator)
    client = app.test_client()
    [listed] = client.get("/review.json?type=ReviewableMeldung", headers=headers).get_json()[
        "reviewables"
    ]
    assert listed["id"] == item_id and listed["bundled_action_ids"] == ["dismiss"]
    assert client.put(f"/review/{item_id}/perform/approve_post", headers=headers).status_code == 403
    done = client.put(f"/review/{item_id}/perform/dismiss", headers=headers)
    # The queue counts a plugin's decision as done, not approved (forum/review/queue.py).
    assert done.status_code == 200 and done.get_json()["transition_to"] == "rejected"
    assert sys.modules["forum_plugins.meldungen"].DONE == [("koordination", "Sommerfest")]
    assert _audit(app)[-1] == "meldung_dismiss"
