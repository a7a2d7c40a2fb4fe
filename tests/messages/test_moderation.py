"""Moderators and personal messages: a flagged message with its context, held
messages, no moderator tools on a conversation."""

import re

import sqlalchemy as sa

from forum.extensions import db
from forum.messages.models import MessageParticipant
from forum.moderation.models import ReviewItem
from forum.users.models import User
from tests.messages.conftest import send


def _topic_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/t/[^/]+/(\d+)", response.location).group(1))


def _post_id(app, topic_id: int, number: int) -> int:
    from forum.boards.models import Post

    with app.app_context():
        return db.session.scalar(
            sa.select(Post.id).where(Post.topic_id == topic_id, Post.post_number == number)
        )


def test_a_flagged_message_is_shown_with_its_context_only(app, members, as_user, coordinator):
    anke, lena, _ = members
    anke_browser, lena_browser = as_user(anke), as_user(lena)
    topic_id = _topic_id(send(anke_browser, to="lena", raw="Nachricht EINS-1001"))
    texts = ["ZWEI-1002", "DREI-1003 beleidigend", "VIER-1004", "FUENF-1005", "SECHS-1006"]
    for number, text in enumerate(texts, start=2):
        browser = lena_browser if number % 2 == 0 else anke_browser
        assert browser.post(f"/t/{topic_id}/reply", data={"raw": f"Text {text}"}).status_code == 302
    flagged = _post_id(app, topic_id, 3)  # anke's "DREI"
    response = lena_browser.post(
        f"/p/{flagged}/flag", data={"reason": "other", "message": "Bitte ansehen", "submit": "y"}
    )
    assert response.status_code == 302
    with app.app_context():
        item_id = db.session.scalar(sa.select(ReviewItem.id).where(ReviewItem.post_id == flagged))
    moderator = as_user(coordinator)
    page = moderator.get(f"/review/{item_id}").get_data(as_text=True)
    assert "In a private conversation" in page
    assert "DREI-1003" in page and "the flagged message" in page
    for around in ("EINS-1001", "ZWEI-1002", "VIER-1004", "FUENF-1005"):
        assert around in page
    assert "SECHS-1006" not in page
    # The conversation itself stays closed to the moderator.
    assert moderator.get(f"/t/x/{topic_id}").status_code == 404
    assert "SECHS-1006" not in moderator.get("/messages").get_data(as_text=True)
    # The decision works as for any flag.
    response = moderator.post(
        f"/review/{item_id}/flags", data={"decision": "agree_hide", "silence_days": "0"}
    )
    assert response.status_code == 302
    page = lena_browser.get(f"/t/x/{topic_id}", follow_redirects=True).get_data(as_text=True)
    assert "DREI-1003" not in page and "SECHS-1006" in page


def test_a_held_conversation_gets_its_participants_on_approval(
    app, make, members, as_user, admin, coordinator
):
    from forum.admin.services import add_watched_word

    with app.app_context():
        add_watched_word(db.session.get(User, admin.id), "spendenaufruf", "hold")
    anke_browser = as_user(members[0])
    response = send(anke_browser, to="lena", raw="Ein spendenaufruf für alle HALTEN-2020")
    assert response.status_code == 302 and response.location.endswith("/messages")
    with app.app_context():
        item_id = db.session.scalar(sa.select(ReviewItem.id).where(ReviewItem.kind == "held_post"))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MessageParticipant)) == 0
    moderator = as_user(coordinator)
    page = moderator.get(f"/review/{item_id}").get_data(as_text=True)
    assert "Personal message" in page and "HALTEN-2020" in page
    assert moderator.post(f"/review/{item_id}/approve", data={"next": ""}).status_code == 302
    page = as_user(members[1]).get("/messages").get_data(as_text=True)
    assert "Eine private Frage" in page
    # Approving did not make the moderator a participant.
    assert "Eine private Frage" not in moderator.get("/messages").get_data(as_text=True)


def test_a_new_members_reply_to_a_member_is_held(app, make, members, as_user):
    newcomer = make.user("neuling", locale="en")
    topic_id = _topic_id(send(as_user(members[0]), to="neuling"))
    response = as_user(newcomer).post(f"/t/{topic_id}/reply", data={"raw": "Danke WARTET-3030"})
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalar(sa.select(ReviewItem).where(ReviewItem.kind == "held_post"))
        assert item is not None and item.topic_id == topic_id and item.reason == "new_member"
    assert "WARTET-3030" not in as_user(members[0]).get(
        f"/t/x/{topic_id}", follow_redirects=True
    ).get_data(as_text=True)


def test_a_new_members_reply_to_the_office_is_not_held(app, make, coordinator, as_user):
    newcomer = make.user("neuling", locale="en")
    browser = as_user(newcomer)
    topic_id = _topic_id(send(browser, office=True))
    answer = as_user(coordinator).post(f"/t/{topic_id}/reply", data={"raw": "Hallo!"})
    assert answer.status_code == 302
    response = browser.post(f"/t/{topic_id}/reply", data={"raw": "Danke OFFEN-4040"})
    assert response.status_code == 302
    assert "OFFEN-4040" in browser.get(response.location, follow_redirects=True).get_data(
        as_text=True
    )


def test_no_moderator_tools_on_an_office_conversation(app, members, as_user, coordinator):
    topic_id = _topic_id(send(as_user(members[0]), office=True))
    moderator = as_user(coordinator)
    page = moderator.get(f"/t/x/{topic_id}", follow_redirects=True).get_data(as_text=True)
    assert "Moderate this topic" not in page and "Private conversation" in page
    for action in ("unlist", "delete"):
        response = moderator.post(f"/t/{topic_id}/moderate", data={"action": action})
        assert response.status_code == 403
    response = moderator.post(f"/t/{topic_id}/move", data={"category": "1", "submit": "y"})
    assert response.status_code == 403


def test_messages_count_for_no_profile_and_earn_no_unreviewed_posts(app, make, members, as_user):
    from forum.boards import consistency
    from forum.boards.models import Category

    newcomer = make.user("neuling", locale="en")
    browser = as_user(newcomer)
    topic_id = _topic_id(send(browser, office=True))
    assert browser.post(f"/t/{topic_id}/reply", data={"raw": "Noch eine Frage."}).status_code == 302
    anke_topic = _topic_id(send(as_user(members[0]), to="lena"))
    assert (
        as_user(members[1]).post(f"/t/{anke_topic}/reply", data={"raw": "Gern."}).status_code == 302
    )
    with app.app_context():
        account = db.session.get(User, newcomer.id)
        assert (account.topic_count, account.post_count, account.published_post_count) == (0, 0, 0)
        assert db.session.get(User, members[0].id).topic_count == 0
        # (The fixture gave the members published posts they did not write.)
        trusted = {m.id for m in members}
        drift = [
            d
            for d in consistency.find_drift()
            if not (d.column == "published_post_count" and d.row_id in trusted)
        ]
        assert drift == []
    # So the newcomer's first public post still waits for review.
    category = make.category("Offen", read_level="public")
    public = make.topic(members[0], category, "Ein öffentliches Thema")
    response = browser.post(f"/t/{public.id}/reply", data={"raw": "Mein erster Beitrag."})
    assert response.status_code == 302
    with app.app_context():
        held = db.session.scalar(
            sa.select(ReviewItem).where(
                ReviewItem.kind == "held_post", ReviewItem.topic_id == public.id
            )
        )
        assert held is not None and held.reason == "new_member"
        assert (
            db.session.scalar(sa.select(Category.topic_count).where(Category.id == category.id))
            == 1
        )
