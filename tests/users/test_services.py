"""Profile activity and bookmark lists: permissions in the query, windows by keyset."""

from datetime import timedelta

import sqlalchemy as sa

from forum.auth import accounts
from forum.boards.models import Bookmark, Post
from forum.db import utcnow
from forum.extensions import db
from forum.users import services


def test_bookmark_windows(app, make):
    author = make.user("carla")
    reader = make.user("dora")
    category = make.category(read_level="public")
    topics = [make.topic(author, category, title=f"Thema Nummer {n}") for n in range(5)]
    with app.app_context():
        posts = db.session.scalars(sa.select(Post).order_by(Post.id)).all()
        now = utcnow()
        # Two bookmarks share a time stamp: the post id breaks the tie.
        stamps = [now - timedelta(minutes=m) for m in (50, 40, 30, 30, 10)]
        for post, stamp in zip(posts, stamps, strict=True):
            db.session.add(Bookmark(user_id=reader.id, post_id=post.id, created_at=stamp))
        db.session.commit()

        user = accounts.get_user(reader.id)
        seen, cursor = [], None
        while True:
            page = services.list_bookmarks(user, cursor=cursor, limit=2)
            seen.extend(item.topic.title for item in page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    expected = [topics[i].title for i in (4, 3, 2, 1, 0)]
    assert seen == expected


def test_bad_bookmark_cursor_starts_at_the_top(app, make):
    reader = make.user("dora")
    with app.app_context():
        page = services.list_bookmarks(accounts.get_user(reader.id), cursor="kaputt_x")
    assert page.items == [] and page.next_cursor is None


def test_recent_activity_is_limited(app, make):
    author = make.user("carla")
    category = make.category(read_level="public")
    topic = make.topic(author, category)
    for _ in range(4):
        make.topic(author, category)
        make.post(topic, author)
    with app.app_context():
        activity = services.recent_activity(accounts.get_user(author.id), None, limit=3)
    assert len(activity.topics) == 3
    assert len(activity.posts) == 3
    assert all(item.post.post_number > 1 for item in activity.posts)


def test_update_profile_cooks_the_bio_once(app, make):
    dora = make.user("dora")
    with app.app_context():
        user = accounts.get_user(dora.id)
        services.update_profile(
            user,
            display_name="  Dora  ",
            bio="<script>alert(1)</script> *hallo*",
            locale="en",
            email_on_reply=False,
            email_on_mention=True,
            digest_frequency="off",
        )
        assert user.display_name == "Dora"
        assert "<script>" not in user.bio_cooked
        assert "<em>hallo</em>" in user.bio_cooked
        assert user.locale == "en"
