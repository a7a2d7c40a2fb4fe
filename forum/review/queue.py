"""Deciding a review item: one conditional UPDATE claims it, so when two
moderators act at once exactly one wins and the other learns who handled it."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from forum import permissions
from forum.db import utcnow
from forum.errors import BoardError, NotAllowed
from forum.extensions import db
from forum.moderation.models import ReviewItem, ReviewStatus
from forum.users.models import User


class AlreadyHandled(BoardError):
    """Another moderator decided first."""

    def __init__(self, item: ReviewItem) -> None:
        name = item.handled_by.username if item.handled_by else "?"
        super().__init__(_l("This item was already handled by %(name)s.", name=name))
        self.item = item


def get_review_item(item_id: int) -> ReviewItem | None:
    return db.session.scalar(
        sa.select(ReviewItem)
        .where(ReviewItem.id == item_id)
        .options(joinedload(ReviewItem.user), joinedload(ReviewItem.handled_by))
    )


def require_reason(reason: str) -> str:
    """Return the stripped reason for a decision; the person it concerns reads it."""
    reason = (reason or "").strip()
    if not reason:
        raise BoardError(_l("Please give a reason; the person will read it."))
    return reason


def claim(item: ReviewItem, moderator: User, resolution: str, reason: str = "") -> None:
    """Mark the item handled by ``moderator`` unless somebody was faster."""
    if not permissions.is_staff(moderator):
        raise NotAllowed(_l("Only moderators can decide review items."))
    claimed = db.session.execute(
        sa.update(ReviewItem)
        .where(ReviewItem.id == item.id, ReviewItem.status == ReviewStatus.PENDING)
        .values(
            status=_status_for(resolution),
            handled_by_id=moderator.id,
            handled_at=utcnow(),
            resolution=resolution,
            resolution_reason=reason,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise AlreadyHandled(get_review_item(item.id))
    db.session.refresh(item)


def _status_for(resolution: str) -> ReviewStatus:
    if resolution in ("approve", "agree_hide", "agree_delete"):
        return ReviewStatus.APPROVED
    if resolution == "ignore":
        return ReviewStatus.IGNORED
    return ReviewStatus.REJECTED
