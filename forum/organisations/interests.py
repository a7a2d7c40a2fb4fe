""" "Ich bin interessiert": a short message that opens a personal conversation
between the interested person and the organisation's representatives.

A person who is not a member yet (an applicant who registered for it) keeps
the interest waiting; it is sent when their join request is approved
(``send_waiting``, called from the ``user_approved`` hook). A guest's message
is kept on the server (``keep_pending``, forum/kept.py) and recorded for the account they
register (``record_pending``, the ``user_registered`` hook).
"""

from datetime import date

import sqlalchemy as sa
from flask import has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from forum import kept, permissions
from forum.db import utcnow
from forum.errors import BoardError, NotAllowed
from forum.extensions import db
from forum.messages import services as messages
from forum.moderation.models import ReviewItem
from forum.notifications.services import notify
from forum.organisations.models import Interest, Opportunity, Representative
from forum.users.models import User

MESSAGE_LIMIT = 2000
NO_LONGER_OPEN = _l("This opportunity is no longer open.")


def show_interest(person: User, opportunity: Opportunity, message: str) -> Interest:
    """Record the interest; send it now (members) or on approval (applicants)."""
    if not permissions.can_show_interest(person):
        raise NotAllowed(_l("Please register first."))
    if not opportunity.is_open(date.today()):
        raise BoardError(NO_LONGER_OPEN)
    message = (message or "").strip()[:MESSAGE_LIMIT]
    if not message:
        raise BoardError(_l("Please write a few words to the organisation."))
    existing = db.session.scalar(
        sa.select(Interest).where(
            Interest.opportunity_id == opportunity.id, Interest.user_id == person.id
        )
    )
    if existing is not None and existing.withdrawn_at is None:
        raise BoardError(_l("You have already shown interest in this opportunity."))
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    interest = Interest(opportunity_id=opportunity.id, user_id=person.id, message=message)
    db.session.add(interest)
    db.session.execute(
        sa.update(Opportunity)
        .where(Opportunity.id == opportunity.id)
        .values(interest_count=Opportunity.interest_count + 1)
    )
    db.session.commit()
    if permissions.is_member(person):
        _send(interest)
    return interest


def _send(interest: Interest) -> None:
    """Open the conversation with the representatives and tell them."""
    opportunity = interest.opportunity
    person = interest.user
    representatives = list(
        db.session.scalars(
            sa.select(User)
            .join(Representative, Representative.user_id == User.id)
            .where(Representative.organisation_id == opportunity.organisation_id)
        )
    )
    recipients = [r for r in representatives if permissions.can_message(person, r)]
    if not recipients:
        # Nobody to write to (yet): the interest stays counted and listed.
        interest.sent_at = utcnow()
        db.session.commit()
        return
    title = str(_l("Interest: %(title)s", title=opportunity.title))[:255]
    result = messages.start_conversation(person, recipients, title, interest.message, invited=True)
    if not isinstance(result, ReviewItem):
        interest.topic_id = result.id
    interest.sent_at = utcnow()
    for representative in recipients:
        notify(
            representative.id, "interest_shown", topic_id=interest.topic_id,
            title=opportunity.title, actor=person.username,
        )  # fmt: skip
    db.session.commit()


def send_waiting(person: User) -> None:
    """Send the interests an applicant showed before being approved (and did not
    take back while waiting)."""
    waiting = list(
        db.session.scalars(
            sa.select(Interest)
            .where(
                Interest.user_id == person.id,
                Interest.sent_at.is_(None),
                Interest.withdrawn_at.is_(None),
            )
            .options(joinedload(Interest.opportunity))
        )
    )
    for interest in waiting:
        _send(interest)


def withdraw(person: User, interest: Interest) -> None:
    if interest.user_id != person.id:
        raise NotAllowed(_l("This is not your interest."))
    if interest.withdrawn_at is None:
        interest.withdrawn_at = utcnow()
        db.session.execute(
            sa.update(Opportunity)
            .where(Opportunity.id == interest.opportunity_id, Opportunity.interest_count > 0)
            .values(interest_count=Opportunity.interest_count - 1)
        )
    db.session.commit()


def open_interests(person: User) -> list[Interest]:
    """The person's interests that are not withdrawn, newest first (one statement)."""
    return list(
        db.session.scalars(
            sa.select(Interest)
            .where(Interest.user_id == person.id, Interest.withdrawn_at.is_(None))
            .options(joinedload(Interest.opportunity).joinedload(Opportunity.organisation))
            .order_by(Interest.created_at.desc())
        )
    )


def interest_of(person: User, opportunity: Opportunity) -> Interest | None:
    if not person.is_authenticated:
        return None
    return db.session.scalar(
        sa.select(Interest).where(
            Interest.opportunity_id == opportunity.id,
            Interest.user_id == person.id,
            Interest.withdrawn_at.is_(None),
        )
    )


def get_interest(interest_id: int) -> Interest | None:
    return db.session.get(Interest, interest_id)


# --- A guest's interest, kept through registration ---------------------------------------

#: What a guest's interest is kept under (forum/kept.py): {"opportunity_id", "message"}.
PENDING_KIND = "interest"


def keep_pending(opportunity: Opportunity, message: str) -> None:
    """Keep a guest's message (one at a time, on the server) until they register."""
    kept.keep(
        PENDING_KIND,
        {"opportunity_id": opportunity.id, "message": (message or "").strip()[:MESSAGE_LIMIT]},
    )


def pending_message(opportunity: Opportunity) -> str:
    """The kept message for ``opportunity`` (to fill in its form), or ""."""
    pending = kept.peek(PENDING_KIND)
    if pending is not None and pending.get("opportunity_id") == opportunity.id:
        return str(pending.get("message") or "")
    return ""


def forget_pending() -> None:
    """Forget the kept message (it was sent by hand)."""
    kept.discard(PENDING_KIND)


def record_pending(person: User) -> Interest | None:
    """Record the kept interest for the new account (it waits for approval and
    is sent by ``send_waiting``); called from the ``user_registered`` hook."""
    if not has_request_context():
        return None
    pending = kept.take(PENDING_KIND)
    if pending is None or not isinstance(pending.get("opportunity_id"), int):
        return None
    opportunity = db.session.get(Opportunity, pending["opportunity_id"])
    if opportunity is None or not permissions.can_see_organisation(
        person, opportunity.organisation
    ):
        return None
    try:
        return show_interest(person, opportunity, str(pending.get("message") or ""))
    except BoardError:
        return None
