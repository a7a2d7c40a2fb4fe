"""Held posts: a new member's first posts and posts with watched words wait
in the review queue as drafts; approval turns them into real posts."""

from dataclasses import asdict, dataclass

import sqlalchemy as sa

from forum.extensions import db
from forum.moderation.models import ReviewItem, ReviewStatus
from forum.users.models import User

HELD_POST = "held_post"


@dataclass(frozen=True)
class Draft:
    """A post as submitted: what a held post stores until it is approved."""

    raw: str
    category_id: int
    topic_id: int | None = None
    title: str | None = None
    reply_to_post_number: int | None = None
    help_kind: str | None = None
    municipality: str | None = None
    #: The composer's ``plugin.*`` fields, handed to the plugins on approval.
    extra: dict | None = None


def hold_post(author: User, draft: Draft, reason: str) -> ReviewItem:
    """Queue a new topic or reply for review instead of publishing it."""
    item = ReviewItem(
        kind=HELD_POST,
        user_id=author.id,
        topic_id=draft.topic_id,
        reason=reason,
        payload={key: value for key, value in asdict(draft).items() if value is not None},
    )
    db.session.add(item)
    db.session.commit()
    return item


def held_posts_of(author: User, topic_id: int | None = None) -> list[ReviewItem]:
    """Return the author's posts still waiting for review (optionally in one topic)."""
    query = sa.select(ReviewItem).where(
        ReviewItem.kind == HELD_POST,
        ReviewItem.user_id == author.id,
        ReviewItem.status == ReviewStatus.PENDING,
    )
    if topic_id is not None:
        query = query.where(ReviewItem.topic_id == topic_id)
    return list(db.session.scalars(query.order_by(ReviewItem.created_at)))
