"""Counters kept on rows agree with the rows they count, whatever order a
moderator deletes and restores topics and their replies in."""

import pytest
import sqlalchemy as sa

from forum.boards.models import Category, Post, Topic
from forum.extensions import db
from forum.users.models import User


def _drift(app) -> dict[str, tuple[int, int]]:
    """Return every counter that differs from a recount: name -> (kept, real)."""
    live = Post.deleted_at.is_(None)
    with app.app_context():
        drift = {}
        for category in db.session.scalars(sa.select(Category)):
            real_topics = db.session.scalar(
                sa.select(sa.func.count(Topic.id)).where(
                    Topic.category_id == category.id, Topic.deleted_at.is_(None)
                )
            )
            real_posts = db.session.scalar(
                sa.select(sa.func.count(Post.id))
                .join(Topic, Topic.id == Post.topic_id)
                .where(Topic.category_id == category.id, Topic.deleted_at.is_(None), live)
            )
            for name, kept, real in (
                ("topic_count", category.topic_count, real_topics),
                ("post_count", category.post_count, real_posts),
            ):
                if kept != real:
                    drift[f"{category.name}.{name}"] = (kept, real)
        for topic in db.session.scalars(sa.select(Topic)):
            # A deleted topic keeps counting its first post: it comes back with it.
            real = db.session.scalar(
                sa.select(sa.func.count(Post.id)).where(
                    Post.topic_id == topic.id, sa.or_(live, Post.post_number == 1)
                )
            )
            if topic.posts_count != real:
                drift[f"{topic.title}.posts_count"] = (topic.posts_count, real)
        for user in db.session.scalars(sa.select(User)):
            real = db.session.scalar(
                sa.select(sa.func.count(Post.id)).where(Post.user_id == user.id, live)
            )
            if user.post_count != real:
                drift[f"{user.username}.post_count"] = (user.post_count, real)
        return drift


def _category_posts(app, category) -> int:
    with app.app_context():
        return db.session.get(Category, category.id).post_count


@pytest.fixture
def busy(make, places):
    """Two topics in one category: one with four replies, one with one."""
    people = [make.user(f"mitglied{n}") for n in range(3)]
    topic = make.topic(people[0], places.members, "Großes Thema")
    replies = [make.post(topic, people[n % 3], raw=f"Antwort {n}") for n in range(4)]
    other = make.topic(people[1], places.members, "Kleines Thema")
    make.post(other, people[2])
    return topic, replies


def test_deleting_replies_inside_a_deleted_topic_counts_them_once(
    app, client, make, places, busy, login_as
):
    topic, replies = busy
    login_as(make.user("koordination", role="moderator"))
    assert _category_posts(app, places.members) == 7
    moderate = client.post(f"/t/{topic.id}/moderate", data={"action": "delete"})
    assert moderate.status_code == 302
    assert _category_posts(app, places.members) == 2 and _drift(app) == {}
    for reply in replies[:3]:
        assert client.post(f"/p/{reply.id}/delete").status_code == 302
        assert _category_posts(app, places.members) == 2, "the topic's posts left already"
        assert _drift(app) == {}
    assert client.post(f"/p/{replies[0].id}/restore").status_code == 302
    assert _drift(app) == {}
    assert client.post(f"/t/{topic.id}/moderate", data={"action": "restore"}).status_code == 302
    # The first post, two live replies, and the other topic's two posts.
    assert _category_posts(app, places.members) == 5
    assert _drift(app) == {}


def test_replies_deleted_before_their_topic_stay_counted_once(
    app, client, make, places, busy, login_as
):
    topic, replies = busy
    login_as(make.user("koordination", role="moderator"))
    for reply in replies[:2]:
        client.post(f"/p/{reply.id}/delete")
    client.post(f"/t/{topic.id}/moderate", data={"action": "delete"})
    client.post(f"/p/{replies[1].id}/restore")
    assert _drift(app) == {}
    client.post(f"/t/{topic.id}/moderate", data={"action": "restore"})
    client.post(f"/p/{replies[0].id}/restore")
    assert _category_posts(app, places.members) == 7
    assert _drift(app) == {}


def test_moving_a_deleted_topic_moves_no_counts(app, client, make, places, busy, login_as):
    topic, replies = busy
    login_as(make.user("koordination", role="moderator"))
    client.post(f"/t/{topic.id}/moderate", data={"action": "delete"})
    client.post(f"/p/{replies[0].id}/delete")
    moved = client.post(f"/t/{topic.id}/move", data={"category": places.help.id})
    assert moved.status_code == 302
    assert _drift(app) == {}
    client.post(f"/t/{topic.id}/moderate", data={"action": "restore"})
    assert _category_posts(app, places.help) == 4
    assert _drift(app) == {}
