"""Personal messages through the real app: writing, reading, answering, adding
people, leaving; who reads a conversation and where it never shows up."""

import re

import sqlalchemy as sa

from forum.boards.models import Post, ReadLevel, Topic
from forum.extensions import db
from forum.messages.models import MessageParticipant
from forum.notifications.models import Notification
from tests.messages.conftest import send

SECRET = "VERTRAULICH-4471"


def _topic_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(r"/t/[^/]+/(\d+)", response.location)
    assert match, response.location
    return int(match.group(1))


def test_a_conversation_between_two_members(app, make, members, as_user, coordinator):
    anke, lena, mehmet = members
    anke_browser, lena_browser = as_user(anke), as_user(lena)
    response = send(anke_browser, to="lena", title=f"Frage {SECRET}", raw=f"Text {SECRET}")
    topic_id = _topic_id(response)
    url = response.location

    # Lena sees it in her list with one unread post, and in the header.
    page = lena_browser.get("/messages").get_data(as_text=True)
    assert SECRET in page and "anke" in page
    assert re.search(r'class="count-badge">1<', page)
    assert SECRET in lena_browser.get(url, follow_redirects=True).get_data(as_text=True)
    response = lena_browser.post(f"/t/{topic_id}/reply", data={"raw": "Gern, hier die Antwort."})
    response.close()  # the work after the response (telling anke) runs now
    assert response.status_code == 302
    assert "Gern, hier die Antwort." in anke_browser.get(url, follow_redirects=True).get_data(
        as_text=True
    )

    with app.app_context():
        kinds = {
            (n.user_id, n.kind)
            for n in db.session.scalars(
                sa.select(Notification).where(Notification.topic_id == topic_id)
            )
        }
    assert kinds == {(lena.id, "private_message"), (anke.id, "private_message")}

    # Nobody else reads it: not the third member, not a moderator, not a guest.
    for other in (as_user(mehmet), as_user(coordinator), app.test_client()):
        assert other.get(url, follow_redirects=True).status_code == 404
        assert other.get(f"/t/{topic_id}/reply").status_code in (302, 404)
        for page in ("/latest", "/", "/unread", "/u/anke", "/search?q=vertraulich", "/api/latest"):
            response = other.get(page)
            assert SECRET not in response.get_data(as_text=True), page


def test_a_member_asks_the_coordination_office(app, make, members, as_user, coordinator, admin):
    anke = members[0]
    anke_browser = as_user(anke)
    topic_id = _topic_id(send(anke_browser, office=True, title=f"Wie helfe ich? {SECRET}"))
    moderator = as_user(coordinator)
    page = moderator.get("/messages").get_data(as_text=True)
    assert "Inbox of the coordination office" in page and SECRET in page
    response = moderator.post(f"/t/{topic_id}/reply", data={"raw": "Willkommen! So geht es."})
    response.close()  # the work after the response (telling anke) runs now
    assert response.status_code == 302
    assert "Willkommen! So geht es." in anke_browser.get(
        response.location, follow_redirects=True
    ).get_data(as_text=True)
    # Every staff member reads the inbox; another member does not.
    assert as_user(admin).get(f"/t/x/{topic_id}", follow_redirects=True).status_code == 200
    assert as_user(members[1]).get(f"/t/x/{topic_id}").status_code == 404
    with app.app_context():
        notified = set(
            db.session.scalars(
                sa.select(Notification.user_id).where(Notification.topic_id == topic_id)
            )
        )
    assert notified == {coordinator.id, admin.id, anke.id}


def test_a_moderator_cannot_read_a_conversation_between_members(app, members, as_user, coordinator):
    topic_id = _topic_id(send(as_user(members[0]), to="lena", raw=SECRET))
    moderator = as_user(coordinator)
    assert moderator.get(f"/t/x/{topic_id}").status_code == 404
    assert SECRET not in moderator.get("/messages").get_data(as_text=True)
    # Nor move it into a public category.
    assert moderator.post(f"/t/{topic_id}/moderate", data={"action": "unlist"}).status_code == 404


