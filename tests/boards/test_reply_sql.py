"""A reply's prebuilt statements (forum/boards/reply_sql.py) write what the ORM's flush
wrote: the post, its search outbox row and notification job, the counters; and leave
the session's objects as the database has them."""

import pytest
import sqlalchemy as sa

from forum.boards.models import Post, Topic
from forum.boards.services import create_post
from forum.extensions import db
from forum.notifications.models import NotificationJob
from forum.outboxes import JOBS_EXTENSION, SEARCH_EXTENSION
from forum.search.models import SearchOutbox
from forum.users.models import User

COLUMNS = ("id", "topic_id", "user_id", "post_number", "reply_to_post_number", "raw", "cooked",
           "created_at", "updated_at", "version", "like_count", "reply_count", "hidden_at",
           "deleted_at", "deleted_by_id")  # fmt: skip
TOPIC_COLUMNS = ("highest_post_number", "posts_count", "bumped_at", "last_posted_at",
                 "last_post_user_id")  # fmt: skip


@pytest.mark.parametrize(
    "without", [(), (SEARCH_EXTENSION,), (JOBS_EXTENSION,), (SEARCH_EXTENSION, JOBS_EXTENSION)]
)
def test_a_reply_writes_its_rows_and_leaves_the_session_as_the_database(app, make, without):
    asker, author = make.user("fragende"), make.user("antwortende")
    topic = make.topic(asker)
    make.post(topic, asker, "Eine erste Antwort.")
    kept = {name: app.extensions.pop(name) for name in without}
    try:
        with app.app_context():
            post = create_post(
                db.session.get(User, author.id), db.session.get(Topic, topic.id),
                "Ich komme am **Montag**.", reply_to_post_number=2, commit=False,
            )  # fmt: skip
            shown = {name: getattr(post, name) for name in COLUMNS}
            loaded = db.session.get(Topic, topic.id)
            counted = {name: getattr(loaded, name) for name in TOPIC_COLUMNS}
            assert post in db.session and not db.session.dirty and not db.session.new
            assert post.topic is loaded and post.user.id == author.id
            outbox = db.session.execute(
                sa.select(SearchOutbox.kind, SearchOutbox.target_id)
            ).all()  # fmt: skip
            jobs = db.session.execute(
                sa.select(NotificationJob.kind, NotificationJob.post_id, NotificationJob.actor_id)
            ).all()
            db.session.refresh(post)
            db.session.refresh(loaded)
            assert shown == {name: getattr(post, name) for name in COLUMNS}
            assert counted == {name: getattr(loaded, name) for name in TOPIC_COLUMNS}
            assert (post.post_number, loaded.posts_count) == (3, 3)
            answered = db.session.scalar(
                sa.select(Post.reply_count).where(Post.topic_id == topic.id, Post.post_number == 2)
            )
            assert answered == 1
            searched = SEARCH_EXTENSION not in without
            told = JOBS_EXTENSION not in without
            assert outbox == ([("post", post.id)] if searched else [])
            assert jobs == ([("post", post.id, author.id)] if told else [])
            db.session.rollback()
    finally:
        app.extensions.update(kept)


def test_an_older_post_keeps_its_time_and_its_read_position_and_job_take_now(app, make):
    from datetime import timedelta

    from forum.boards.models import TopicUser
    from forum.db import utcnow

    author = make.user("nachtraegliche")
    topic = make.topic(make.user("fragende"))
    then = utcnow() - timedelta(days=30)
    with app.app_context():
        post = create_post(
            db.session.get(User, author.id), db.session.get(Topic, topic.id),
            "Eine Antwort von damals.", created_at=then, commit=False,
        )  # fmt: skip
        db.session.refresh(post)
        visited = db.session.scalar(
            sa.select(TopicUser.last_visited_at).where(
                TopicUser.user_id == author.id, TopicUser.topic_id == topic.id
            )
        )
        due = db.session.scalar(sa.select(NotificationJob.created_at))
        assert post.created_at == then
        assert visited > then + timedelta(days=29) and due > then + timedelta(days=29)
        db.session.rollback()
