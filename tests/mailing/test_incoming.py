"""Replies by e-mail: real mail programs' replies become posts; everything else is refused."""

from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from forum.boards.models import Post, ReadLevel, Topic
from forum.extensions import db
from forum.mailing.tokens import reply_address
from forum.moderation.models import ReviewItem
from forum.users.models import User

from .conftest import away, notification, part

SAMPLES = Path(__file__).resolve().parents[1] / "mail_samples"
NEW_TEXT = "Ich bringe am Samstag zwei Kisten mit."


@pytest.fixture
def app_config(app_config):
    return {**app_config, "REPLY_BY_EMAIL_ADDRESS": "antwort@forum.example"}


def _sample(name: str, sender: str, to: str) -> bytes:
    text = (SAMPLES / name).read_bytes().decode("latin-1")
    return text.replace("{FROM}", sender).replace("{TO}", to).encode("latin-1")


def _reply_to(app, user, topic) -> str:
    with app.app_context():
        return reply_address(user.id, topic.id)


def _receive(runner, raw: bytes) -> str:
    result = runner.invoke(args=["mail", "receive", "--stdin"], input=raw)
    assert result.exit_code == 0, result.output
    return result.output


def _posts(app, topic) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(Post.raw).where(Post.topic_id == topic.id).order_by(Post.post_number)
            )
        )


def _published(app, user_id: int) -> None:
    with app.app_context():
        db.session.get(User, user_id).published_post_count = 10
        db.session.commit()


@pytest.mark.parametrize(
    "sample",
    [
        "outlook_de.eml",
        "outlook_html_only_de.eml",
        "thunderbird_de.eml",
        "gmail_de.eml",
        "apple_mail_de.eml",
    ],
)
def test_a_reply_from_a_mail_program_is_posted_without_the_quote(app, runner, scene, sample):
    _published(app, scene.anke.id)
    raw = _sample(sample, "anke@example.org", _reply_to(app, scene.anke, scene.topic))
    assert "Message: posted" in _receive(runner, raw)
    posts = _posts(app, scene.topic)
    assert len(posts) == 3
    assert NEW_TEXT in posts[-1]
    assert "Ich komme gern vorbei" not in posts[-1]
    assert "Gifhorn" not in posts[-1]  # neither the quote header nor a signature
    # Delivered twice (a retrying server, a re-fetch): posted once.
    assert "Message: duplicate" in _receive(runner, raw)
    assert len(_posts(app, scene.topic)) == 3


def test_the_notification_mail_offers_reply_by_mail(app, runner, mailbox, scene):
    notification(app, scene.anke.id, "replied", scene.post)
    runner.invoke(args=["mail", "send"])
    [mail] = mailbox.wait_for("anke@example.org")
    assert mail["Reply-To"] == _reply_to(app, scene.anke, scene.topic)
    assert mail["Reply-To"].startswith("antwort+") and mail["Reply-To"].endswith("@forum.example")
    assert "You can also answer this mail" in part(mail, "text/plain")


def test_a_new_members_reply_is_held_like_on_the_web(app, runner, scene, make):
    new = make.user("neu")  # has not published a post yet
    raw = _sample("thunderbird_de.eml", "neu@example.org", _reply_to(app, new, scene.topic))
    assert "Message: held" in _receive(runner, raw)
    assert len(_posts(app, scene.topic)) == 2
    with app.app_context():
        [item] = db.session.scalars(sa.select(ReviewItem)).all()
        assert NEW_TEXT in item.payload["raw"]


def _refusal(mailbox, address: str) -> str:
    [mail] = mailbox.wait_for(address)
    return part(mail, "text/plain")


def test_an_unknown_sender_is_told_and_nothing_is_posted(app, runner, mailbox, scene):
    raw = _sample("gmail_de.eml", "fremd@example.net", _reply_to(app, scene.anke, scene.topic))
    assert "unknown_sender" in _receive(runner, raw)
    assert len(_posts(app, scene.topic)) == 2
    text = _refusal(mailbox, "fremd@example.net")
    assert "Hallo," in text and "Adresse" in text  # the forum's language for strangers
    # Not a member's address: the forum relays no text to it (a forged From
    # would make the forum mail anything to anyone).
    assert NEW_TEXT not in text


def test_a_forged_token_is_refused(app, runner, mailbox, scene):
    good = _reply_to(app, scene.anke, scene.topic)
    forged = good[:-20] + ("0" if good[-20] != "0" else "1") + good[-19:]
    raw = _sample("thunderbird_de.eml", "anke@example.org", forged)
    assert "bad_token" in _receive(runner, raw)
    assert len(_posts(app, scene.topic)) == 2
    assert "could not tell which topic" in _refusal(mailbox, "anke@example.org")


def test_an_expired_token_is_refused(app, runner, mailbox, scene):
    app.config["REPLY_BY_EMAIL_MAX_AGE_DAYS"] = -1
    raw = _sample("apple_mail_de.eml", "anke@example.org", _reply_to(app, scene.anke, scene.topic))
    assert "expired" in _receive(runner, raw)
    assert len(_posts(app, scene.topic)) == 2
    assert "too old" in _refusal(mailbox, "anke@example.org")


