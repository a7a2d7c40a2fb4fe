"""A member's topic page from a kept page (forum/member_pages) is byte for byte the
page the ordinary view renders for the same reader, for readers of every kind; one
reader's marks, counts, name and controls never reach another; a change shows at
once; and a kept page costs the member's row and one statement."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.boards import reactions
from forum.boards.models import Post, Topic, TopicUser
from forum.boards.topic_views import KEPT_TOPIC_PAGES
from forum.db import utcnow
from forum.extensions import db
from forum.kept_pages import kept_pages
from forum.messages import services as messages
from forum.moderation.models import FlagReason
from forum.moderation.services import flag_post
from forum.notifications import watching
from forum.notifications.models import Level
from forum.users.models import User
from tests.conftest import counting_statements
from tests.member_pages.conftest import CSRF_TOKEN, SUBMISSION_KEY, signed_in

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def forum(app, make):
    """A members' topic of five posts with something personal for everyone."""
    category = make.category("Mitgliederforum", read_level="members")
    author = make.user("autorin", display_name="Anna Autorin")
    first = make.user("erster", display_name="Erik Erster")
    second = make.user("zweite")
    silenced = make.user("still")
    moderator = make.user("moderatorin", role="moderator")
    topic = make.topic(author, category=category, title="Wer hilft beim Fest?", raw="Hallo alle.")
    make.post(topic, first, raw="Ich helfe gern.")
    make.post(topic, second, raw="Ich auch, am Samstag.")
    make.post(topic, author, raw="Danke euch!")
    make.post(topic, first, raw="Noch eine Frage zum Ort.")
    with app.app_context():
        posts = db.session.scalars(
            sa.select(Post).where(Post.topic_id == topic.id).order_by(Post.post_number)
        ).all()
        people = {u.username: u for u in db.session.scalars(sa.select(User))}
        reactions.toggle_like(people["erster"], posts[2])
        reactions.toggle_bookmark(people["erster"], posts[3])
        reactions.toggle_like(people["zweite"], posts[4])
        flag_post(people["zweite"], posts[1], FlagReason.OFF_TOPIC)
        messages.ignore(people["zweite"], people["autorin"])
        watching.set_topic_level(people["erster"].id, topic.id, Level.WATCHING)
        people["still"].silenced_until = utcnow() + timedelta(days=3)
        db.session.commit()
    return {
        "topic": topic,
        "author": author,
        "first": first,
        "second": second,
        "silenced": silenced,
        "moderator": moderator,
    }


def _read_up_to(app, user, topic, number: int | None) -> None:
    """Set where ``user`` stopped reading (a page visit moves it)."""
    with app.app_context():
        db.session.execute(
            sa.delete(TopicUser).where(TopicUser.user_id == user.id, TopicUser.topic_id == topic.id)
        )
        if number is not None:
            level = Level.WATCHING if user.username == "erster" else None
            db.session.add(
                TopicUser(
                    user_id=user.id,
                    topic_id=topic.id,
                    last_read_post_number=number,
                    notification_level=level,
                )
            )
        db.session.commit()


def _page(app, client, user, topic, read: int | None, *, kept: bool, query="?page=1") -> str:
    _read_up_to(app, user, topic, read)
    server = app.extensions.pop(KEPT_TOPIC_PAGES, None)
    if kept:
        app.extensions[KEPT_TOPIC_PAGES] = server
    try:
        response = client.get(f"/t/{topic.slug}/{topic.id}{query}")
    finally:
        app.extensions[KEPT_TOPIC_PAGES] = server
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # Every form of the page carries the reader's one token.
    assert len(set(CSRF_TOKEN.findall(html))) == 1
    return CSRF_TOKEN.sub("TOKEN", SUBMISSION_KEY.sub("KEY", html))


READERS = ["author", "first", "second", "silenced", "moderator"]


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("read", [None, 0, 2, 5])
def test_the_kept_page_is_the_ordinary_page(app, make, forum, reader, read):
    topic = forum["topic"]
    user = forum[reader]
    # Another reader of the same kind builds the kept page first where there is one.
    twin = {
        "first": "second",
        "second": "first",
        "silenced": None,
        "moderator": None,
        "author": None,
    }[reader]
    if reader == "silenced":
        twin_user = make.user("auch_still")
        with app.app_context():
            db.session.execute(
                sa.update(User)
                .where(User.id == twin_user.id)
                .values(silenced_until=utcnow() + timedelta(days=1))
            )
            db.session.commit()
    elif reader == "moderator":
        twin_user = make.user("moderator2", role="moderator")
    else:
        twin_user = forum[twin] if twin else None
    if twin_user is not None:
        _page(app, signed_in(app, twin_user), twin_user, topic, 1, kept=True)
    client = signed_in(app, user)
    kept = _page(app, client, user, topic, read, kept=True)
    assert len(kept_pages(app)) >= 2  # the topic's facts and at least one page
    ordinary = _page(app, client, user, topic, read, kept=False)
    assert kept == ordinary


