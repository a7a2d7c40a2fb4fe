"""The summary mail: popular topics the member may read, once per interval."""

from datetime import timedelta

import sqlalchemy as sa

from forum.boards.models import ReadLevel
from forum.db import utcnow
from forum.extensions import db
from forum.users.models import User

from .conftest import away, part, subject


def _digest(runner) -> str:
    result = runner.invoke(args=["mail", "digest"])
    assert result.exit_code == 0, result.output
    return result.output


def _set(app, user_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == user_id).values(**values))
        db.session.commit()


def test_an_absent_member_gets_popular_topics_once(app, runner, mailbox, make):
    anke = make.user("anke", locale="en")
    moderator = make.user("koordination", role="moderator")
    open_topic = make.topic(make.user("lena"), title="Tafel sucht Fahrer")
    make.post(open_topic)
    staff = make.category("Intern", read_level=ReadLevel.STAFF)
    make.topic(moderator, staff, title="Geheime Planung")
    away(app, anke.id, minutes=8 * 24 * 60)
    assert "Queued 1 summaries" in _digest(runner)
    [mail] = mailbox.wait_for("anke@example.org")
    assert subject(mail) == "Popular in the forum"
    text, html = part(mail, "text/plain"), part(mail, "text/html")
    assert "Tafel sucht Fahrer" in text and "Tafel sucht Fahrer" in html
    assert "1 reply" in text
    assert "Geheime Planung" not in text + html
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Run again within the hour (cron twice, or by hand): nobody is mailed twice.
    _digest(runner)
    _digest(runner)
    assert len(mailbox.to("anke@example.org")) == 1


def test_staff_see_their_categories_in_the_summary(app, runner, mailbox, make):
    moderator = make.user("koordination", role="moderator")
    staff = make.category("Intern", read_level=ReadLevel.STAFF)
    make.topic(make.user("leitung", role="admin"), staff, title="Geheime Planung")
    away(app, moderator.id, minutes=8 * 24 * 60)
    _digest(runner)
    [mail] = mailbox.wait_for("koordination@example.org")
    assert "Geheime Planung" in part(mail, "text/plain")


def test_only_members_whose_interval_has_passed(app, runner, mailbox, make):
    make.topic(make.user("lena"), title="Tafel sucht Fahrer")
    recent = make.user("recent")
    away(app, recent.id, minutes=3 * 24 * 60)  # weekly, away for three days
    off = make.user("off")
    _set(app, off.id, digest_frequency="off")
    away(app, off.id, minutes=30 * 24 * 60)
    daily = make.user("daily")
    _set(app, daily.id, digest_frequency="daily")
    away(app, daily.id, minutes=2 * 24 * 60)
    mailed_before = make.user("mailed")
    away(app, mailed_before.id, minutes=30 * 24 * 60)
    _set(app, mailed_before.id, last_digest_at=utcnow() - timedelta(days=2))
    assert "Queued 1 summaries" in _digest(runner)
    assert len(mailbox.wait_for("daily@example.org")) == 1
    assert mailbox.to("recent@example.org") == mailbox.to("off@example.org") == []
    assert mailbox.to("mailed@example.org") == []


def test_no_summary_without_topics(app, runner, mailbox, make):
    anke = make.user("anke")
    away(app, anke.id, minutes=8 * 24 * 60)
    assert "Queued 0 summaries" in _digest(runner)
