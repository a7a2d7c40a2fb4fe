"""The same form sent twice creates once: a submission key per rendered form."""

import re
import sqlite3
import threading
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.boards.models import Post, PostRevision, Topic
from forum.db import utcnow
from forum.extensions import db
from forum.idempotency import Submission
from forum.membership.models import MembershipApplication
from forum.moderation.models import Flag
from tests.conftest import counting_statements, login


@pytest.fixture
def app_config(app_config):
    app_config["HOLD_FIRST_POSTS"] = 0  # published at once; holding is moderation's topic
    return app_config


@pytest.fixture
def category(make):
    return make.category("Austausch")


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _key(html: str) -> str:
    match = re.search(r'<input type="hidden" name="submission_key" value="([0-9a-f]{32})">', html)
    assert match, "the form carries no submission key"
    return match.group(1)


def _topic(client, category, key: str, title: str = "Wer hilft beim Umzug?"):
    data = {
        "category": category.id,
        "title": title,
        "raw": "Am Samstag brauchen wir Hilfe.",
        "submission_key": key,
    }
    return client.post("/new-topic", data=data)


def test_each_rendered_form_has_its_own_key(app, client, member, category, make):
    first = _key(client.get("/new-topic").get_data(as_text=True))
    second = _key(client.get("/new-topic").get_data(as_text=True))
    assert first != second
    topic = make.topic(author=member, category=category)
    reply = make.post(topic)
    with app.app_context():
        first_post = sa.select(Post.id).where(Post.topic_id == topic.id, Post.post_number == 1)
        post_id = db.session.scalar(first_post)
    for page in (
        f"/t/{topic.slug}/{topic.id}",
        f"/t/{topic.id}/reply",
        f"/p/{post_id}/edit",
        f"/p/{reply.id}/flag",
    ):
        assert _key(client.get(page, follow_redirects=True).get_data(as_text=True)), page


def test_the_same_topic_form_twice_makes_one_topic(app, client, member, category):
    key = _key(client.get("/new-topic").get_data(as_text=True))
    first = _topic(client, category, key)
    assert first.status_code == 302
    again = _topic(client, category, key)
    assert again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert _count(app, Topic) == 1
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "This was sent already; here is the result." in page


def test_different_keys_make_two_topics(app, client, member, category):
    assert _topic(client, category, uuid.uuid4().hex).status_code == 302
    assert _topic(client, category, uuid.uuid4().hex).status_code == 302
    assert _count(app, Topic) == 2


def test_without_a_key_nothing_changes(app, client, member, category):
    data = {"category": category.id, "title": "Ohne Schlüssel gesendet", "raw": "Text hier."}
    assert client.post("/new-topic", data=data).status_code == 302
    assert client.post("/new-topic", data=data).status_code == 302
    assert _count(app, Topic) == 2
    assert _count(app, Submission) == 0


def test_an_expired_key_posts_again(app, client, member, category):
    key = uuid.uuid4().hex
    _topic(client, category, key)
    with app.app_context():
        old = utcnow() - timedelta(seconds=app.config["SUBMISSION_KEY_MAX_AGE"] + 1)
        db.session.execute(sa.update(Submission).values(created_at=old))
        db.session.commit()
    assert _topic(client, category, key).status_code == 302
    assert _count(app, Topic) == 2


def test_another_members_key_does_nothing_for_them(app, client, member, category, make):
    key = uuid.uuid4().hex
    first = _topic(client, category, key)
    client.post("/logout")
    login(client, make.user("zweite"))
    second = _topic(client, category, key, title="Ein anderes Thema")
    assert second.status_code == 302
    assert second.headers["Location"] != first.headers["Location"]
    assert _count(app, Topic) == 2


def test_a_refused_form_keeps_its_key_unused(app, client, member, category):
    key = uuid.uuid4().hex
    assert _topic(client, category, key, title="").status_code == 400
    data = {"category": category.id, "title": "Jetzt mit Titel", "raw": "Text.", "preview": "1"}
    assert client.post("/new-topic", data={**data, "submission_key": key}).status_code == 200
    assert _topic(client, category, key, title="Jetzt mit Titel").status_code == 302
    assert _count(app, Topic) == 1


def test_the_same_reply_twice_makes_one_post(app, client, member, category, make):
    topic = make.topic(category=category)
    key = _key(client.get(f"/t/{topic.slug}/{topic.id}").get_data(as_text=True))
    data = {"raw": "Ich kann am Samstag helfen.", "submission_key": key}
    first = client.post(f"/t/{topic.id}/reply", data=data)
    again = client.post(f"/t/{topic.id}/reply", data=data)
    assert (first.status_code, again.status_code) == (302, 303)
    assert again.headers["Location"] == first.headers["Location"]
    assert _count(app, Post) == 2  # the first post and one reply


def test_the_same_edit_twice_makes_one_revision(app, client, member, category, make):
    topic = make.topic(author=member, category=category)
    with app.app_context():
        post_id = db.session.scalar(sa.select(Post.id).where(Post.topic_id == topic.id))
    key = _key(client.get(f"/p/{post_id}/edit").get_data(as_text=True))
    data = {"title": topic.title, "raw": "Neuer Text für den Beitrag.", "submission_key": key}
    first = client.post(f"/p/{post_id}/edit", data=data)
    again = client.post(f"/p/{post_id}/edit", data=data)
    assert (first.status_code, again.status_code) == (302, 303)
    assert _count(app, PostRevision) == 1


