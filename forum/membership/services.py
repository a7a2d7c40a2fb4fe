"""Joining: membership questions, rejection templates, invitations, the join-request digest.

Applications themselves are submitted and decided in ``forum.membership.applications``
(they are review items); this module keeps what the coordinator configures and
the invitation path that skips the queue. Every staff change is written to the
audit log in its own transaction; mails go out after the commit.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from forum import plugins
from forum.auth.accounts import create_user, email_taken, username_taken
from forum.db import utcnow
from forum.errors import MembershipError
from forum.extensions import db
from forum.mail import absolute_url, send_template_mail
from forum.membership.applications import JOIN_REQUEST
from forum.membership.models import (
    Invitation,
    MembershipApplication,
    MembershipQuestion,
    RejectionTemplate,
)
from forum.moderation.models import ReviewItem, ReviewStatus
from forum.review.audit import log_action
from forum.site.services import setting
from forum.users.models import Role, User

# --- Membership questions --------------------------------------------------------------


def list_questions(*, active_only: bool = True) -> list[MembershipQuestion]:
    """Return the questions in the order applicants see them."""
    query = sa.select(MembershipQuestion)
    if active_only:
        query = query.where(MembershipQuestion.active.is_(True))
    # Inactive questions go last in the admin list; they keep their answers.
    return list(
        db.session.scalars(
            query.order_by(
                MembershipQuestion.active.desc(), MembershipQuestion.position, MembershipQuestion.id
            )
        )
    )


def get_question(question_id: int) -> MembershipQuestion | None:
    return db.session.get(MembershipQuestion, question_id)


def create_question(admin: User, text: str, required: bool) -> MembershipQuestion:
    """Add a question after the existing ones."""
    last = db.session.scalar(sa.select(sa.func.max(MembershipQuestion.position))) or 0
    question = MembershipQuestion(text=text.strip(), required=required, position=last + 1)
    db.session.add(question)
    db.session.flush()
    log_action(
        admin, "create_question", target_type="membership_question", target_id=question.id,
        target_label=question.text, required=required,
    )  # fmt: skip
    db.session.commit()
    return question


def update_question(
    admin: User, question: MembershipQuestion, text: str, required: bool, active: bool
) -> None:
    """Change a question; deactivating hides it from applicants but keeps old answers."""
    before = {"text": question.text, "required": question.required, "active": question.active}
    question.text, question.required, question.active = text.strip(), required, active
    after = {"text": question.text, "required": required, "active": active}
    changed = {key: after[key] for key in after if after[key] != before[key]}
    if not changed:
        return
    log_action(
        admin, "update_question", target_type="membership_question", target_id=question.id,
        target_label=question.text, changed=changed,
    )  # fmt: skip
    db.session.commit()


def move_question(admin: User, question: MembershipQuestion, direction: str) -> None:
    """Swap a question with its neighbour above ("up") or below ("down")."""
    if direction not in ("up", "down"):
        raise MembershipError(_l("Unknown direction."))
    ordered = list_questions(active_only=False)
    # Renumber first, so equal or missing positions cannot block a swap.
    for number, each in enumerate(ordered, start=1):
        each.position = number
    index = next(i for i, each in enumerate(ordered) if each.id == question.id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        db.session.rollback()
        return
    neighbour = ordered[other]
    question.position, neighbour.position = neighbour.position, question.position
    log_action(
        admin, "move_question", target_type="membership_question", target_id=question.id,
        target_label=question.text, direction=direction,
    )  # fmt: skip
    db.session.commit()


def build_answers(
    questions: list[MembershipQuestion], answers: dict[int, str]
) -> list[dict[str, object]]:
    """Return answers as stored: each with the question's text at the time."""
    return [
        {
            "question_id": question.id,
            "question": question.text,
            "answer": (answers.get(question.id) or "").strip(),
        }
        for question in questions
    ]


# --- Rejection templates ---------------------------------------------------------------


def list_rejection_templates() -> list[RejectionTemplate]:
    return list(
        db.session.scalars(
            sa.select(RejectionTemplate).order_by(RejectionTemplate.position, RejectionTemplate.id)
        )
    )


def get_rejection_template(template_id: int) -> RejectionTemplate | None:
    return db.session.get(RejectionTemplate, template_id)


def create_rejection_template(admin: User, title: str, body: str) -> RejectionTemplate:
    last = db.session.scalar(sa.select(sa.func.max(RejectionTemplate.position))) or 0
    template = RejectionTemplate(title=title.strip(), body=body.strip(), position=last + 1)
    db.session.add(template)
    db.session.flush()
    log_action(
        admin, "create_rejection_template", target_type="rejection_template",
        target_id=template.id, target_label=template.title,
    )  # fmt: skip
    db.session.commit()
    return template


def update_rejection_template(
    admin: User, template: RejectionTemplate, title: str, body: str
) -> None:
    template.title, template.body = title.strip(), body.strip()
    log_action(
        admin, "update_rejection_template", target_type="rejection_template",
        target_id=template.id, target_label=template.title,
    )  # fmt: skip
    db.session.commit()


def delete_rejection_template(admin: User, template: RejectionTemplate) -> None:
    log_action(
        admin, "delete_rejection_template", target_type="rejection_template",
        target_id=template.id, target_label=template.title, body=template.body,
    )  # fmt: skip
    db.session.delete(template)
    db.session.commit()


