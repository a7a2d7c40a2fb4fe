"""The review queue's read path: windows of items with everything a card shows.

A window costs a fixed number of queries whatever its size: the items with
their people and posts, then the flags, applications, topics and categories
of the whole window, one query each.
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum.boards.models import Category, Topic
from forum.extensions import db
from forum.membership.applications import JOIN_REQUEST
from forum.membership.models import MembershipApplication, RejectionTemplate
from forum.moderation.models import Flag, ReviewItem, ReviewStatus
from forum.moderation.services import FLAGGED_POST, flags_for
from forum.review.held import HELD_POST
from forum.uploads.services import ShownImage, images_in

#: The kinds the queue knows by itself; enabled plugins add theirs (known_kinds()).
KINDS = (JOIN_REQUEST, FLAGGED_POST, HELD_POST)


def known_kinds() -> tuple[str, ...]:
    from forum import plugins

    return (*KINDS, *plugins.review_kinds())


#: Status filters of the list; "all" shows every status.
STATUS_FILTERS = (*(status.value for status in ReviewStatus), "all")


@dataclass
class SentApplication:
    """What a join request was sent with (its answers and the netiquette)."""

    answers: list[dict]
    netiquette_version: int
    netiquette_accepted_at: datetime


@dataclass
class ReviewRow:
    """One review item and what its card shows."""

    item: ReviewItem
    flags: list[Flag] = field(default_factory=list)
    #: What the applicant sent with this request (join requests).
    application: SentApplication | MembershipApplication | None = None
    #: The topic of a flagged post or a held reply.
    topic: Topic | None = None
    #: Where a held post goes (its topic's category, or the new topic's).
    category: Category | None = None
    #: The uploaded pictures a held post shows.
    images: list[ShownImage] = field(default_factory=list)


@dataclass
class ReviewWindow:
    rows: list[ReviewRow]
    #: Id to continue before (older items), None on the last window.
    next_before: int | None


def _item_query() -> sa.Select:
    return sa.select(ReviewItem).options(
        joinedload(ReviewItem.user),
        joinedload(ReviewItem.handled_by),
        joinedload(ReviewItem.post),
    )


def review_window(
    *, kind: str | None = None, status: str = "pending", before: int | None = None, limit: int = 30
) -> ReviewWindow:
    """Return review items newest first, filtered, as a window before the id ``before``."""
    query = _item_query()
    if kind:
        query = query.where(ReviewItem.kind == kind)
    if status != "all":
        query = query.where(ReviewItem.status == ReviewStatus(status))
    if before:
        query = query.where(ReviewItem.id < before)
    items = list(db.session.scalars(query.order_by(ReviewItem.id.desc()).limit(limit + 1)))
    more = len(items) > limit
    items = items[:limit]
    return ReviewWindow(_rows(items), items[-1].id if more else None)


def review_row(item_id: int) -> ReviewRow | None:
    """Return one review item with everything its page shows, or None."""
    item = db.session.scalar(_item_query().where(ReviewItem.id == item_id))
    return _rows([item])[0] if item is not None else None


def _sent_with(item: ReviewItem, on_file: MembershipApplication | None):
    """Return the application a join request was about: the copy it keeps, or
    (for requests made before requests kept one) the application on file."""
    payload = item.payload or {}
    if "answers" not in payload:
        return on_file
    return SentApplication(
        answers=payload["answers"],
        netiquette_version=payload["netiquette_version"],
        netiquette_accepted_at=datetime.fromisoformat(payload["netiquette_accepted_at"]),
    )


def _rows(items: list[ReviewItem]) -> list[ReviewRow]:
    flags = flags_for([i.id for i in items if i.kind == FLAGGED_POST])
    applicant_ids = [i.user_id for i in items if i.kind == JOIN_REQUEST and i.user_id]
    applications = (
        {
            a.user_id: a
            for a in db.session.scalars(
                sa.select(MembershipApplication).where(
                    MembershipApplication.user_id.in_(applicant_ids)
                )
            )
        }
        if applicant_ids
        else {}
    )
    topic_ids = {i.topic_id for i in items if i.topic_id}
    topics = (
        {
            t.id: t
            for t in db.session.scalars(
                sa.select(Topic).where(Topic.id.in_(topic_ids)).options(joinedload(Topic.category))
            )
        }
        if topic_ids
        else {}
    )
    # A held new topic has no topic yet: its category is named in the draft.
    category_ids = {
        i.payload.get("category_id")
        for i in items
        if i.kind == HELD_POST and not i.topic_id and i.payload.get("category_id")
    }
    categories = (
        {
            c.id: c
            for c in db.session.scalars(sa.select(Category).where(Category.id.in_(category_ids)))
        }
        if category_ids
        else {}
    )
    held = [i for i in items if i.kind == HELD_POST]
    images = dict(
        zip(
            [i.id for i in held],
            images_in([str((i.payload or {}).get("raw", "")) for i in held]),
            strict=True,
        )
    )
    rows = []
    for item in items:
        topic = topics.get(item.topic_id)
        rows.append(
            ReviewRow(
                item=item,
                flags=flags.get(item.id, []),
                application=(
                    _sent_with(item, applications.get(item.user_id))
                    if item.kind == JOIN_REQUEST
                    else None
                ),
                topic=topic,
                category=topic.category
                if topic
                else categories.get(item.payload.get("category_id")),
                images=images.get(item.id, []),
            )
        )
    return rows


def rejection_templates() -> list[RejectionTemplate]:
    """Return the reasons a moderator may pick when rejecting, in their order."""
    return list(
        db.session.scalars(
            sa.select(RejectionTemplate).order_by(RejectionTemplate.position, RejectionTemplate.id)
        )
    )
