"""The summary mail ("Zusammenfassung") of popular topics, for members who stayed away.

``flask --app forum mail digest`` (cron, e.g. hourly) mails every member whose
chosen interval (daily, weekly, every two weeks) has passed both since their
last visit and since their last summary. The topics are the most active of
the interval in categories the member may read, chosen with the same
permission clause as the topic lists. ``last_digest_at`` is written in the
transaction that queues the mail (and the mail has a dedupe key), so running
the command twice mails nobody twice.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from forum import permissions
from forum.boards.models import Category, Topic
from forum.db import utcnow
from forum.extensions import db
from forum.mail import absolute_url, send_template_mail
from forum.mailing.tokens import unsubscribe_token
from forum.users.models import Role, User
from forum.users.services import DIGEST_FREQUENCIES

#: Topics in one summary.
TOPICS_PER_DIGEST = 8


def _due_members(now: datetime) -> list[User]:
    """Members whose interval has passed since their last visit and their last summary."""
    conditions = []
    for frequency, days in DIGEST_FREQUENCIES.items():
        if days is None:
            continue
        since = now - timedelta(days=days)
        conditions.append(
            sa.and_(
                User.digest_frequency == frequency,
                # Never logged in: counted from the sign-up.
                sa.func.coalesce(User.last_seen_at, User.created_at) <= since,
                sa.or_(User.last_digest_at.is_(None), User.last_digest_at <= since),
            )
        )
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.email_confirmed_at.is_not(None),
                User.role != Role.APPLICANT,
                sa.or_(*conditions),
            )
            .order_by(User.id)
        )
    )


def popular_topics(user: User, since: datetime, limit: int = TOPICS_PER_DIGEST) -> list[Topic]:
    """The most active topics with posts since ``since`` that ``user`` may read."""
    score = Topic.posts_count + 2 * Topic.like_count
    return list(
        db.session.scalars(
            sa.select(Topic)
            .join(Category, Category.id == Topic.category_id)
            .where(permissions.visible_topics_clause(user), Topic.last_posted_at >= since)
            .order_by(score.desc(), Topic.last_posted_at.desc(), Topic.id.desc())
            .limit(limit)
        )
    )


def send_digests(now: datetime | None = None) -> int:
    """Queue the summaries that are due; return how many."""
    now = now or utcnow()
    queued = 0
    for user in _due_members(now):
        if not permissions.can_log_in(user):
            continue
        days = DIGEST_FREQUENCIES[user.digest_frequency]
        since = max(user.last_digest_at or now - timedelta(days=days), now - timedelta(days=days))
        topics = popular_topics(user, since)
        if not topics:
            continue
        user.last_digest_at = now
        unsubscribe = absolute_url(
            "mailing.unsubscribe", token=unsubscribe_token(user.id, "digest")
        )
        entries = [
            {
                "title": topic.title,
                "category": topic.category.name,
                "replies": max(topic.posts_count - 1, 0),
                "url": absolute_url("boards.topic", slug=topic.slug, topic_id=topic.id),
            }
            for topic in topics
        ]
        queued += send_template_mail(
            user,
            "digest",
            _l("Popular in the forum"),
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            dedupe_key=f"digest:{user.id}:{now:%Y-%m-%dT%H}",
            deliver=False,
            entries=entries,
            unsubscribe_url=unsubscribe,
            settings_url=absolute_url("users.settings"),
        )
    return queued
