"""Issue 11's cross-check: no notification, notification mail or mention suggestion
ever names a topic, post or user its receiver may not see — on the page, in the
bell's count, in the mail queue after ``mail send`` and in ``/u/search.json``."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.boards.models import Category, Post, Topic
from forum.db import utcnow
from forum.extensions import db
from forum.mail import OutgoingMail
from forum.users.models import User
from tests.conftest import login
from tests.messages.conftest import send

SECRET = "GEHEIMSACHE-7731"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "EMAIL_NOTIFY_DELAY_MINUTES": 0}


@pytest.fixture
def people(app, make):
    anke = make.user("anke.schulz", locale="en")
    lena = make.user("lena.brandes", locale="en")
    moderator = make.user("koordination", role="moderator", locale="en")
    with app.app_context():
        db.session.execute(
            sa.update(User)
            .where(User.id.in_([anke.id, lena.id, moderator.id]))
            .values(published_post_count=5)
        )
        db.session.commit()
    return anke, lena, moderator


def _client(app, user):
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(browser, user)
    return browser


def _away(app, user) -> None:
    """The member was last on the forum an hour ago: mails are due at once."""
    with app.app_context():
        db.session.execute(
            sa.update(User)
            .where(User.id == user.id)
            .values(last_seen_at=utcnow() - timedelta(hours=1))
        )
        db.session.commit()


def _told(app, user, mailbox) -> str:
    """Everything the forum tells ``user``: their notifications page, the bell's
    count, and the mails ``mail send`` queued and delivered to them."""
    browser = _client(app, user)
    page = browser.get("/notifications").get_data(as_text=True)
    count = browser.get("/notifications/count.json").get_json()["unread"]
    _away(app, user)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        queued = db.session.scalars(
            sa.select(OutgoingMail).where(OutgoingMail.recipient == user.email)
        ).all()
        queue = " ".join(m.subject + m.text_body + (m.html_body or "") for m in queued)
    delivered = " ".join(str(m) for m in mailbox.to(user.email))
    return f"{page}\ncount={count}\n{queue}\n{delivered}"


def test_a_mention_in_a_staff_category_tells_the_member_nothing(app, make, people, mailbox):
    anke, _lena, moderator = people
    staff_room = make.category("Intern", read_level="staff")
    topic = make.topic(moderator, staff_room, f"Intern {SECRET}")
    make.post(topic, moderator, f"@anke.schulz {SECRET} bitte nicht weitersagen")
    told = _told(app, anke, mailbox)
    assert SECRET not in told
    assert "count=0" in told
    assert mailbox.to(anke.email) == []


def test_the_control_case_is_told(app, make, people, mailbox):
    """The same mention in a category Anke reads reaches every channel (so the
    checks above can fail)."""
    anke, _lena, moderator = people
    topic = make.topic(moderator, make.category("Fragen"), f"Frage {SECRET}")
    make.post(topic, moderator, f"@anke.schulz {SECRET} schau mal")
    told = _told(app, anke, mailbox)
    assert "count=1" in told
    assert told.count(SECRET) >= 3  # page, queued mail, delivered mail
    assert len(mailbox.to(anke.email)) == 1


def test_a_category_made_stricter_after_the_notification(app, make, people, mailbox):
    anke, lena, _moderator = people
    category = make.category("Vorstand", read_level="members")
    topic = make.topic(anke, category, f"Frage {SECRET}")
    make.post(topic, lena, f"Antwort mit {SECRET}")
    browser = _client(app, anke)
    assert SECRET in browser.get("/notifications").get_data(as_text=True)
    with app.app_context():
        db.session.get(Category, category.id).read_level = "staff"
        db.session.commit()
    told = _told(app, anke, mailbox)
    assert SECRET not in told
    assert "lena.brandes" not in told.split("count=")[0]
    assert "count=0" in told
    assert mailbox.to(anke.email) == []


def test_a_conversation_the_member_left(app, make, people, mailbox):
    anke, lena, _moderator = people
    lena_browser = _client(app, lena)
    response = send(lena_browser, to="anke.schulz", title=f"Privat {SECRET}", raw="Hallo Anke")
    assert response.status_code == 302, response.get_data(as_text=True)
    response.close()  # the notifications are made when the response is closed
    with app.app_context():
        topic_id = db.session.scalar(sa.select(Topic.id).where(Topic.title.contains(SECRET)))
    anke_browser = _client(app, anke)
    assert SECRET in anke_browser.get("/notifications").get_data(as_text=True)
    response = anke_browser.post(f"/messages/{topic_id}/leave")
    assert response.status_code == 302
    response = lena_browser.post(f"/t/{topic_id}/reply", data={"raw": f"Noch etwas: {SECRET}"})
    assert response.status_code == 302
    response.close()
    told = _told(app, anke, mailbox)
    assert SECRET not in told
    assert "count=0" in told
    assert mailbox.to(anke.email) == []


def test_a_held_post_mentions_nobody_until_approved(app, make, people, mailbox):
    anke, _lena, _moderator = people
    newcomer = make.user("neu.hier", locale="en")
    topic = make.topic(anke, make.category("Fragen"), "Offene Frage")
    response = _client(app, newcomer).post(
        f"/t/{topic.id}/reply", data={"raw": f"@anke.schulz {SECRET} kauf billig"}
    )
    assert response.status_code == 302
    assert "#held_" in response.location  # waiting for review
    told = _told(app, anke, mailbox)
    assert SECRET not in told
    assert "count=0" in told


@pytest.mark.parametrize("role", ["applicant", "guest"])
def test_applicants_and_guests_get_no_names(app, make, people, role):
    browser = app.test_client()
    if role == "applicant":
        login(browser, make.user("bewerber", role="applicant"))
    response = browser.get("/u/search.json?term=anke")
    assert response.status_code in (302, 401, 403)
    assert "anke.schulz" not in response.get_data(as_text=True)


def test_suggestions_never_name_applicants_or_suspended_members(app, make, people):
    make.user("anke.bewerberin", role="applicant")
    suspended = make.user("anke.gesperrt")
    with app.app_context():
        db.session.get(User, suspended.id).suspended_until = utcnow() + timedelta(days=3)
        db.session.commit()
    names = [
        u["username"]
        for u in _client(app, people[1]).get("/u/search.json?term=anke").get_json()["users"]
    ]
    assert names == ["anke.schulz"]


def test_a_removed_account_is_not_named_in_others_notifications(app, make, people, admin):
    from forum.admin.people_actions import KEEP_POSTS, remove_account
    from forum.boards import services

    anke, lena, _moderator = people
    topic = make.topic(anke, make.category("Fragen"), "Offene Frage zum Amt")
    make.post(topic, lena, "@anke.schulz Antwort")
    with app.app_context():
        first = db.session.scalar(
            sa.select(Post).where(Post.topic_id == topic.id, Post.post_number == 1)
        )
        services.toggle_like(db.session.get(User, lena.id), first)
    browser = _client(app, anke)
    assert "lena.brandes" in browser.get("/notifications").get_data(as_text=True)
    with app.app_context():
        remove_account(db.session.get(User, admin.id), db.session.get(User, lena.id), KEEP_POSTS)
    page = browser.get("/notifications").get_data(as_text=True)
    assert "lena.brandes" not in page
    with app.app_context():
        shown_as = db.session.get(User, lena.id).display_name
    assert page.count(shown_as) == 2  # the mention and the like


def test_a_renamed_topic_shows_its_title_as_it_is_now(app, make, people):
    anke, lena, _moderator = people
    topic = make.topic(anke, make.category("Fragen"), f"Frage an Frau {SECRET}")
    make.post(topic, lena, "Antwort")
    browser = _client(app, anke)
    assert SECRET in browser.get("/notifications").get_data(as_text=True)
    with app.app_context():
        db.session.get(Topic, topic.id).title = "Frage zum Amt"
        db.session.commit()
    page = browser.get("/notifications").get_data(as_text=True)
    assert SECRET not in page
    assert "Frage zum Amt" in page


def test_a_waiting_mail_is_withdrawn_when_its_post_becomes_unreadable(app, make, people, mailbox):
    """A mail queued while Anke could read the topic (the mail server was down),
    then the category is made staff-only: the next ``mail send`` does not send it."""
    from forum.mailing.events import queue_due_notifications

    anke, lena, _moderator = people
    category = make.category("Vorstand", read_level="members")
    topic = make.topic(anke, category, f"Frage {SECRET}")
    make.post(topic, lena, f"Antwort mit {SECRET}")
    _away(app, anke)
    with app.app_context():
        assert queue_due_notifications() == 1
        db.session.get(Category, category.id).read_level = "staff"
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 0" in result.output
    assert mailbox.to(anke.email) == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail)) == 0
