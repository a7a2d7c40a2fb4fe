"""Replies: submitting (or holding), writing, editing, deleting and restoring posts.

Every function owns its transaction; counters change through forum.boards.counters.
"""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from forum import permissions, plugins
from forum.boards import counters, reply_sql
from forum.boards.models import HelpKind, Municipality, Post, PostRevision, Topic
from forum.boards.policy import (
    ask_plugins,
    cook_post,
    hold_reason,
    record_uploads,
    refuse_blocked_words,
)
from forum.boards.topics import help_fields
from forum.db import utcnow
from forum.errors import BoardError, NotAllowed
from forum.extensions import db
from forum.moderation.models import ReviewItem
from forum.review.audit import log_action
from forum.review.held import Draft, hold_post
from forum.text import slugify
from forum.users.models import User


def submit_post(
    author: User,
    topic: Topic,
    raw: str,
    *,
    reply_to_post_number: int | None = None,
    extra: dict | None = None,
) -> Post | ReviewItem:
    """Publish a reply, or hold it for review; return the post or the review item."""
    if not permissions.can_reply(author, topic):
        raise NotAllowed(_l("You may not reply to this topic."))
    extra = extra or {}
    screening = refuse_blocked_words(raw)
    # Refuses too many mentions before the post may be held; kept for create_post.
    cooked = cook_post(raw, screening=screening)
    verdict = ask_plugins(
        user=author, category=topic.category, topic=topic, post=None, title=None, raw=raw,
        extra=extra,
    )  # fmt: skip
    reason = hold_reason(author, screening, verdict, topic=topic, raw=raw)
    if reason:
        draft = Draft(
            raw=raw, category_id=topic.category_id, topic_id=topic.id,
            reply_to_post_number=reply_to_post_number, extra=extra or None,
        )  # fmt: skip
        return hold_post(author, draft, reason)
    return create_post(
        author, topic, raw, reply_to_post_number=reply_to_post_number, extra=extra, cooked=cooked
    )


def create_post(
    author: User,
    topic: Topic,
    raw: str,
    *,
    reply_to_post_number: int | None = None,
    created_at: datetime | None = None,
    approved_by: User | None = None,
    commit: bool = True,
    extra: dict | None = None,
    cooked: str | None = None,
) -> Post:
    """Add a reply to ``topic`` without review (see ``submit_post``).

    ``cooked``: ``raw`` cooked by ``cook_post`` already (``submit_post`` has it).
    """
    if not (
        permissions.can_reply(author, topic)
        or (approved_by is not None and permissions.is_staff(approved_by))
    ):
        raise NotAllowed(_l("You may not reply to this topic."))
    if reply_to_post_number is not None:
        exists = db.session.scalar(
            sa.select(Post.id).where(
                Post.topic_id == topic.id, Post.post_number == reply_to_post_number
            )
        )
        if exists is None:
            raise BoardError(_l("The post you are replying to does not exist."))
    now = created_at or utcnow()
    cooked = cooked if cooked is not None else cook_post(raw)
    # Taking the number with UPDATE ... RETURNING serialises concurrent replies
    # on the topic row, so two replies can never get the same number.
    post = reply_sql.add_post(author, topic, raw, cooked, reply_to=reply_to_post_number, now=now)
    record_uploads(post, new=True)
    if reply_to_post_number is not None:
        counters.add(
            Post,
            sa.and_(Post.topic_id == topic.id, Post.post_number == reply_to_post_number),
            reply_count=1,
        )
    # Every reply in the category updates its row: last, so that on
    # PostgreSQL its row lock is held only until the commit right after.
    reply_sql.count_post(author, topic, post, own=counters.counts_for_author(topic))
    if commit:
        _commit_keeping_loaded()
        post_published(post, topic, author, extra)
    return post


def _commit_keeping_loaded() -> None:
    """Commit without expiring the loaded rows.

    The post, its topic and its author hold what was just written (the
    counters' UPDATEs bring their new values into the loaded rows); expiring
    them would read all three again for the redirect and the plugins.
    """
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def post_published(post: Post, topic: Topic, author: User, extra: dict | None) -> None:
    """Tell the plugins about a new reply (call after its commit)."""
    plugins.notify_event("post_created", post=post, topic=topic, user=author, extra=extra or {})


