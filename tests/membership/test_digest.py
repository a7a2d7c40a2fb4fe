"""The daily summary of join requests: `flask --app forum moderation digest`."""

import sqlalchemy as sa

from forum.extensions import db
from forum.membership import applications
from forum.site.services import set_setting
from forum.users.models import User

from .conftest import body, link_in


def _apply(app, make, *names: str) -> None:
    with app.app_context():
        for name in names:
            applicant = make.user(name, role="applicant")
            applications.submit_application(
                db.session.get(User, applicant.id), [{"question": "Q", "answer": "A"}], 1
            )


def _set_notify(app, value: str) -> None:
    with app.app_context():
        set_setting("JOIN_REQUEST_NOTIFY", value)
        db.session.commit()


def test_digest_mails_each_staff_member_once(app, runner, make, admin, coordinator, mailbox):
    make.user("mitglied")
    make.user("ungeprueft", role="moderator", confirmed=False)  # no confirmed address
    _set_notify(app, "daily")
    _apply(app, make, "anna", "bernd")
    assert mailbox.messages == []  # nothing per request

    result = runner.invoke(args=["moderation", "digest"])
    assert result.exit_code == 0, result.output
    assert "2 join request(s) waiting; sent 2 summary mail(s)." in result.output
    assert sorted(message["To"] for message in mailbox.messages) == [
        "koordination@example.org",
        "verwaltung@example.org",
    ]
    text = body(mailbox.to("koordination@example.org")[0])
    assert "anna (anna@example.org)" in text
    assert "bernd (bernd@example.org)" in text
    assert link_in(mailbox.to("koordination@example.org")[0], "/review/").startswith("/review/")


def test_decided_requests_are_not_listed(app, runner, make, coordinator, mailbox):
    _set_notify(app, "daily")
    _apply(app, make, "anna", "bernd")
    with app.app_context():
        item = applications.latest_join_request(
            db.session.scalar(sa.select(User).where(User.username == "anna"))
        )
        applications.approve_application(db.session.get(User, coordinator.id), item)
    mailbox.clear()
    runner.invoke(args=["moderation", "digest"])
    text = body(mailbox.to("koordination@example.org")[0])
    assert "bernd" in text and "anna" not in text


def test_digest_only_when_daily(app, runner, make, coordinator, mailbox):
    _apply(app, make, "anna")  # "each": mailed at once
    mailbox.clear()
    result = runner.invoke(args=["moderation", "digest"])
    assert result.exit_code == 0
    assert "not 'daily'" in result.output
    assert mailbox.messages == []
    result = runner.invoke(args=["moderation", "digest", "--force"])
    assert len(mailbox.messages) == 1


def test_no_digest_without_requests(app, runner, coordinator, mailbox):
    _set_notify(app, "daily")
    result = runner.invoke(args=["moderation", "digest"])
    assert "No join requests are waiting" in result.output
    assert mailbox.messages == []
