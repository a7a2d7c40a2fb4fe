"""The coordinator's decisions: review queue, flags, held posts, moderator
actions on topics and members; every staff action goes to the audit log.

Decisions on review items are claimed with one conditional UPDATE
(``... WHERE status = 'pending'``): when two moderators act at once, exactly
one wins and the other learns who handled it. Mails go out after the commit,
so a mail failure never loses a decision.
"""

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from forum import permissions, plugins
from forum.boards import services as boards
from forum.boards.models import Category, Post, Topic
from forum.db import utcnow
from forum.errors import BoardError, NotAllowed
from forum.extensions import db
from forum.mail import absolute_url, send_template_mail
from forum.membership.models import MembershipApplication
from forum.moderation.actions import apply_silence, require_reason
from forum.moderation.audit import log_action
from forum.moderation.held import Draft
from forum.moderation.models import (
    Flag,
    FlagReason,
    ReviewItem,
    ReviewStatus,
)
from forum.notifications.services import notify
from forum.site.services import get_setting
from forum.users.models import Role, User

JOIN_REQUEST = "join_request"
FLAGGED_POST = "flagged_post"


class AlreadyHandled(BoardError):
    """Another moderator decided first."""

    def __init__(self, item: ReviewItem) -> None:
        name = item.handled_by.username if item.handled_by else "?"
        super().__init__(_l("This item was already handled by %(name)s.", name=name))
        self.item = item


# --- The queue ------------------------------------------------------------------------


def get_review_item(item_id: int) -> ReviewItem | None:
    return db.session.scalar(
        sa.select(ReviewItem)
        .where(ReviewItem.id == item_id)
        .options(joinedload(ReviewItem.user), joinedload(ReviewItem.handled_by))
    )


def pending_count() -> int:
    """Return how many items wait (shown in the header for moderators)."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ReviewItem)
        .where(ReviewItem.status == ReviewStatus.PENDING)
    )


def _claim(item: ReviewItem, moderator: User, resolution: str, reason: str = "") -> None:
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


def add_review_item(
    kind: str,
    *,
    user_id: int | None = None,
    post_id: int | None = None,
    topic_id: int | None = None,
    reason: str = "",
    payload: dict | None = None,
) -> ReviewItem:
    """Queue an item of a kind a plugin registered (``register_review_kinds``)."""
    if kind not in plugins.review_kinds():
        raise ValueError(f"review kind {kind!r} is not registered by an enabled plugin")
    item = ReviewItem(
        kind=kind, user_id=user_id, post_id=post_id, topic_id=topic_id, reason=reason,
        payload=payload or {},
    )  # fmt: skip
    db.session.add(item)
    db.session.commit()
    return item


def decide_plugin_item(moderator: User, item: ReviewItem, action: str, form) -> None:
    """Apply a plugin kind's action to ``item`` (claimed like every decision)."""
    kind = plugins.review_kinds().get(item.kind)
    if kind is None or action not in kind.actions:
        raise BoardError(_l("Unknown decision."))
    _label, apply = kind.actions[action]
    _claim(item, moderator, action)
    apply(moderator=moderator, item=item, form=form)
    log_action(moderator, f"{item.kind}_{action}", target_type="review_item", target_id=item.id)
    db.session.commit()


def _status_for(resolution: str) -> ReviewStatus:
    if resolution in ("approve", "agree_hide", "agree_delete"):
        return ReviewStatus.APPROVED
    if resolution == "ignore":
        return ReviewStatus.IGNORED
    return ReviewStatus.REJECTED


# --- Join requests ----------------------------------------------------------------------


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
    if not get_setting("MEMBERSHIP_APPROVAL_REQUIRED"):
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
    if get_setting("JOIN_REQUEST_NOTIFY") == "each":
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
    _claim(item, moderator, "approve")
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
        _l("Welcome to %(site)s", site=current_app.config["SITE_NAME"]),
        link=absolute_url("boards.index"),
    )


def reject_application(moderator: User, item: ReviewItem, reason: str) -> None:
    reason = require_reason(reason)
    _claim(item, moderator, "reject", reason)
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
        _l("Your request to join %(site)s", site=current_app.config["SITE_NAME"]),
        reason=reason,
        join_link=absolute_url("membership.join"),
    )


# --- Held posts -------------------------------------------------------------------------


def approve_held_post(moderator: User, item: ReviewItem) -> Post:
    """Publish a held post as its author wrote it."""
    _claim(item, moderator, "approve")
    draft = Draft(**item.payload)
    author = item.user
    if draft.topic_id is None:
        category = db.session.get(Category, draft.category_id)
        topic = boards.create_topic(
            author, category, draft.title or "", draft.raw, help_kind=draft.help_kind,
            municipality=draft.municipality, approved_by=moderator, commit=False,
        )  # fmt: skip
        post = db.session.scalar(sa.select(Post).where(Post.topic_id == topic.id))
    else:
        topic = db.session.get(Topic, draft.topic_id)
        post = boards.create_post(
            author, topic, draft.raw, reply_to_post_number=draft.reply_to_post_number,
            approved_by=moderator, commit=False,
        )  # fmt: skip
    item.post_id, item.topic_id = post.id, topic.id
    notify(
        author.id, "post_approved", topic_id=topic.id, post_number=post.post_number,
        title=topic.title,
    )  # fmt: skip
    log_action(
        moderator, "approve_post", target_type="post", target_id=post.id, target_label=topic.title
    )
    db.session.commit()
    if draft.topic_id is None:
        boards.topic_published(topic, post, author, draft.extra)
    else:
        boards.post_published(post, topic, author, draft.extra)
    return post


