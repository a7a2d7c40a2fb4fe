"""No notification ever names a topic, post or user its receiver may not see:
checked when it is made and again whenever the list is shown."""

import pytest
import sqlalchemy as sa

from forum.boards import services
from forum.boards.models import Category, Post, Topic
from forum.extensions import db
from forum.moderation.actions import move_topic
from forum.notifications import watching
from forum.notifications.models import Level
from forum.users.models import User
from tests.conftest import login
from tests.notifications.helpers import kinds

SECRET = "GEHEIM-BUERO-4242"


def _page(client, user) -> str:
    client.post("/logout")
    login(client, user)
    return client.get("/notifications").get_data(as_text=True)


def test_a_post_moved_into_a_staff_category_stops_showing(app, client, make):
    anke, lena = make.user("anke.schulz"), make.user("lena.brandes")
    moderator = make.user("koordination", role="moderator")
    public = make.category("Fragen", read_level="members")
    staff_room = make.category("Intern", read_level="staff")
    topic = make.topic(anke, public, f"Frage {SECRET}")
    make.post(topic, lena, "@anke.schulz hier die Antwort")
    assert SECRET in _page(client, anke)
    assert client.get("/notifications/count.json").get_json() == {"unread": 1}
    with app.app_context():
        move_topic(
            db.session.get(User, moderator.id),
            db.session.get(Topic, topic.id),
            db.session.get(Category, staff_room.id),
        )
    page = _page(client, anke)
    assert SECRET not in page and "lena.brandes" not in page
    assert client.get("/notifications/count.json").get_json() == {"unread": 0}
    assert 'href="/notifications/' not in page


def test_a_deleted_post_stops_showing_and_cannot_be_opened(app, client, make):
    anke, lena = make.user("anke.schulz"), make.user("lena.brandes")
    topic = make.topic(anke, make.category("Fragen"), "Offene Frage zum Amt")
    post = make.post(topic, lena, f"@anke.schulz {SECRET}")
    page = _page(client, anke)
    [notification_id] = [int(p.split('"')[0]) for p in page.split('href="/notifications/')[1:]]
    with app.app_context():
        services.delete_post(db.session.get(User, lena.id), db.session.get(Post, post.id))
    assert "lena.brandes" not in _page(client, anke)
    assert client.get(f"/notifications/{notification_id}").status_code == 404


def test_nobody_can_open_another_members_notification(app, client, make):
    anke, lena = make.user("anke.schulz"), make.user("lena.brandes")
    topic = make.topic(anke, make.category("Fragen"), "Offene Frage zum Amt")
    make.post(topic, lena, "Antwort")
    page = _page(client, anke)
    [notification_id] = [int(p.split('"')[0]) for p in page.split('href="/notifications/')[1:]]
    _page(client, make.user("neugierig"))
    assert client.get(f"/notifications/{notification_id}").status_code == 404


@pytest.mark.parametrize("read_level", ["public", "members", "staff"])
def test_no_notification_names_what_its_receiver_may_not_see(app, client, make, read_level):
    """Everybody watches everything, everybody is mentioned, replied to, quoted and
    liked; then each person's page holds only titles, posts and people they may see."""
    people = {
        "member": make.user("mitglied"),
        "applicant": make.user("bewerber", role="applicant"),
        "moderator": make.user("moderatorin", role="moderator"),
        "suspended": make.user("gesperrt"),
    }
    category = make.category(f"Kategorie {read_level}", read_level=read_level)
    with app.app_context():
        for person in people.values():
            watching.set_category_level(person.id, category.id, Level.WATCHING)
    author = people["moderator"] if read_level == "staff" else make.user("autorin")
    topic = make.topic(author, category, f"Thema {SECRET}", "@mitglied @bewerber @gesperrt")
    writer = people["moderator"]
    quote = "> **@mitglied** [↑](/t/x/1/1):\n>\n> x\n\n"
    raw = quote + "@mitglied @bewerber @gesperrt @autorin"
    make.post(topic, writer, raw, reply_to_post_number=1)
    with app.app_context():
        first = db.session.scalar(sa.select(Post).where(Post.topic_id == topic.id))
        liker = make.user("zweite", role="moderator")
        services.toggle_like(db.session.get(User, liker.id), first)
    readable = {
        "public": {"member", "applicant", "moderator", "suspended"},
        "members": {"member", "moderator", "suspended"},
        "staff": {"moderator"},
    }[read_level]
    for role, person in people.items():
        if role == "suspended":
            continue  # cannot log in; checked through the rows below
        page = _page(client, person)
        assert (SECRET in page) == (role in readable), role
    for role, person in people.items():
        told = kinds(app, person)
        if role not in readable:
            assert told == [], role
