"""Per-event mails: a reply, mention, quote or message the member has not seen is mailed once."""

from datetime import timedelta

from forum.boards.models import ReadLevel, Topic
from forum.db import utcnow
from forum.extensions import db
from forum.notifications.models import Notification
from forum.users.models import User

from .conftest import away, notification, part, subject


def _send(runner) -> str:
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def test_an_unseen_reply_is_mailed_once(app, runner, mailbox, scene):
    notification(app, scene.anke.id, "replied", scene.post)
    assert "Queued 1 notification mails" in _send(runner)
    [mail] = mailbox.wait_for("anke@example.org")
    assert subject(mail) == "New reply in “Wer hilft beim Umzug?”"
    html, text = part(mail, "text/html"), part(mail, "text/plain")
    assert "<strong>gern</strong>" in html
    assert "Ich komme gern vorbei." in text and "> Wer hilft?" in text
    # The post's own links work from a mail program.
    assert 'href="http://forum.test/t/plan/1"' in html
    assert f"http://forum.test/p/{scene.post.id}" in text
    assert "because lena replied to your post" in text
    assert mail["List-Unsubscribe"].startswith("<http://forum.test/email/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Reply-To"] is None  # reply by mail is off unless configured
    assert "Queued 0 notification mails" in _send(runner)
    assert len(mailbox.to("anke@example.org")) == 1


def test_the_mail_is_in_the_members_language(app, runner, mailbox, scene, make):
    bernd = make.user("bernd", locale="de")
    away(app, bernd.id, 60)
    notification(app, bernd.id, "mentioned", scene.post)
    _send(runner)
    [mail] = mailbox.wait_for("bernd@example.org")
    assert subject(mail) == "lena hat Sie in „Wer hilft beim Umzug?“ erwähnt"
    assert "weil lena Sie erwähnt hat" in part(mail, "text/plain")


def test_nothing_is_mailed_too_early_or_to_a_member_who_is_here(app, runner, mailbox, scene):
    notification(app, scene.anke.id, "replied", scene.post, minutes_ago=2)
    assert "Queued 0" in _send(runner)
    away(app, scene.anke.id, minutes=3)
    notification(app, scene.anke.id, "quoted", scene.post, minutes_ago=20)
    assert "Queued 0" in _send(runner)
    # Once she has been away long enough, the older one goes out (the newer is not due yet).
    away(app, scene.anke.id, minutes=30)
    assert "Queued 1" in _send(runner)
    assert subject(mailbox.wait_for("anke@example.org")[0]).startswith("lena quoted you")


def test_a_read_notification_is_not_mailed(app, runner, mailbox, scene):
    notification_id = notification(app, scene.anke.id, "replied", scene.post)
    with app.app_context():
        db.session.get(Notification, notification_id).read_at = utcnow()
        db.session.commit()
    assert "Queued 0" in _send(runner)


def test_the_members_choices_are_respected(app, runner, mailbox, scene):
    with app.app_context():
        user = db.session.get(User, scene.anke.id)
        user.email_on_reply = user.email_on_message = False
        db.session.commit()
    notification(app, scene.anke.id, "replied", scene.post)
    notification(app, scene.anke.id, "quoted", scene.post)
    notification(app, scene.anke.id, "private_message", scene.post)
    assert "Queued 0" in _send(runner)
    notification(app, scene.anke.id, "mentioned", scene.post)
    notification(app, scene.anke.id, "posted", scene.post)
    assert "Queued 2" in _send(runner)


def test_no_mail_about_a_post_the_member_may_no_longer_read(app, runner, mailbox, scene, make):
    staff = make.category("Nur Koordination", read_level=ReadLevel.STAFF)
    with app.app_context():
        db.session.get(Topic, scene.topic.id).category_id = staff.id
        db.session.commit()
    notification(app, scene.anke.id, "replied", scene.post)
    assert "Queued 0" in _send(runner)
    assert mailbox.to("anke@example.org") == []


def test_no_mail_for_old_notifications_or_unconfirmed_addresses(app, runner, scene, make):
    notification(app, scene.anke.id, "replied", scene.post, minutes_ago=60 * 72)
    unconfirmed = make.user("neu", confirmed=False)
    away(app, unconfirmed.id, 60)
    notification(app, unconfirmed.id, "replied", scene.post)
    assert "Queued 0" in _send(runner)


def test_a_member_seen_on_the_forum_is_not_mailed(app, client, runner, scene, login_as):
    notification(app, scene.anke.id, "replied", scene.post)
    login_as(scene.anke)
    away(app, scene.anke.id, minutes=5)  # the login was five minutes ago
    client.get("/")  # ... but she is on the forum now
    with app.app_context():
        seen = db.session.get(User, scene.anke.id).last_seen_at
    assert seen > utcnow() - timedelta(minutes=1)
    assert "Queued 0" in _send(runner)


def test_titles_and_names_are_text_in_the_html_mail(app, runner, mailbox, make):
    anke = make.user("anke", locale="en")
    topic = make.topic(anke, title='"><x-hostile> Umzug')
    post = make.post(topic, make.user("lena"), raw="Antwort <x-hostile>")
    away(app, anke.id, 60)
    notification(app, anke.id, "quoted", post, actor='"><x-hostile>')
    _send(runner)
    [mail] = mailbox.wait_for("anke@example.org")
    html = part(mail, "text/html")
    assert "<x-hostile>" not in html
    assert "&lt;x-hostile&gt;" in html


def test_notifications_that_cannot_be_mailed_hold_up_no_others(app, mailbox, scene, monkeypatch):
    from forum.mail import send_due
    from forum.mailing import events

    for _ in range(3):
        notification(app, scene.anke.id, "replied", scene.post)
    with app.app_context():
        for row in db.session.query(Notification).all():
            row.data = {**row.data, "post_id": 999999}  # a post that is gone
        db.session.commit()
    notification(app, scene.anke.id, "mentioned", scene.post)
    with app.app_context():
        assert len(events.due_notifications(limit=2)) == 2
        original = events.due_notifications
        monkeypatch.setattr(
            events, "due_notifications", lambda after_id=0: original(limit=2, after_id=after_id)
        )
        assert events.queue_due_notifications() == 1
        send_due()
    assert subject(mailbox.wait_for("anke@example.org")[0]).startswith("lena mentioned you")


def test_a_post_read_in_the_topic_is_not_mailed(app, client, runner, mailbox, scene, login_as):
    notification(app, scene.anke.id, "replied", scene.post)
    login_as(scene.anke)
    assert client.get(f"/p/{scene.post.id}", follow_redirects=True).status_code == 200
    away(app, scene.anke.id, minutes=30)
    assert "Queued 0" in _send(runner)
    assert mailbox.to("anke@example.org") == []


def test_the_coordinators_delay_from_the_settings_page_takes_effect(app, runner, mailbox, scene):
    from forum.site.services import set_setting

    # 20 minutes old, away for 30: due with the default of 10 minutes ...
    away(app, scene.anke.id, minutes=30)
    notification(app, scene.anke.id, "replied", scene.post, minutes_ago=20)
    with app.app_context():
        set_setting("EMAIL_NOTIFY_DELAY_MINUTES", 25)
        db.session.commit()
    # ... but the coordinator asked for 25.
    assert "Queued 0" in _send(runner)
    with app.app_context():
        set_setting("EMAIL_NOTIFY_DELAY_MINUTES", 15)
        db.session.commit()
    assert "Queued 1" in _send(runner)
    assert mailbox.wait_for("anke@example.org")
