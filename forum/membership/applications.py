"""Join requests: an applicant's answers wait in the review queue until a
moderator approves (the applicant becomes a member) or rejects them with a reason.

The decision is claimed like every review item (forum/review/queue.py); mails go
out after the commit.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from forum import plugins
from forum.db import utcnow
from forum.errors import BoardError
from forum.extensions import db
from forum.mail import absolute_url, send_template_mail
from forum.membership.models import MembershipApplication
from forum.moderation.models import ReviewItem, ReviewStatus
from forum.notifications.services import notify
from forum.review.audit import log_action
from forum.review.queue import claim, require_reason
from forum.site.services import setting
from forum.users.models import Role, User

JOIN_REQUEST = "join_request"


def submit_application(
    user: User, answers: list[dict[str, str]], netiquette_version: int
) -> ReviewItem | None:
    """Store an applicant's answers; queue them, or admit at once when approval is off."""
    if user.role != Role.APPLICANT:
        raise BoardError(_l("You are already a member."))
    application = application_of(user)
    now = utcnow()
    if application is None:
        application = MembershipApplication(user_id=user.id, created_at=now)
        db.session.add(application)
    elif not may_apply_again(user):
        raise BoardError(_l("You have already applied."))
    else:
        # After a rejection: one conditional UPDATE decides, so two forms sent
        # at once make one new request, not two.
        renewed = db.session.execute(
            sa.update(MembershipApplication)
            .where(
                MembershipApplication.id == application.id,
                MembershipApplication.created_at == application.created_at,
            )
            .values(created_at=now)
            .execution_options(synchronize_session=False)
        )
        if renewed.rowcount != 1:
            db.session.rollback()
            raise BoardError(_l("You have already applied."))
        db.session.refresh(application)
    application.answers = answers
    application.netiquette_version = netiquette_version
    application.netiquette_accepted_at = now
    if not setting("MEMBERSHIP_APPROVAL_REQUIRED"):
        user.role = Role.MEMBER
        db.session.commit()
        plugins.notify_event("user_approved", user=user, moderator=None)
        return None
    # The request keeps what was sent with it: a later application replaces
    # the answers on file, not what an earlier decision was about.
    sent = {
        "answers": answers,
        "netiquette_version": netiquette_version,
        "netiquette_accepted_at": now.isoformat(),
    }
    item = ReviewItem(kind=JOIN_REQUEST, user_id=user.id, payload=sent)
    db.session.add(item)
    db.session.commit()
    if setting("JOIN_REQUEST_NOTIFY") == "each":
        for moderator in _staff_to_notify():
            send_template_mail(
                moderator,
                "join_request",
                _l("New join request from %(name)s", name=user.username),
                applicant=user,
                answers=answers,
                link=absolute_url("moderation.review_item", item_id=item.id),
            )
    return item


def _staff_to_notify() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).where(
                User.role.in_([Role.MODERATOR, Role.ADMIN]), User.email_confirmed_at.is_not(None)
            )
        )
    )


def application_of(user: User) -> MembershipApplication | None:
    return db.session.scalar(
        sa.select(MembershipApplication).where(MembershipApplication.user_id == user.id)
    )


def may_apply_again(user: User) -> bool:
    """Whether an applicant's last join request was rejected (they may send a new one)."""
    latest = latest_join_request(user)
    return latest is not None and latest.status == ReviewStatus.REJECTED


def latest_join_request(user: User) -> ReviewItem | None:
    return db.session.scalar(
        sa.select(ReviewItem)
        .where(ReviewItem.kind == JOIN_REQUEST, ReviewItem.user_id == user.id)
        .order_by(ReviewItem.created_at.desc())
        .limit(1)
    )


def approve_application(moderator: User, item: ReviewItem) -> None:
    claim(item, moderator, "approve")
    applicant = item.user
    applicant.role = Role.MEMBER
    notify(applicant.id, "application_approved")
    log_action(
        moderator, "approve_application", target_type="user", target_id=applicant.id,
        target_label=applicant.username,
    )  # fmt: skip
    db.session.commit()
    plugins.notify_event("user_approved", user=applicant, moderator=moderator)
    send_template_mail(
        applicant,
        "application_approved",
        _l("Welcome to %(site)s", site=setting("SITE_NAME")),
        link=absolute_url("boards.index"),
    )


def reject_application(moderator: User, item: ReviewItem, reason: str) -> None:
    reason = require_reason(reason)
    claim(item, moderator, "reject", reason)
    applicant = item.user
    notify(applicant.id, "application_rejected", reason=reason)
    log_action(
        moderator, "reject_application", target_type="user", target_id=applicant.id,
        target_label=applicant.username, reason=reason,
    )  # fmt: skip
    db.session.commit()
    send_template_mail(
        applicant,
        "application_rejected",
        _l("Your request to join %(site)s", site=setting("SITE_NAME")),
        reason=reason,
        join_link=absolute_url("membership.join"),
    )
