"""Shared set-up for mail tests: a topic, a reply, and a notification that is due."""

from dataclasses import dataclass
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
import sqlalchemy as sa

from forum.db import utcnow
from forum.extensions import db
from forum.notifications.models import Notification
from forum.notifications.services import notify
from forum.users.models import User


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def part(message, content_type: str) -> str:
    found = next(p for p in message.walk() if p.get_content_type() == content_type)
    return found.get_payload(decode=True).decode(found.get_content_charset() or "utf-8")


@dataclass
class Scene:
    anke: User
    lena: User
    topic: object
    post: object


@pytest.fixture
def scene(make) -> Scene:
    """anke asked; lena answered her. Neither has been on the forum for an hour."""
    anke = make.user("anke", locale="en")
    lena = make.user("lena")
    topic = make.topic(anke, title="Wer hilft beim Umzug?")
    post = make.post(
        topic, lena, raw="Ich komme **gern** vorbei.\n\n> Wer hilft?\n\nSiehe [Plan](/t/plan/1)."
    )
    away(make.app, anke.id, minutes=60)
    return Scene(anke, lena, topic, post)


def away(app, user_id: int, minutes: int) -> None:
    with app.app_context():
        db.session.execute(
            sa.update(User)
            .where(User.id == user_id)
            .values(last_seen_at=utcnow() - timedelta(minutes=minutes))
        )
        db.session.commit()


def notification(app, user_id: int, kind: str, post, *, minutes_ago: int = 15, **extra) -> int:
    """Create the notification the notify package makes, ``minutes_ago`` old; return its id."""
    with app.app_context():
        notify(
            user_id, kind, topic_id=post.topic_id, post_id=post.id, post_number=post.post_number,
            title="Wer hilft beim Umzug?", actor=extra.pop("actor", "lena"), **extra,
        )  # fmt: skip
        db.session.commit()
        row = db.session.scalars(sa.select(Notification).order_by(Notification.id.desc())).first()
        row.created_at = utcnow() - timedelta(minutes=minutes_ago)
        db.session.commit()
        return row.id