def test_participants_are_added_and_leave(app, members, as_user):
    anke, lena, mehmet = members
    anke_browser, mehmet_browser = as_user(anke), as_user(mehmet)
    topic_id = _topic_id(send(anke_browser, to="lena", raw=SECRET))
    assert mehmet_browser.get(f"/t/x/{topic_id}").status_code == 404
    # Lena (any participant) adds Mehmet.
    response = as_user(lena).post(f"/messages/{topic_id}/participants", data={"username": "Mehmet"})
    assert response.status_code == 302
    assert SECRET in mehmet_browser.get(f"/t/x/{topic_id}", follow_redirects=True).get_data(
        as_text=True
    )
    # Adding someone twice, or nobody, is refused with a message.
    response = anke_browser.post(
        f"/messages/{topic_id}/participants", data={"username": "mehmet"}, follow_redirects=True
    )
    assert "mehmet takes part already." in response.get_data(as_text=True)
    response = anke_browser.post(
        f"/messages/{topic_id}/participants", data={"username": "niemand"}, follow_redirects=True
    )
    assert "There is no member called" in response.get_data(as_text=True)
    # Mehmet leaves: the conversation is gone for him.
    assert mehmet_browser.post(f"/messages/{topic_id}/leave").status_code == 302
    assert mehmet_browser.get(f"/t/x/{topic_id}").status_code == 404
    assert SECRET not in mehmet_browser.get("/messages").get_data(as_text=True)
    assert mehmet_browser.post(f"/messages/{topic_id}/leave").status_code == 404


def test_who_cannot_be_messaged(app, make, members, as_user):
    anke = members[0]
    browser = as_user(anke)
    make.user("bewerber", role="applicant")
    suspended = make.user("gesperrt")
    with app.app_context():
        from datetime import timedelta

        from forum.db import utcnow
        from forum.users.models import User

        db.session.get(User, suspended.id).suspended_until = utcnow() + timedelta(days=2)
        db.session.commit()
    for name in ("bewerber", "gesperrt", "anke", "niemand", ""):
        response = send(browser, to=name)
        assert response.status_code == 400, name
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MessageParticipant)) == 0
    # Guests and applicants have no messages at all.
    assert app.test_client().get("/messages").status_code == 302


def test_members_can_refuse_messages_from_members(app, members, as_user, coordinator):
    anke, lena, _ = members
    lena_browser = as_user(lena)
    response = lena_browser.post("/messages/settings", data={"submit": "y"})
    assert response.status_code == 302
    response = send(as_user(anke), to="lena")
    assert response.status_code == 400
    assert "lena cannot receive messages from you." in response.get_data(as_text=True)
    # The coordination office still can.
    assert send(as_user(coordinator), to="lena").status_code == 302


def test_an_ignored_member_cannot_write_and_is_collapsed(app, make, members, as_user):
    anke, lena, _ = members
    lena_browser = as_user(lena)
    assert lena_browser.post("/u/anke/ignore").status_code == 302
    assert send(as_user(anke), to="lena").status_code == 400
    category = make.category("Offen", read_level=ReadLevel.PUBLIC)
    topic = make.topic(anke, category, "Ein Thema von Anke", f"Text {SECRET}")
    page = lena_browser.get(f"/t/{topic.slug}/{topic.id}").get_data(as_text=True)
    assert "You ignore anke. Show the post" in page
    page = lena_browser.get("/messages/settings").get_data(as_text=True)
    assert "Stop ignoring anke" in page
    assert lena_browser.post("/u/anke/unignore", data={"next": "settings"}).status_code == 302
    assert send(as_user(anke), to="lena").status_code == 302
    with app.app_context():
        from forum.permissions import is_ignoring

        assert not is_ignoring(lena.id, anke.id)


def test_a_new_member_writes_to_the_office_unheld_but_not_to_members(app, make, members, as_user):
    newcomer = make.user("neuling", locale="en")
    browser = as_user(newcomer)
    response = send(browser, to="anke")
    assert response.status_code == 400
    assert "coordination office" in response.get_data(as_text=True)
    topic_id = _topic_id(send(browser, office=True))
    with app.app_context():
        assert db.session.get(Topic, topic_id).posts_count == 1


