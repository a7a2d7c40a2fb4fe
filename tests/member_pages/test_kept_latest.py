"""A member's latest topics from a kept list (forum/member_pages/lists.py) are
byte for byte the list the ordinary view renders for the same reader: unread
counts and new marks their own, staff's topics for staff only; a reader who
muted a category gets the ordinary list; a new topic shows at once."""

import pytest
from sqlalchemy import update as sa_update

from forum.boards.models import TopicUser
from forum.boards.views import KEPT_LATEST
from forum.extensions import db
from forum.kept_pages import kept_pages
from forum.notifications import watching
from forum.notifications.models import Level
from tests.conftest import counting_statements
from tests.member_pages.conftest import CSRF_TOKEN, signed_in

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def forum(app, make):
    members = make.category("Mitgliederforum", read_level="members")
    staff = make.category("Koordination", read_level="staff")
    other = make.category("Plaudern", read_level="members")
    author = make.user("autorin")
    people = {
        "first": make.user("erster"),
        "second": make.user("zweite"),
        "moderator": make.user("moderatorin", role="moderator"),
        "moderator2": make.user("moderator2", role="moderator"),
    }
    topics = [make.topic(author, category=members, title=f"Thema {n} im Forum") for n in range(4)]
    make.post(topics[0], author, raw="Eine Antwort.")
    make.post(topics[0], author, raw="Noch eine Antwort.")
    topics.append(make.topic(people["moderator"], category=staff, title="Nur für das Team"))
    topics.append(make.topic(author, category=other, title="Beim Plaudern"))
    with app.app_context():
        # The first has read topic 0 up to its first post and topic 1 whole.
        for topic, number in ((topics[0], 1), (topics[1], 1)):
            row = TopicUser(user_id=people["first"].id, topic_id=topic.id)
            row.last_read_post_number = number
            db.session.add(row)
        db.session.commit()
    return {"people": people, "topics": topics, "other": other}


def _latest(app, client, *, kept: bool) -> str:
    server = app.extensions.pop(KEPT_LATEST, None)
    if kept:
        app.extensions[KEPT_LATEST] = server
    try:
        response = client.get("/latest")
    finally:
        app.extensions[KEPT_LATEST] = server
    assert response.status_code == 200
    return CSRF_TOKEN.sub("TOKEN", response.get_data(as_text=True))


def test_kept_lists_are_the_ordinary_ones_for_every_reader(app, forum):
    people = forum["people"]
    clients = {name: signed_in(app, user) for name, user in people.items()}
    for name in ["second", "first", "moderator", "moderator2", "first", "second"]:
        kept = _latest(app, clients[name], kept=True)
        assert kept == _latest(app, clients[name], kept=False), name
        assert ("Nur für das Team" in kept) == name.startswith("moderator")
    assert [key for key in kept_pages(app).pages if key[0] == "latest"]
    first = _latest(app, clients["first"], kept=True)
    second = _latest(app, clients["second"], kept=True)
    assert first != second  # their own unread counts and new marks
    assert "Menu for erster" in first and "Menu for erster" not in second


def test_a_kept_list_costs_the_member_and_one_statement(app, forum):
    client = signed_in(app, forum["people"]["first"])
    _latest(app, client, kept=True)
    with counting_statements(app) as statements:
        assert client.get("/latest").status_code == 200
    reads = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(reads) == 2, statements


def test_a_reader_who_muted_a_category_gets_their_own_list(app, forum):
    people = forum["people"]
    second = signed_in(app, people["second"])
    assert "Beim Plaudern" in _latest(app, second, kept=True)
    with app.app_context():
        watching.set_category_level(people["first"].id, forum["other"].id, Level.MUTED)
    first = signed_in(app, people["first"])
    page = _latest(app, first, kept=True)
    assert "Beim Plaudern" not in page
    assert page == _latest(app, first, kept=False)
    assert "Beim Plaudern" in _latest(app, second, kept=True)


def test_a_new_topic_shows_at_once(app, make, forum):
    client = signed_in(app, forum["people"]["second"])
    assert "Ganz neu hier" not in _latest(app, client, kept=True)
    make.topic(make.user("neu"), category=forum["other"], title="Ganz neu hier")
    assert "Ganz neu hier" in _latest(app, client, kept=True)


def _category_page(app, client, category, *, kept: bool, query: str = "") -> str:
    from forum.boards.views import KEPT_CATEGORY

    server = app.extensions.pop(KEPT_CATEGORY, None)
    if kept:
        app.extensions[KEPT_CATEGORY] = server
    try:
        response = client.get(f"/c/{category.slug}/{category.id}{query}")
    finally:
        app.extensions[KEPT_CATEGORY] = server
    assert response.status_code == 200
    return CSRF_TOKEN.sub("TOKEN", response.get_data(as_text=True))


def test_kept_category_pages_are_the_ordinary_ones_for_every_reader(app, make, forum):
    from datetime import timedelta

    from forum.db import utcnow
    from forum.users.models import User

    people = dict(forum["people"])
    people["silenced"] = make.user("still")
    help_board = make.category("Nachbarschaftshilfe", read_level="members", kind="help")
    make.topic(
        make.user("helfer"),
        category=help_board,
        title="Wer hilft beim Umzug?",
        help_kind="request",
        municipality="brome",
    )
    with app.app_context():
        db.session.execute(
            sa_update(User)
            .where(User.id == people["silenced"].id)
            .values(silenced_until=utcnow() + timedelta(days=2))
        )
        db.session.commit()
        watching.set_category_level(people["first"].id, forum["other"].id, Level.WATCHING)
    clients = {name: signed_in(app, user) for name, user in people.items()}
    for category in (forum["other"], help_board):
        for name in ["second", "first", "silenced", "moderator", "first", "moderator2"]:
            kept = _category_page(app, clients[name], category, kept=True)
            assert kept == _category_page(app, clients[name], category, kept=False), (
                category.name,
                name,
            )
            assert ("New topic" in kept) == (name != "silenced"), name
    assert [key for key in kept_pages(app).pages if key[0] == "category"]
    # A filtered help list and a further window are rendered as ever.
    filtered = _category_page(app, clients["first"], help_board, kept=True, query="?kind=request")
    assert filtered == _category_page(
        app, clients["first"], help_board, kept=False, query="?kind=request"
    )