def test_one_reader_s_marks_and_header_stay_theirs(app, forum):
    topic = forum["topic"]
    first, second = forum["first"], forum["second"]
    one = _page(app, signed_in(app, first), first, topic, 5, kept=True)
    two = _page(app, signed_in(app, second), second, topic, 5, kept=True)
    assert "Menu for erster" in one and "Menu for erster" not in two
    assert "Menu for zweite" in two and "Menu for zweite" not in one
    # The second reader ignores the author: her posts are folded for them only.
    assert "You ignore autorin" in two and "You ignore autorin" not in one


def test_building_a_kept_page_loads_its_topic_once(app, forum):
    topic, reader = forum["topic"], forum["first"]
    client = signed_in(app, reader)
    _read_up_to(app, reader, topic, 5)
    with counting_statements(app) as statements:
        assert client.get(f"/t/{topic.slug}/{topic.id}?page=1").status_code == 200
    assert len(kept_pages(app)) >= 2  # built and kept in this request
    loads = [s for s in statements if "FROM topics LEFT OUTER JOIN categories" in s]
    assert len(loads) == 1, loads


def test_a_kept_page_costs_the_member_and_one_statement(app, forum):
    topic, reader = forum["topic"], forum["first"]
    client = signed_in(app, reader)
    _page(app, client, reader, topic, 5, kept=True)  # builds and keeps the page
    _read_up_to(app, reader, topic, 5)
    with counting_statements(app) as statements:
        response = client.get(f"/t/{topic.slug}/{topic.id}?page=1")
    assert response.status_code == 200
    # The member's row and the reader's statement; the view count is written after.
    reads = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(reads) == 2, statements


def test_a_new_reply_shows_at_once(app, make, forum):
    topic, reader = forum["topic"], forum["first"]
    client = signed_in(app, reader)
    assert "Am Sonntag geht es nicht." not in _page(app, client, reader, topic, 5, kept=True)
    make.post(topic, forum["second"], raw="Am Sonntag geht es nicht.")
    assert "Am Sonntag geht es nicht." in _page(app, client, reader, topic, 5, kept=True)


def test_a_like_shows_at_once_and_only_as_the_liker_s(app, forum):
    topic, first, second = forum["topic"], forum["first"], forum["second"]
    one, two = signed_in(app, first), signed_in(app, second)
    before = _page(app, two, second, topic, 5, kept=True)
    _page(app, one, first, topic, 5, kept=True)
    with app.app_context():
        post = db.session.scalar(
            sa.select(Post).where(Post.topic_id == topic.id, Post.post_number == 4)
        )
        reactions.toggle_like(db.session.get(User, second.id), post)
    after = _page(app, two, second, topic, 5, kept=True)
    assert after != before
    assert after == _page(app, two, second, topic, 5, kept=False)
    assert _page(app, one, first, topic, 5, kept=True) == _page(
        app, one, first, topic, 5, kept=False
    )


def test_a_returning_reader_lands_on_the_first_unread_post(app, forum):
    topic, reader = forum["topic"], forum["first"]
    client = signed_in(app, reader)
    _page(app, client, reader, topic, 5, kept=True)
    _read_up_to(app, reader, topic, 3)
    response = client.get(f"/t/{topic.slug}/{topic.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/t/{topic.slug}/{topic.id}/4#post_4")


def test_a_reader_with_a_reply_awaiting_approval_sees_it(app, make, forum):
    topic, reader = forum["topic"], forum["second"]
    client = signed_in(app, reader)
    _page(app, client, reader, topic, 5, kept=True)
    app.config["HOLD_FIRST_POSTS"] = 99  # their next reply waits for a moderator
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == reader.id).values(post_count=0))
        db.session.commit()
    reply = {"raw": "Wartet noch auf Freigabe.", "submission_key": "a" * 32}
    response = client.post(f"/t/{topic.id}/reply", data=reply)
    assert response.status_code == 302
    page = _page(app, client, reader, topic, 5, kept=True)
    assert "Wartet noch auf Freigabe." in page
    other = forum["first"]
    elsewhere = _page(app, signed_in(app, other), other, topic, 5, kept=True)
    assert "Wartet noch auf Freigabe." not in elsewhere


def test_text_like_a_marker_stays_text(app, make, forum):
    """A slot's marker holds a nonce drawn per process: a title that imitates one is text."""
    reader = forum["first"]
    title = "Marker \\x00kept-0123456789abcdef:csrf\\x00 im Titel"
    topic = make.topic(forum["author"], category=None, title=title)
    with app.app_context():
        db.session.execute(
            sa.update(Topic)
            .where(Topic.id == topic.id)
            .values(category_id=db.session.get(Topic, forum["topic"].id).category_id)
        )
        db.session.commit()
    client = signed_in(app, reader)
    for _ in range(2):
        page = _page(app, client, reader, topic, 1, kept=True)
        assert "\x00" not in page
        assert "kept-0123456789abcdef:csrf" in page


def test_readers_of_every_kind_one_after_another_get_their_own_page(app, forum):
    """Each reader finds the pages the others left kept: none gets another kind's."""
    topic = forum["topic"]
    clients = {reader: signed_in(app, forum[reader]) for reader in READERS}
    for reader in READERS + READERS[::-1]:
        user, client = forum[reader], clients[reader]
        kept = _page(app, client, user, topic, 2, kept=True)
        assert kept == _page(app, client, user, topic, 2, kept=False), reader