def test_private_topics_stay_out_of_the_messages_category_page(app, members, as_user, admin):
    topic_id = _topic_id(send(as_user(members[0]), to="lena", raw=SECRET))
    with app.app_context():
        topic = db.session.get(Topic, topic_id)
        slug = topic.category.slug
        assert topic.category.read_level == ReadLevel.PRIVATE
        post = db.session.scalar(sa.select(Post).where(Post.topic_id == topic_id))
    admin_browser = as_user(admin)
    assert admin_browser.get(f"/c/{slug}").status_code == 404
    assert admin_browser.get(f"/p/{post.id}").status_code == 404
    assert SECRET not in admin_browser.get("/").get_data(as_text=True)


def test_the_notification_of_a_message_is_listed_while_the_reader_takes_part(app, members, as_user):
    anke, lena, _ = members
    topic_id = _topic_id(send(as_user(anke), to="lena", title=f"Frage {SECRET}"))
    lena_browser = as_user(lena)
    page = lena_browser.get("/notifications").get_data(as_text=True)
    assert f"anke wrote to you: “Frage {SECRET}”" in page
    notification = lena_browser.get(
        "/notifications/" + page.split('href="/notifications/')[1].split('"')[0]
    )
    assert notification.headers["Location"].endswith(f"/t/frage-vertraulich-4471/{topic_id}#post_1")
    assert lena_browser.post(f"/messages/{topic_id}/leave").status_code == 302
    assert "You left the conversation" in lena_browser.get("/messages").get_data(as_text=True)
    assert SECRET not in lena_browser.get("/notifications").get_data(as_text=True)


def test_a_profile_offers_a_message_and_ignoring(app, members, as_user, coordinator):
    anke, lena, _ = members
    browser = as_user(anke)
    page = browser.get("/u/lena").get_data(as_text=True)
    assert 'href="/messages/new?to=lena"' in page and "Ignore lena" in page
    form = browser.get("/messages/new?to=lena").get_data(as_text=True)
    assert 'value="lena"' in form
    # Staff cannot be ignored; one's own profile offers neither.
    page = browser.get("/u/koordination").get_data(as_text=True)
    assert "/messages/new?to=koordination" in page and "Ignore koordination" not in page
    assert "/messages/new?to=anke" not in browser.get("/u/anke").get_data(as_text=True)
    assert browser.post("/u/koordination/ignore").status_code == 302
    with app.app_context():
        from forum.permissions import is_ignoring

        assert not is_ignoring(anke.id, coordinator.id)
    # Lena refuses messages from members: the button goes away for Anke.
    as_user(lena).post("/messages/settings", data={"submit": "y"})
    assert "/messages/new?to=lena" not in browser.get("/u/lena").get_data(as_text=True)
    settings = as_user(lena).get("/messages/settings").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="from_members"(?![^>]*checked)[^>]*>', settings)
    # Guests see neither.
    assert "/messages/new" not in app.test_client().get("/u/lena").get_data(as_text=True)


def test_a_bookmarked_message_is_listed_for_its_participant_only(app, members, as_user):
    anke, lena, _ = members
    topic_id = _topic_id(send(as_user(anke), to="lena", title=f"Frage {SECRET}"))
    with app.app_context():
        post_id = db.session.scalar(sa.select(Post.id).where(Post.topic_id == topic_id))
    lena_browser = as_user(lena)
    assert lena_browser.post(f"/p/{post_id}/bookmark").status_code == 302
    page = lena_browser.get("/bookmarks").get_data(as_text=True)
    assert SECRET in page and "Personal message" in page
    assert lena_browser.post(f"/messages/{topic_id}/leave").status_code == 302
    lena_browser.get("/messages")  # the flashed "You left ..." names the title
    assert SECRET not in lena_browser.get("/bookmarks").get_data(as_text=True)