def edit_post(
    editor: User,
    post: Post,
    raw: str,
    *,
    title: str | None = None,
    reason: str = "",
    help_kind: HelpKind | str | None = None,
    municipality: Municipality | str | None = None,
    extra: dict | None = None,
) -> Post:
    """Change a post (and, for a first post, its topic's title); keeps a revision.

    Plugins may reject an edit; an edit is never held for review.
    """
    if not permissions.can_edit_post(editor, post):
        raise NotAllowed(_l("You may not edit this post."))
    topic = post.topic
    if title is not None and post.post_number == 1:
        low, high = (
            current_app.config[k] for k in ("TOPIC_TITLE_MIN_LENGTH", "TOPIC_TITLE_MAX_LENGTH")
        )
        if not low <= len(title.strip()) <= high:
            raise BoardError(
                _l("A title needs %(low)d to %(high)d characters.", low=low, high=high)
            )
    refuse_blocked_words(f"{title or ''}\n{raw}")
    ask_plugins(
        user=editor, category=topic.category, topic=topic, post=post, title=title, raw=raw,
        extra=extra or {},
    )  # fmt: skip
    new_title = title.strip() if title is not None and post.post_number == 1 else topic.title
    help_changed = False
    if post.post_number == 1 and topic.help_kind is not None and help_kind and municipality:
        fields = help_fields(topic.category, help_kind, municipality, topic.help_status)
        help_changed = (fields["help_kind"], fields["municipality"]) != (
            topic.help_kind,
            topic.municipality,
        )
        topic.help_kind, topic.municipality = fields["help_kind"], fields["municipality"]
    if raw == post.raw and new_title == topic.title:
        if help_changed:
            db.session.commit()
        if extra:
            # Only a plugin's fields may have changed (an event's date, say).
            plugins.notify_event(
                "post_edited", post=post, topic=topic, user=editor, reason=reason.strip(),
                extra=extra,
            )  # fmt: skip
        return post
    version = post.version + 1
    db.session.add(
        PostRevision(
            post_id=post.id,
            number=version,
            user_id=editor.id,
            raw_before=post.raw,
            raw_after=raw,
            title_before=topic.title if new_title != topic.title else None,
            title_after=new_title if new_title != topic.title else None,
            reason=reason.strip()[:255],
        )
    )
    post.raw = raw
    post.cooked = cook_post(raw)
    record_uploads(post)
    post.version = version
    post.updated_at = utcnow()
    if new_title != topic.title:
        topic.title = new_title
        topic.slug = slugify(new_title, 100)
    if editor.id != post.user_id:
        log_action(
            editor, "edit_post", target_type="post", target_id=post.id, target_label=topic.title,
            reason=reason.strip(), version=version,
        )  # fmt: skip
    db.session.commit()
    plugins.notify_event(
        "post_edited", post=post, topic=topic, user=editor, reason=reason.strip(),
        extra=extra or {},
    )  # fmt: skip
    return post


def delete_post(actor: User, post: Post, *, reason: str = "", commit: bool = True) -> None:
    """Soft-delete a post; deleting the first post deletes the whole topic."""
    if not permissions.can_delete_post(actor, post):
        raise NotAllowed(_l("You may not delete this post."))
    now = utcnow()
    counters.post_visibility_changed(post, -1)
    post.deleted_at, post.deleted_by_id = now, actor.id
    if post.post_number == 1:
        post.topic.deleted_at, post.topic.deleted_by_id = now, actor.id
    if actor.id != post.user_id:
        log_action(
            actor, "delete_topic" if post.post_number == 1 else "delete_post",
            target_type="post", target_id=post.id, target_label=post.topic.title, reason=reason,
        )  # fmt: skip
    if commit:
        db.session.commit()
        post_removed(post, actor)


def post_removed(post: Post, actor: User) -> None:
    """Tell the plugins about a deleted post (call after its commit)."""
    plugins.notify_event("post_deleted", post=post, topic=post.topic, user=actor)


def restore_post(actor: User, post: Post) -> None:
    """Undo a soft delete (staff only)."""
    if not permissions.can_restore_post(actor, post):
        raise NotAllowed(_l("You may not restore this post."))
    post.deleted_at = post.deleted_by_id = None
    if post.post_number == 1:
        post.topic.deleted_at = post.topic.deleted_by_id = None
    counters.post_visibility_changed(post, +1)
    log_action(
        actor, "restore_topic" if post.post_number == 1 else "restore_post",
        target_type="post", target_id=post.id, target_label=post.topic.title,
    )  # fmt: skip
    db.session.commit()
    plugins.notify_event("post_restored", post=post, topic=post.topic, user=actor)