def test_the_same_flag_twice_is_one_flag(app, client, member, category, make):
    topic = make.topic(category=category)
    reply = make.post(topic)
    key = _key(client.get(f"/p/{reply.id}/flag").get_data(as_text=True))
    data = {"reason": "spam", "submission_key": key}
    first = client.post(f"/p/{reply.id}/flag", data=data)
    again = client.post(f"/p/{reply.id}/flag", data=data)
    assert (first.status_code, again.status_code) == (302, 303)
    assert again.headers["Location"] == first.headers["Location"]
    assert _count(app, Flag) == 1


def test_the_same_application_twice_is_one_application(app, client, make):
    login(client, make.user("neu", role="applicant"))
    html = client.get("/join").get_data(as_text=True)
    version = re.search(r'name="netiquette_version" type="hidden" value="(\d+)"', html).group(1)
    data = {"netiquette_version": version, "accept_netiquette": "y", "submission_key": _key(html)}
    first = client.post("/join", data=data)
    again = client.post("/join", data=data)
    assert (first.status_code, again.status_code) == (302, 303)
    assert again.headers["Location"] == first.headers["Location"] == "/join/waiting"
    assert _count(app, MembershipApplication) == 1


def test_two_sent_at_once_make_one_topic(app, member, category):
    """A double click: both requests arrive together; one posts, both lead to its page."""
    clients = [app.test_client() for _ in range(2)]
    for one in clients:
        login(one, member)
    key = uuid.uuid4().hex
    barrier = threading.Barrier(2)
    answers = [None, None]

    def send(index: int) -> None:
        barrier.wait()
        answers[index] = _topic(clients[index], category, key)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answer.status_code for answer in answers) == [302, 303]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    assert _count(app, Topic) == 1


def test_a_repeat_while_the_first_is_stuck_is_told_to_wait(
    app, client, member, category, monkeypatch
):
    from forum import idempotency

    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.3)
    key = uuid.uuid4().hex
    with app.app_context():  # a first request that claimed the key and has not finished
        db.session.add(Submission(user_id=member.id, key=key, created_at=utcnow()))
        db.session.commit()
    response = _topic(client, category, key)
    assert response.status_code == 409
    assert "This form is being sent already." in response.get_data(as_text=True)
    assert _count(app, Topic) == 0


def test_stored_results_clear_out_expired_keys(app, client, member, category, monkeypatch):
    from forum import idempotency

    monkeypatch.setattr(idempotency, "CLEAN_EVERY", 1)
    with app.app_context():  # a key used long ago by someone else
        old = utcnow() - timedelta(seconds=app.config["SUBMISSION_KEY_MAX_AGE"] + 1)
        db.session.add(Submission(user_id=member.id, key=uuid.uuid4().hex, created_at=old))
        db.session.commit()
    assert _topic(client, category, uuid.uuid4().hex).status_code == 302
    assert _count(app, Submission) == 1  # the new one only


def test_the_claim_commits_with_the_post(app, client, member, category, make):
    """No commit of its own before the view's: the reply's transaction carries it.

    Where the reply led is then stored by one statement that commits itself.
    """
    topic = make.topic(category=category)
    commits = []

    def counted(_connection) -> None:
        commits.append(1)

    with app.app_context():
        sa.event.listen(db.engine, "commit", counted)
        try:
            response = client.post(
                f"/t/{topic.id}/reply",
                data={"raw": "Ich bringe Kaffee mit.", "submission_key": uuid.uuid4().hex},
                buffered=False,  # the work after the response (its own commits) waits
            )
            until_response = len(commits)
            response.close()
        finally:
            sa.event.remove(db.engine, "commit", counted)
    assert response.status_code == 302
    # The reply with its claim; where it led is one statement in autocommit
    # (no BEGIN and COMMIT round trips of its own).
    assert until_response == 1


_WRITES = ("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE")


def _writes(statements: list[str]) -> list[str]:
    return [s.split("\n")[0] for s in statements if s.lstrip().upper().startswith(_WRITES)]


def test_the_claim_waits_for_the_first_write(app, client, member, category, make, monkeypatch):
    """Cooking a reply takes no write lock: another writer goes on meanwhile (SQLite's one lock)."""
    from forum.boards import posts

    topic = make.topic(category=category)
    cook_post = posts.cook_post
    seen = {}

    def cook_while_another_writes(raw, **options):
        seen["writes"] = _writes(statements)
        seen["dialect"] = db.engine.dialect.name
        if seen["dialect"] == "sqlite":
            # timeout=0: "database is locked" at once if the reply held the lock.
            other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                seen["other_wrote"] = True
            finally:
                other.close()
        return cook_post(raw, **options)

    monkeypatch.setattr(posts, "cook_post", cook_while_another_writes)
    with counting_statements(app) as statements:
        response = client.post(
            f"/t/{topic.id}/reply",
            data={"raw": "Ich bringe Kuchen mit.", "submission_key": uuid.uuid4().hex},
        )
        writes = _writes(statements)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert seen["writes"] == []
    assert seen.get("other_wrote", seen["dialect"] != "sqlite")
    assert "submissions" in writes[0]  # then the claim is the first write
    assert _count(app, Post) == 2


def test_a_preview_and_a_refused_reply_write_nothing(app, client, member, category, make):
    topic = make.topic(category=category)
    key = uuid.uuid4().hex
    with counting_statements(app) as statements:
        preview = client.post(
            f"/t/{topic.id}/reply",
            data={"raw": "Nur ansehen.", "preview": "1", "submission_key": key},
        )
        refused = client.post(f"/t/{topic.id}/reply", data={"raw": "", "submission_key": key})
        writes = _writes(statements)
    assert (preview.status_code, refused.status_code) == (200, 400)
    assert writes == []
    assert _count(app, Submission) == 0