def test_a_member_who_may_no_longer_write_there_is_told(app, runner, mailbox, scene, make):
    raw = _sample("outlook_de.eml", "anke@example.org", _reply_to(app, scene.anke, scene.topic))
    staff = make.category("Intern", read_level=ReadLevel.STAFF)
    with app.app_context():
        db.session.get(Topic, scene.topic.id).category_id = staff.id
        db.session.commit()
    assert "not_allowed" in _receive(runner, raw)
    assert len(_posts(app, scene.topic)) == 2
    assert "You may not reply in this topic" in _refusal(mailbox, "anke@example.org")


def test_an_oversized_mail_is_refused(app, runner, mailbox, scene):
    app.config["INCOMING_MAIL_MAX_BYTES"] = 500
    raw = _sample("outlook_de.eml", "anke@example.org", _reply_to(app, scene.anke, scene.topic))
    assert "too_large" in _receive(runner, raw)
    assert "too large" in _refusal(mailbox, "anke@example.org")
    assert len(_posts(app, scene.topic)) == 2


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-replied",
        "Precedence: bulk",
        "Precedence: junk",
        "Precedence: list",
        "Return-Path: <>",
    ],
)
def test_auto_replies_and_bounces_are_dropped_silently(app, runner, mailbox, scene, header):
    raw = _sample("thunderbird_de.eml", "anke@example.org", _reply_to(app, scene.anke, scene.topic))
    assert "Message: dropped" in _receive(runner, header.encode() + b"\n" + raw)
    assert len(_posts(app, scene.topic)) == 2
    assert mailbox.wait_for("anke@example.org", timeout=0.5) == []


def test_a_bounce_from_the_mailer_daemon_is_dropped(app, runner, mailbox, scene):
    raw = _sample(
        "thunderbird_de.eml", "MAILER-DAEMON@example.org", _reply_to(app, scene.anke, scene.topic)
    )
    assert "Message: dropped" in _receive(runner, raw)
    assert mailbox.messages == []


def test_the_refusal_is_in_the_members_language(app, runner, mailbox, make, scene):
    bernd = make.user("bernd", locale="de")
    away(app, bernd.id, 60)
    raw = _sample("gmail_de.eml", "bernd@example.org", _reply_to(app, bernd, scene.topic))
    app.config["REPLY_BY_EMAIL_MAX_AGE_DAYS"] = -1
    assert "expired" in _receive(runner, raw)
    assert "Hallo bernd," in _refusal(mailbox, "bernd@example.org")


class FakeMailBox:
    """imap-tools' MailBox at its boundary (no IMAP server can run in the tests)."""

    instances: list["FakeMailBox"] = []
    messages: list[bytes] = []

    def __init__(self, host, port) -> None:
        self.host, self.port, self.flagged, self.logged_in = host, port, [], None
        FakeMailBox.instances.append(self)

    def login(self, user, password, initial_folder="INBOX"):
        self.logged_in = (user, password, initial_folder)
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def fetch(self, criteria, mark_seen=True):
        from imap_tools import MailMessage

        assert str(criteria) == "(UNSEEN)" and mark_seen is False
        for uid, raw in enumerate(self.messages, start=1):
            yield SimpleNamespace(obj=MailMessage.from_bytes(raw).obj, uid=str(uid))

    def flag(self, uid, flag, value) -> None:
        self.flagged.append((uid, flag, value))


def test_receive_fetches_unseen_mail_over_imap(app, runner, monkeypatch, scene):
    import imap_tools

    _published(app, scene.anke.id)
    app.config.update(
        INCOMING_MAIL_IMAP_HOST="imap.example.org",
        INCOMING_MAIL_IMAP_USER="antwort",
        INCOMING_MAIL_IMAP_PASSWORD="geheim",
        INCOMING_MAIL_IMAP_FOLDER="Forum",
    )
    address = _reply_to(app, scene.anke, scene.topic)
    FakeMailBox.instances = []
    FakeMailBox.messages = [
        _sample("gmail_de.eml", "anke@example.org", address),
        b"Auto-Submitted: auto-replied\n" + _sample("outlook_de.eml", "anke@example.org", address),
    ]
    monkeypatch.setattr(imap_tools, "MailBox", FakeMailBox)
    result = runner.invoke(args=["mail", "receive"])
    assert result.exit_code == 0, result.output
    assert "Processed 2 messages: posted, dropped" in result.output
    [box] = FakeMailBox.instances
    assert (box.host, box.port) == ("imap.example.org", 993)
    assert box.logged_in == ("antwort", "geheim", "Forum")
    assert box.flagged == [("1", "\\Seen", True), ("2", "\\Seen", True)]
    assert NEW_TEXT in _posts(app, scene.topic)[-1]


def test_the_loopback_smtp_receiver_posts_replies(app, scene):
    import smtplib
    import socket

    from forum.mailing import smtp_in

    _published(app, scene.anke.id)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = smtp_in.start(app, "127.0.0.1", port)
    address = _reply_to(app, scene.anke, scene.topic)
    try:
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            refused = smtp.sendmail(
                "anke@example.org",
                [address],
                _sample("apple_mail_de.eml", "anke@example.org", address),
            )
            assert refused == {}
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                smtp.sendmail("anke@example.org", ["jemand@example.org"], b"Subject: x\n\nx")
    finally:
        controller.stop()
    assert NEW_TEXT in _posts(app, scene.topic)[-1]


def test_receive_without_an_imap_server_says_what_to_set(app, runner):
    result = runner.invoke(args=["mail", "receive"])
    assert result.exit_code == 1
    assert "INCOMING_MAIL_IMAP_HOST is not set" in result.output
