"""The mail queue: queued once, sent once, retried with backoff, never lost."""

import socket
from datetime import timedelta

import sqlalchemy as sa

from forum.db import utcnow
from forum.extensions import db
from forum.mail import OutgoingMail, _claim, queue_mail, send_due


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rows(app) -> list[OutgoingMail]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(OutgoingMail).order_by(OutgoingMail.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def _make_due(app) -> None:
    with app.app_context():
        db.session.execute(sa.update(OutgoingMail).values(next_attempt_at=utcnow()))
        db.session.commit()


def test_a_dedupe_key_queues_a_mail_once(app, mailbox):
    with app.app_context():
        assert queue_mail("anna@example.org", "Eins", "Text", dedupe_key="probe:1")
        assert queue_mail("anna@example.org", "Eins", "Text", dedupe_key="probe:1") is None
    assert len(mailbox.wait_for("anna@example.org")) == 1
    [row] = _rows(app)
    assert row.sent_at is not None and row.attempts == 0


def test_mails_queued_in_a_request_go_out_after_the_response(app, mailbox):
    @app.get("/probe-queue")
    def probe():
        queue_mail("bert@example.org", "Hallo", "Text")
        queue_mail("carla@example.org", "Hallo", "Text")
        assert all(row.sent_at is None for row in db.session.scalars(sa.select(OutgoingMail)))
        return "ok"

    response = app.test_client().get("/probe-queue")
    assert mailbox.messages == []
    response.close()
    assert len(mailbox.wait_for("bert@example.org")) == 1
    assert len(mailbox.wait_for("carla@example.org")) == 1
    assert all(row.sent_at is not None for row in _rows(app))


def test_a_failing_server_keeps_the_mail_and_retries_with_backoff(app, mailbox, runner, caplog):
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = _closed_port()
    with app.app_context():
        queue_mail("dora@example.org", "Wichtig", "Text")
    [row] = _rows(app)
    assert row.sent_at is None and row.attempts == 1 and row.last_error
    assert row.next_attempt_at > utcnow() + timedelta(seconds=50)
    assert "Could not send mail" in caplog.text
    # Not due yet: the command leaves it alone.
    assert "sent 0, failed 0" in runner.invoke(args=["mail", "send"]).output
    _make_due(app)
    assert "sent 0, failed 1" in runner.invoke(args=["mail", "send"]).output
    [row] = _rows(app)
    assert row.attempts == 2
    assert row.next_attempt_at > utcnow() + timedelta(seconds=110)  # twice as long
    app.config["MAIL_PORT"] = port
    _make_due(app)
    assert "sent 1, failed 0" in runner.invoke(args=["mail", "send"]).output
    assert len(mailbox.wait_for("dora@example.org")) == 1
    assert "sent 0, failed 0" in runner.invoke(args=["mail", "send"]).output
    assert len(mailbox.to("dora@example.org")) == 1


def test_after_the_last_attempt_the_mail_is_kept_and_logged(app, runner, caplog):
    app.config["MAIL_PORT"] = _closed_port()
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    with app.app_context():
        queue_mail("emil@example.org", "Wichtig", "Text")
    _make_due(app)
    runner.invoke(args=["mail", "send"])
    [row] = _rows(app)
    assert row.failed_at is not None and row.sent_at is None
    assert "Gave up on mail" in caplog.text
    assert "failed: 1" in runner.invoke(args=["mail", "status"]).output


def test_two_workers_never_claim_the_same_mail(app):
    app.config["MAIL_SEND_AFTER_RESPONSE"] = False
    with app.app_context():
        ids = [queue_mail(f"p{i}@example.org", "Hallo", "Text") for i in range(3)]
        first = _claim(10, None)
    with app.app_context():
        second = _claim(10, None)
    assert sorted(first) == sorted(ids)
    assert second == []


def test_a_claim_that_ran_out_is_taken_again(app, mailbox):
    app.config["MAIL_SEND_AFTER_RESPONSE"] = False
    with app.app_context():
        queue_mail("fritz@example.org", "Hallo", "Text")
        assert len(_claim(10, None)) == 1
        # The worker died; once its claim has run out another one sends the mail.
        db.session.execute(
            sa.update(OutgoingMail).values(claimed_until=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        assert send_due() == (1, 0)
    assert len(mailbox.wait_for("fritz@example.org")) == 1


def test_a_page_that_mails_works_while_the_mail_server_is_down(app, client, make, login_as):
    app.config["MAIL_PORT"] = _closed_port()
    moderator = make.user("koordination", role="moderator")
    member = make.user("mitglied")
    login_as(moderator)
    response = client.post(
        f"/u/{member.username}/suspend", data={"suspend-days": "3", "suspend-reason": "Zur Probe"}
    )
    assert response.status_code == 302
    [row] = _rows(app)
    assert row.recipient == "mitglied@example.org" and row.sent_at is None and row.attempts == 1