# --- Invitations -------------------------------------------------------------------------


class InvitationState(StrEnum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class _Recipient:
    """Who an invitation mail goes to: a person without an account yet."""

    email: str
    locale: str | None = None
    name: str = ""


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(inviter: User, email: str, locale: str | None = None) -> Invitation:
    """Invite ``email`` to join without approval; mails the link after the commit."""
    email = email.strip()
    if email_taken(email):
        raise MembershipError(_l("An account with this e-mail address exists already."))
    token = secrets.token_urlsafe(32)
    days = setting("INVITATION_DAYS")
    invitation = Invitation(
        email=email,
        token_hash=_hash_token(token),
        invited_by_id=inviter.id,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    log_action(
        inviter, "create_invitation", target_type="invitation", target_id=invitation.id,
        target_label=email,
    )  # fmt: skip
    db.session.commit()
    send_template_mail(
        _Recipient(email=email, locale=locale),
        "invitation",
        _l("Invitation to %(site)s", site=setting("SITE_NAME")),
        inviter=inviter,
        link=absolute_url("membership.accept_invitation", token=token),
        days=days,
        expires_at=invitation.expires_at,
    )
    return invitation


def list_invitations(limit: int = 100) -> list[Invitation]:
    return list(
        db.session.scalars(
            sa.select(Invitation)
            .options(joinedload(Invitation.invited_by))
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
            .limit(limit)
        )
    )


def find_invitation(token: str) -> Invitation | None:
    """Return the invitation whose link carries ``token``."""
    if not token or len(token) > 200:
        return None
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.token_hash == _hash_token(token))
    )
    # The look-up is by hash already; compare again in constant time for good measure.
    if invitation is None or not hmac.compare_digest(invitation.token_hash, _hash_token(token)):
        return None
    return invitation


def invitation_state(invitation: Invitation | None, now: datetime | None = None) -> InvitationState:
    if invitation is None:
        return InvitationState.UNKNOWN
    if invitation.used_at is not None:
        return InvitationState.USED
    if invitation.expires_at <= (now or utcnow()):
        return InvitationState.EXPIRED
    return InvitationState.VALID


def accept_invitation(
    invitation: Invitation,
    username: str,
    password: str,
    netiquette_version: int,
    locale: str | None = None,
) -> User:
    """Create a confirmed member for the invited address and use the invitation up.

    The invitation is claimed with one conditional UPDATE, so a link opened
    twice at the same moment makes one account, never two.
    """
    if invitation_state(invitation) != InvitationState.VALID:
        raise MembershipError(_l("This invitation can no longer be used."))
    if username_taken(username):
        raise MembershipError(_l("This username is already taken."))
    if email_taken(invitation.email):
        raise MembershipError(_l("An account with this e-mail address exists already."))
    now = utcnow()
    try:
        # The link arrived at the invited address, which confirms it.
        user = create_user(
            username, invitation.email, password, role=Role.MEMBER, confirmed=True,
            locale=locale, commit=False,
        )  # fmt: skip
        db.session.flush()
        claimed = db.session.execute(
            sa.update(Invitation)
            .where(
                Invitation.id == invitation.id,
                Invitation.used_at.is_(None),
                Invitation.expires_at > now,
            )
            .values(used_at=now, used_by_id=user.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            raise MembershipError(_l("This invitation can no longer be used."))
        db.session.add(
            MembershipApplication(
                user_id=user.id,
                answers=[],
                netiquette_version=netiquette_version,
                netiquette_accepted_at=now,
            )
        )
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise MembershipError(_l("This username is already taken.")) from error
    except MembershipError:
        db.session.rollback()
        raise
    plugins.notify_event("user_registered", user=user)
    plugins.notify_event("user_approved", user=user, moderator=None)
    return user


# --- Join-request digest -------------------------------------------------------------------


def pending_join_requests() -> list[ReviewItem]:
    """Return join requests awaiting a decision, oldest first, with their applicants."""
    return list(
        db.session.scalars(
            sa.select(ReviewItem)
            .where(ReviewItem.kind == JOIN_REQUEST, ReviewItem.status == ReviewStatus.PENDING)
            .options(joinedload(ReviewItem.user))
            .order_by(ReviewItem.created_at, ReviewItem.id)
        )
    )


def staff_recipients() -> list[User]:
    """Return moderators and admins with a confirmed address."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.role.in_([Role.MODERATOR, Role.ADMIN]), User.email_confirmed_at.is_not(None)
            )
            .order_by(User.id)
        )
    )


def send_join_request_digest() -> int:
    """Mail each staff member one summary of pending join requests; return mails sent."""
    items = pending_join_requests()
    if not items:
        return 0
    entries = [
        {
            "item": item,
            "applicant": item.user,
            "link": _review_link(item),
        }
        for item in items
    ]
    sent = 0
    for moderator in staff_recipients():
        sent += send_template_mail(
            moderator,
            "join_request_digest",
            lazy_ngettext(
                "%(num)d join request is waiting", "%(num)d join requests are waiting", len(items)
            ),
            entries=entries,
            count=len(items),
        )
    return sent


def _review_link(item: ReviewItem) -> str | None:
    # The review queue is another blueprint; the digest still works without it.
    if "moderation.review_item" not in current_app.view_functions:
        return None
    return absolute_url("moderation.review_item", item_id=item.id)
