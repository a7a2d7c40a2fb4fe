"""Asking to represent an organisation (or to create a new one): a kind of
item in the review queue, confirmed or declined by the coordinator with a
reason the member reads."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from forum import permissions
from forum.boards.models import Municipality
from forum.errors import BoardError, NotAllowed
from forum.extensions import db
from forum.moderation.models import ReviewItem, ReviewStatus
from forum.moderation.services import add_review_item
from forum.notifications.services import notify
from forum.organisations import services
from forum.organisations.models import Organisation
from forum.review.audit import log_action
from forum.review.queue import claim, require_reason
from forum.users.models import User

#: The review kind (registered by forum/organisations/hooks.py).
REPRESENTATION_REQUEST = "organisation_request"
REASON_LIMIT = 1000


def request_representation(
    member: User,
    reason: str,
    *,
    organisation: Organisation | None = None,
    new_name: str = "",
    municipality: Municipality | str | None = None,
) -> ReviewItem:
    """Queue a member's wish to represent ``organisation``, or to create a new
    one named ``new_name`` in ``municipality``."""
    if not permissions.can_request_representation(member):
        raise NotAllowed(_l("Only members can represent an organisation."))
    reason = (reason or "").strip()[:REASON_LIMIT]
    if not reason:
        raise BoardError(_l("Please say in a few words why you speak for this organisation."))
    if organisation is None:
        new_name = (new_name or "").strip()
        if not new_name or not municipality:
            raise BoardError(_l("A new organisation needs a name and a municipality."))
        payload = {"name": new_name[:120], "municipality": str(Municipality(municipality))}
    else:
        if permissions.represents(member, organisation):
            raise BoardError(_l("You already represent this organisation."))
        payload = {"organisation_id": organisation.id, "name": organisation.name}
    if any(_same(item.payload, payload) for item in pending_requests(member)):
        raise BoardError(_l("Your request for this organisation waits for the coordinator."))
    return add_review_item(
        REPRESENTATION_REQUEST, user_id=member.id, reason=reason, payload=payload
    )


def _same(waiting: dict, asked: dict) -> bool:
    """Whether a waiting request asks for the same organisation (or new name)."""
    if "organisation_id" in asked:
        return waiting.get("organisation_id") == asked["organisation_id"]
    return "organisation_id" not in waiting and waiting.get("name") == asked["name"]


def pending_requests(member: User) -> list[ReviewItem]:
    return list(
        db.session.scalars(
            sa.select(ReviewItem).where(
                ReviewItem.kind == REPRESENTATION_REQUEST,
                ReviewItem.user_id == member.id,
                ReviewItem.status == ReviewStatus.PENDING,
            )
        )
    )


def confirm(moderator: User, item: ReviewItem) -> Organisation:
    """Make the member a representative (creating the organisation if asked)."""
    if not permissions.can_manage_organisations(moderator):
        raise NotAllowed(_l("Only the coordinator can confirm representatives."))
    claim(item, moderator, "approve")
    member = item.user
    organisation_id = item.payload.get("organisation_id")
    if organisation_id is None:
        organisation = services.create_organisation(
            item.payload["name"], item.payload["municipality"], actor=moderator, commit=False
        )
    else:
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None:
            db.session.rollback()
            raise BoardError(_l("This organisation no longer exists."))
    services.add_representative(moderator, organisation, member)
    notify(
        member.id, "representation_confirmed", organisation=organisation.name,
        slug=organisation.slug,
    )  # fmt: skip
    log_action(
        moderator, "organisation_request_confirm", target_type="review_item",
        target_id=item.id, target_label=organisation.name,
    )  # fmt: skip
    db.session.commit()
    return organisation


def decline(moderator: User, item: ReviewItem, reason: str) -> None:
    """Turn the request down; the member reads the reason."""
    if not permissions.can_manage_organisations(moderator):
        raise NotAllowed(_l("Only the coordinator can decline requests."))
    reason = require_reason(reason)
    claim(item, moderator, "reject", reason)
    notify(
        item.user_id, "representation_declined", organisation=item.payload.get("name", ""),
        reason=reason,
    )  # fmt: skip
    log_action(
        moderator, "organisation_request_decline", target_type="review_item",
        target_id=item.id, target_label=item.payload.get("name", ""), reason=reason,
    )  # fmt: skip
    db.session.commit()


def representation_item(item_id: int) -> ReviewItem | None:
    item = db.session.get(ReviewItem, item_id)
    return item if item is not None and item.kind == REPRESENTATION_REQUEST else None
