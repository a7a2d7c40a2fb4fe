"""Odd requests for a member's topic page answer as the ordinary view does, kept
or not: pages out of range, post numbers past the topic, a wrong slug, HEAD, a
deleted topic (staff read it, members get 404), a closed topic and an archived
category, and a reader silenced, unsilenced or promoted between two requests."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.boards.models import Category, Topic
from forum.boards.topic_views import KEPT_TOPIC_PAGES
from forum.db import utcnow
from forum.extensions import db
from forum.users.models import User
from tests.member_pages.conftest import CSRF_TOKEN, SUBMISSION_KEY, signed_in

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def topic(make):
    category = make.category("Mitgliederforum", read_level="members")
    topic = make.topic(make.user("autorin"), category=category, raw="Hallo alle.")
    other = make.user("antwortet")
    for number in range(4):
        make.post(topic, other, raw=f"Antwort {number}")
    return topic


def _get(app, client, url: str, *, kept: bool, method: str = "get") -> tuple[int, str]:
    server = app.extensions.pop(KEPT_TOPIC_PAGES, None)
    if kept:
        app.extensions[KEPT_TOPIC_PAGES] = server
    try:
        response = client.open(url, method=method.upper())
    finally:
        app.extensions[KEPT_TOPIC_PAGES] = server
    html = response.get_data(as_text=True)
    return response.status_code, CSRF_TOKEN.sub("TOKEN", SUBMISSION_KEY.sub("KEY", html))


def _same_both_ways(app, client, url: str, method: str = "get") -> tuple[int, str]:
    """The answer kept (built, then from the store) and ordinary, all alike."""
    built = _get(app, client, url, kept=True, method=method)
    again = _get(app, client, url, kept=True, method=method)
    ordinary = _get(app, client, url, kept=False, method=method)
    assert built == again == ordinary, url
    return ordinary


@pytest.mark.parametrize(
    "suffix",
    ["?page=0", "?page=-3", "?page=9999999999999999999999", "?page=abc", "?page=",
     "?page=2&page=1", "/3", "/0", "/999", "/3?page=1", "?PAGE=1"],
)  # fmt: skip
def test_odd_pages_and_post_numbers(app, make, topic, suffix):
    client = signed_in(app, make.user("leserin"))
    _get(app, client, f"/t/{topic.slug}/{topic.id}?page=1", kept=False)  # read: no redirect
    status, _html = _same_both_ways(app, client, f"/t/{topic.slug}/{topic.id}{suffix}")
    assert status == 200


def test_head_and_a_wrong_slug(app, make, topic):
    client = signed_in(app, make.user("leserin"))
    url = f"/t/{topic.slug}/{topic.id}?page=1"
    assert _same_both_ways(app, client, url, method="head")[0] == 200
    assert _same_both_ways(app, client, f"/t/anders/{topic.id}?page=1")[0] == 301


def test_a_deleted_topic_is_for_staff_only(app, make, topic):
    member = signed_in(app, make.user("leserin"))
    staff = signed_in(app, make.user("moderatorin", role="moderator"))
    url = f"/t/{topic.slug}/{topic.id}?page=1"
    for client in (member, staff):
        _same_both_ways(app, client, url)
    with app.app_context():
        db.session.execute(sa.update(Topic).where(Topic.id == topic.id).values(deleted_at=utcnow()))
        db.session.commit()
    assert _same_both_ways(app, member, url)[0] == 404
    status, html = _same_both_ways(app, staff, url)
    assert status == 200 and "Restore topic" in html


def test_a_closed_topic_and_an_archived_category_show_at_once(app, make, topic):
    client = signed_in(app, make.user("leserin"))
    url = f"/t/{topic.slug}/{topic.id}?page=1"
    assert 'id="reply-heading"' in _same_both_ways(app, client, url)[1]
    with app.app_context():
        db.session.execute(sa.update(Topic).where(Topic.id == topic.id).values(closed=True))
        db.session.commit()
    assert "This topic is closed" in _same_both_ways(app, client, url)[1]
    with app.app_context():
        category_id = db.session.get(Topic, topic.id).category_id
        db.session.execute(
            sa.update(Category).where(Category.id == category_id).values(archived_at=utcnow())
        )
        db.session.commit()
    assert 'id="reply-heading"' not in _same_both_ways(app, client, url)[1]


_SILENCED = {"silenced_until": utcnow() + timedelta(days=1)}


def _change(app, user, values: dict) -> None:
    if not values:
        return
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == user.id).values(**values))
        db.session.commit()


@pytest.mark.parametrize(
    ("before", "after", "may_reply", "moderates"),
    [
        ({}, _SILENCED, False, False),
        (_SILENCED, {"silenced_until": None}, True, False),
        ({}, {"role": "moderator"}, True, True),
    ],
)
def test_a_changed_reader_gets_their_new_page_at_once(
    app, make, topic, before, after, may_reply, moderates
):
    reader = make.user("leserin")
    _change(app, reader, before)
    client = signed_in(app, reader)
    url = f"/t/{topic.slug}/{topic.id}?page=1"
    _same_both_ways(app, client, url)
    _change(app, reader, after)
    html = _same_both_ways(app, client, url)[1]
    assert ('id="reply-heading"' in html) == may_reply
    assert ("Moderate this topic" in html) == moderates