def reject_held_post(moderator: User, item: ReviewItem, reason: str) -> None:
    """Refuse a held post; its author is told why."""
    reason = require_reason(reason)
    _claim(item, moderator, "reject", reason)
    title = item.payload.get("title") or _topic_title(item.topic_id)
    notify(item.user_id, "post_rejected", reason=reason, title=title)
    log_action(
        moderator, "reject_post", target_type="user", target_id=item.user_id,
        target_label=item.user.username, reason=reason, title=title,
    )  # fmt: skip
    db.session.commit()
    send_template_mail(
        item.user,
        "post_rejected",
        _l("Your post was not published"),
        reason=reason,
        title=title,
        raw=item.payload.get("raw", ""),
    )


def _topic_title(topic_id: int | None) -> str:
    if topic_id is None:
        return ""
    return db.session.scalar(sa.select(Topic.title).where(Topic.id == topic_id)) or ""


# --- Flags -------------------------------------------------------------------------------


def flag_post(user: User, post: Post, reason: FlagReason | str, message: str = "") -> ReviewItem:
    """Report a post; enough flags from different members hide it until reviewed."""
    if not permissions.can_flag_post(user, post):
        raise NotAllowed(_l("You may not flag this post."))
    reason = FlagReason(reason)
    if reason == FlagReason.OTHER and not message.strip():
        raise BoardError(_l("Please tell the moderators what is wrong."))
    item = db.session.scalar(
        sa.select(ReviewItem).where(
            ReviewItem.kind == FLAGGED_POST,
            ReviewItem.post_id == post.id,
            ReviewItem.status == ReviewStatus.PENDING,
        )
    )
    if item is None:
        item = ReviewItem(
            kind=FLAGGED_POST, post_id=post.id, topic_id=post.topic_id, user_id=post.user_id
        )
        db.session.add(item)
        db.session.flush()
    db.session.add(
        Flag(
            review_item_id=item.id,
            post_id=post.id,
            user_id=user.id,
            reason=reason,
            message=message.strip(),
        )
    )
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise BoardError(_l("You have already flagged this post.")) from None
    flaggers = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Flag.user_id))).where(Flag.review_item_id == item.id)
    )
    if flaggers >= get_setting("FLAGS_TO_HIDE") and post.hidden_at is None:
        post.hidden_at = utcnow()
        item.reason = "hidden_by_flags"
        notify(
            post.user_id, "post_hidden", topic_id=post.topic_id, post_number=post.post_number,
            title=post.topic.title,
        )  # fmt: skip
        log_action(
            None, "hide_post_by_flags", target_type="post", target_id=post.id,
            target_label=post.topic.title, flags=flaggers,
        )  # fmt: skip
    db.session.commit()
    return item


def flags_for(item_ids: list[int]) -> dict[int, list[Flag]]:
    """Return the flags of several review items in one query."""
    flags: dict[int, list[Flag]] = {item_id: [] for item_id in item_ids}
    if item_ids:
        for flag in db.session.scalars(
            sa.select(Flag)
            .where(Flag.review_item_id.in_(item_ids))
            .options(joinedload(Flag.user))
            .order_by(Flag.created_at)
        ):
            flags[flag.review_item_id].append(flag)
    return flags


def resolve_flags(
    moderator: User, item: ReviewItem, decision: str, *, reason: str = "", silence_days: int = 0
) -> None:
    """Agree (hide or delete the post, optionally silence its author), disagree or ignore."""
    if decision not in ("agree_hide", "agree_delete", "disagree", "ignore"):
        raise BoardError(_l("Unknown decision."))
    _claim(item, moderator, decision, reason.strip())
    post = db.session.get(Post, item.post_id)
    label = post.topic.title
    if decision == "agree_hide" and post.hidden_at is None:
        post.hidden_at = utcnow()
    elif decision == "agree_delete" and post.deleted_at is None:
        boards.delete_post(moderator, post, commit=False)
    elif decision == "disagree":
        post.hidden_at = None
    log_action(
        moderator, f"flags_{decision}", target_type="post", target_id=post.id, target_label=label,
        reason=reason.strip(),
    )  # fmt: skip
    if decision.startswith("agree") and silence_days > 0:
        author = post.user
        if not reason.strip():
            # The author reads the reason: in their language, not the moderator's.
            with force_locale(author.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
                reason = str(_l("Flagged post"))
        apply_silence(moderator, author, silence_days, reason.strip())
    db.session.commit()
    if decision == "agree_delete":
        boards.post_removed(post, moderator)
