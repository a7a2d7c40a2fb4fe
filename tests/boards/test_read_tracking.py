"""Where a member stopped reading: stored after each topic view, shown in lists."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.boards.models import Post, Topic, TopicUser
from forum.db import utcnow
from tests.conftest import counting_statements


@pytest.fixture
def app_config(app_config):
    app_config["POSTS_PER_PAGE"] = 3
    return app_config


def _html(response) -> str:
    return response.get_data(as_text=True)


def _url(topic, post_number=None) -> str:
    suffix = f"/{post_number}" if post_number else ""
    return f"/t/{topic.slug}/{topic.id}{suffix}"


def _visit(client, url):
    """Open a page as a browser does: the server closes the response after sending,
    which is when views and read positions are written."""
    return client.get(url, buffered=True)


def _last_read(scalar, user, topic):
    return scalar(
        sa.select(TopicUser.last_read_post_number).where(
            TopicUser.user_id == user.id, TopicUser.topic_id == topic.id
        )
    )


@pytest.fixture
def topic_with_replies(make, places):
    topic = make.topic(make.user("autorin"), places.members, title="Ein langes Gespräch")
    for _ in range(3):
        make.post(topic)
    return topic


def test_viewing_a_page_stores_how_far_the_member_read(
    client, make, login_as, scalar, topic_with_replies
):
    topic = topic_with_replies
    reader = make.user()
    login_as(reader)
    assert _last_read(scalar, reader, topic) is None
    assert _visit(client, _url(topic)).status_code == 200  # page 1: posts 1-3
    assert _last_read(scalar, reader, topic) == 3
    _visit(client, _url(topic, 4))  # page 2: post 4
    assert _last_read(scalar, reader, topic) == 4
    # Going back to page 1 does not move the position back.
    _visit(client, f"{_url(topic)}?page=1")
    assert _last_read(scalar, reader, topic) == 4


def test_new_replies_show_as_unread_and_lead_to_the_first_unread_post(
    client, make, login_as, scalar, topic_with_replies
):
    topic = topic_with_replies
    reader = make.user()
    login_as(reader)
    _visit(client, _url(topic, 4))
    assert _last_read(scalar, reader, topic) == 4
    make.post(topic, raw="Neu Nummer fünf")
    make.post(topic, raw="Neu Nummer sechs")

    latest = _html(client.get("/latest"))
    assert "2 unread" in latest
    assert f'href="{_url(topic, 5)}#post_5"' in latest
    assert "Ein langes Gespräch" in _html(client.get("/unread"))

    response = client.get(_url(topic))
    assert response.status_code == 302
    assert response.headers["Location"] == f"{_url(topic, 5)}#post_5"
    page = _html(_visit(client, _url(topic, 5)))
    assert 'class="post first-unread" id="post_5"' in page
    assert _last_read(scalar, reader, topic) == 6

    assert "unread" not in _html(client.get("/latest")).split("<main", 1)[1].split("</main>")[0]
    assert "Ein langes Gespräch" not in _html(client.get("/unread"))
    # Read to the end: the topic opens at the top again.
    assert client.get(_url(topic)).status_code == 200


def test_explicit_post_links_and_pages_are_not_redirected(
    client, make, login_as, topic_with_replies
):
    topic = topic_with_replies
    login_as(make.user())
    _visit(client, _url(topic))  # read 1-3
    assert _visit(client, _url(topic, 2)).status_code == 200
    assert _visit(client, f"{_url(topic)}?page=1").status_code == 200
    assert client.get(_url(topic)).status_code == 302


def test_never_opened_recent_topics_are_new(client, make, login_as, places, update):
    reader = make.user()
    fresh = make.topic(category=places.members, title="Frisches Thema")
    old = make.topic(category=places.members, title="Altes Thema")
    update(Topic, old.id, created_at=utcnow() - timedelta(days=30))
    login_as(reader)
    latest = _html(client.get("/latest"))
    fresh_row = latest[latest.index("Frisches Thema") :].split("</h3>", 1)[0]
    old_row = latest[latest.index("Altes Thema") :].split("</h3>", 1)[0]
    assert 'class="badge badge-new"' in fresh_row
    assert "badge-new" not in old_row
    unread = _html(client.get("/unread"))
    assert "Frisches Thema" in unread and "Altes Thema" not in unread

    _visit(client, _url(fresh))
    latest = _html(client.get("/latest"))
    assert "badge-new" not in latest
    assert "Frisches Thema" not in _html(client.get("/unread"))


def test_own_topics_are_neither_new_nor_unread(client, make, login_as, places):
    author = make.user()
    make.topic(author, places.members, title="Mein eigenes Thema")
    login_as(author)
    latest = _html(client.get("/latest"))
    assert "Mein eigenes Thema" in latest and "badge-new" not in latest
    assert "Mein eigenes Thema" not in _html(client.get("/unread"))


def test_guests_leave_no_read_state(client, make, places, scalar):
    topic = make.topic(category=places.public)
    for _ in range(3):
        make.post(topic)
    assert _visit(client, _url(topic)).status_code == 200
    assert _visit(client, _url(topic, 4)).status_code == 200
    # Only the authors' own read marks exist.
    readers = scalar(sa.select(sa.func.count()).select_from(TopicUser))
    authors = scalar(sa.select(sa.func.count(sa.distinct(Post.user_id))))
    assert readers == authors
    assert scalar(sa.select(Topic.views).where(Topic.id == topic.id)) == 2


def test_unread_needs_an_account(client):
    response = client.get("/unread")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_deleted_last_post_does_not_stay_unread(
    client, make, login_as, in_request, topic_with_replies, app
):
    from forum.boards import services
    from forum.extensions import db
    from forum.users.models import User

    topic = topic_with_replies
    last = make.post(topic, raw="Gleich wieder weg")
    with in_request():
        services.delete_post(db.session.get(User, last.user_id), db.session.get(Post, last.id))
    login_as(make.user())
    _visit(client, _url(topic, 4))  # the last page: posts 4 and (deleted) 5
    assert "unread" not in _html(client.get("/latest")).split("<main", 1)[1]
    assert "Ein langes Gespräch" not in _html(client.get("/unread"))
    assert client.get(_url(topic)).status_code == 200


def _visited_at(scalar, user, topic):
    return scalar(
        sa.select(TopicUser.last_visited_at).where(
            TopicUser.user_id == user.id, TopicUser.topic_id == topic.id
        )
    )


def _writes_to_read_positions(statements) -> list[str]:
    return [
        s
        for s in statements
        if "topic_users" in s and s.lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]


def test_rereading_what_was_read_writes_nothing(
    client, make, login_as, scalar, topic_with_replies, app
):
    topic = topic_with_replies
    reader = make.user()
    login_as(reader)
    _visit(client, _url(topic, 4))  # read up to 4
    visited = _visited_at(scalar, reader, topic)
    with counting_statements(app) as statements:
        assert _visit(client, f"{_url(topic)}?page=1").status_code == 200
        assert _visit(client, _url(topic, 4)).status_code == 200
    assert _writes_to_read_positions(statements) == []
    assert _last_read(scalar, reader, topic) == 4
    assert _visited_at(scalar, reader, topic) == visited


def test_a_new_post_read_still_moves_the_position(
    client, make, login_as, scalar, topic_with_replies, app
):
    topic = topic_with_replies
    reader = make.user()
    login_as(reader)
    _visit(client, _url(topic, 4))
    make.post(topic, raw="Neu Nummer fünf")
    with counting_statements(app) as statements:
        _visit(client, _url(topic, 5))
    assert len(_writes_to_read_positions(statements)) == 1
    assert _last_read(scalar, reader, topic) == 5


def test_an_old_visit_is_written_again_though_nothing_new_was_read(
    client, make, login_as, scalar, topic_with_replies, app
):
    """The dashboard counts a topic's readers of the last seven days by the visit."""
    from forum.boards.reading import VISIT_REFRESH
    from forum.extensions import db

    topic = topic_with_replies
    reader = make.user()
    login_as(reader)
    _visit(client, _url(topic, 4))
    long_ago = utcnow() - VISIT_REFRESH - timedelta(minutes=1)
    with app.app_context():
        db.session.execute(
            sa.update(TopicUser)
            .where(TopicUser.user_id == reader.id, TopicUser.topic_id == topic.id)
            .values(last_visited_at=long_ago)
        )
        db.session.commit()
    _visit(client, f"{_url(topic)}?page=1")
    assert _visited_at(scalar, reader, topic) > long_ago + timedelta(minutes=1)
    assert _last_read(scalar, reader, topic) == 4
