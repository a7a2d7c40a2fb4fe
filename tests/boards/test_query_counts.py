"""Pages run a fixed number of SQL statements, however much data there is.

Each page is counted at a small and a large data set (3 topics x 3 posts vs.
25 topics x 25 posts, with several authors, likes, replies to posts and
bookmarks). Statements that run after the response has been sent (the view
counter and the read position) are counted separately.
"""

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from forum.boards import services
from forum.boards.models import Bookmark, Category, Post, PostLike, Topic, TopicUser
from forum.extensions import db
from forum.users.models import User
from tests.conftest import counting_statements

#: The most statements a page may need while it is being answered.
LIMIT = 10


@dataclass
class Counts:
    request: int
    after_response: int


def measure(app, client, url) -> Counts:
    with counting_statements(app) as statements:
        response = client.get(url)
        assert response.status_code == 200, url
        during = len(statements)
        response.get_data()
        response.close()  # as a server does: the deferred writes run now
        after = len(statements) - during
    return Counts(during, after)


def grow(app, category_id, authors, viewer_id, topics: int, posts: int) -> None:
    """Bring the category up to ``topics`` topics with ``posts`` posts each.

    Posts go through the services; likes and bookmarks are inserted in bulk
    (with their counters), which keeps the large data set quick to build.
    """
    with app.test_request_context(headers={"Accept-Language": "en"}):
        category = db.session.get(Category, category_id)
        people = [db.session.get(User, a.id) for a in authors]
        existing = list(db.session.scalars(sa.select(Topic).order_by(Topic.id)))
        for number in range(len(existing), topics):
            author = people[number % len(people)]
            topic = services.create_topic(
                author, category, f"Thema {number}", "Erster Beitrag", commit=False
            )
            existing.append(topic)
        for topic in existing:
            for number in range(topic.highest_post_number + 1, posts + 1):
                services.create_post(
                    people[number % len(people)],
                    topic,
                    f"Antwort {number}",
                    reply_to_post_number=number - 1 if number % 3 == 0 else None,
                    commit=False,
                )
                db.session.flush()
                db.session.refresh(topic)
        db.session.commit()

        new_posts = db.session.execute(
            sa.select(Post.id, Post.user_id, Post.post_number).where(
                Post.id.not_in(sa.select(PostLike.post_id)),
                Post.id.not_in(sa.select(Bookmark.post_id)),
            )
        ).all()
        likes, bookmarks = [], []
        for post_id, author_id, number in new_posts:
            fans = [p.id for p in people if p.id != author_id][: number % 3 + 1]
            likes += [{"post_id": post_id, "user_id": fan} for fan in fans]
            bookmarks.append({"post_id": post_id, "user_id": viewer_id})
        db.session.execute(sa.insert(PostLike), likes)
        db.session.execute(sa.insert(Bookmark), bookmarks[::4])
        liked = sa.select(sa.func.count()).where(PostLike.post_id == Post.id).scalar_subquery()
        db.session.execute(sa.update(Post).values(like_count=liked))
        db.session.commit()


@pytest.fixture
def forum(app, make):
    category = make.category("Offen", read_level="public")
    authors = [make.user(f"autor{n}") for n in range(4)]
    viewer = make.user("leserin")
    return category, authors, viewer


def _pages(category, topic):
    return {
        "latest": "/latest",
        "category": f"/c/{category.slug}/{category.id}",
        "topic": f"/t/{topic.slug}/{topic.id}",
    }


def test_pages_need_a_fixed_number_of_statements(app, make, forum, record_property, monkeypatch):
    category, authors, viewer = forum
    # A member's last_seen_at is written after the response once a minute
    # (forum/auth/services.py), not per page: growing the large data set takes
    # over a minute on a loaded machine, and the write then fell into whichever
    # page came next (member latest: 1 statement after its response, not 0).
    monkeypatch.setattr("forum.auth.services.SEEN_INTERVAL", 24 * 3600)
    guest, member = app.test_client(), app.test_client()
    for browser in (guest, member):
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = member.post("/login", data={"login": viewer.username, "password": make.password})
    assert response.status_code == 302
    # A process reads the admin's settings once and keeps them until they change
    # (forum/site/services.py): start as a running forum does, with them read.
    guest.get("/netiquette").close()
    measured: dict[tuple[str, str, int], Counts] = {}
    for size in (3, 25):
        grow(app, category.id, authors, viewer.id, topics=size, posts=size)
        with app.app_context():
            topic = db.session.scalar(sa.select(Topic).order_by(Topic.id))
            db.session.expunge(topic)
            # The reader forgets the topic, so it opens at the top, not with a redirect.
            db.session.execute(sa.delete(TopicUser).where(TopicUser.user_id == viewer.id))
            db.session.commit()
        for who, browser in (("guest", guest), ("member", member)):
            for page, url in _pages(category, topic).items():
                measured[who, page, size] = measure(app, browser, url)

    # Shown in the JUnit XML report and by `pytest -rA`: "who page size: request+after".
    record_property(
        "statements",
        "; ".join(
            f"{w} {p} {n}x{n}: {c.request}+{c.after_response}" for (w, p, n), c in measured.items()
        ),
    )
    for who in ("guest", "member"):
        for page in ("latest", "category", "topic"):
            small, large = measured[who, page, 3], measured[who, page, 25]
            assert small == large, (who, page, small, large)
            assert large.request <= LIMIT, (who, page, large)
            # The view counter, and for members the read position.
            assert large.after_response <= 2, (who, page, large)

    # The large data set really is large: the counts compare like with like.
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 625
        assert db.session.scalar(sa.select(sa.func.count()).where(Post.like_count > 0)) == 625
    html = guest.get(_pages(category, topic)["topic"]).get_data(as_text=True)
    assert html.count('<article class="post') == 20
    assert "in reply to" in html
    assert "&hearts;</span> 3" in html
    html = member.get(_pages(category, topic)["latest"]).get_data(as_text=True)
    assert html.count('<li class="topic-item') == 25
