"""The coordinator's decisions: review queue, flags, held posts; every staff
action goes to the audit log. Join requests are decided in membership/applications.py.

Decisions on review items are claimed with one conditional UPDATE
(forum/review/queue.py): when two moderators act at once, exactly one wins and
the other learns who handled it. Mails go out after the commit, so a mail
failure never loses a decision.
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
from forum.mail import send_template_mail
from forum.moderation.actions import apply_silence
from forum.moderation.models import (
    Flag,
    FlagReason,
    ReviewItem,
    ReviewStatus,
)
from forum.notifications.services import notify
from forum.review.audit import log_action
from forum.review.held import Draft
from forum.review.queue import claim, require_reason
from forum.site.services import setting
from forum.users.models import User

FLAGGED_POST = "flagged_post"


# --- The queue ------------------------------------------------------------------------


def pending_count() -> int:
    """Return how many items wait (shown in the header for moderators)."""
    return db.session.scalar(pending_count_select())


def pending_count_select() -> sa.Select:
    """The statement of ``pending_count`` (kept member pages ask it with their own)."""
    return (
        sa.select(sa.func.count())
        .select_from(ReviewItem)
        .where(ReviewItem.status == ReviewStatus.PENDING)
    )


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
    claim(item, moderator, action)
    apply(moderator=moderator, item=item, form=form)
    log_action(moderator, f"{item.kind}_{action}", target_type="review_item", target_id=item.id)
    db.session.commit()


# --- Held posts -------------------------------------------------------------------------


def approve_held_post(moderator: User, item: ReviewItem) -> Post:
    """Publish a held post as its author wrote it."""
    claim(item, moderator, "approve")
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
    claim(item, moderator, "reject", reason)
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
    if flaggers >= setting("FLAGS_TO_HIDE") and post.hidden_at is None:
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
    claim(item, moderator, decision, reason.strip())
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
