"""The write path of the forum: categories, topics, posts, likes, bookmarks.

Every function owns its transaction. Counters that list pages show are
updated in the same transaction with SQL expressions (``x = x + 1``) so two
writers at once cannot lose an update.
"""

import re
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from forum import permissions, plugins
from forum.boards.models import (
    Bookmark,
    Category,
    CategoryKind,
    HelpKind,
    HelpStatus,
    Municipality,
    Post,
    PostLike,
    PostRevision,
    ReadLevel,
    Topic,
    TopicUser,
    WriteLevel,
)
from forum.cooking import cook
from forum.db import utcnow
from forum.extensions import db
from forum.moderation import words
from forum.moderation.audit import log_action
from forum.moderation.held import Draft, hold_post
from forum.moderation.models import ReviewItem
from forum.site.services import get_setting
from forum.text import slugify
from forum.users.models import User


class BoardError(Exception):
    """A write the user asked for cannot be done; ``message`` says why."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class NotAllowed(BoardError):
    """The user may not do this (views answer 403 or 404)."""


# --- Categories -----------------------------------------------------------------


def create_category(
    name: str,
    *,
    slug: str | None = None,
    description: str = "",
    color: str = "0b6e4f",
    position: int | None = None,
    kind: CategoryKind = CategoryKind.DISCUSSION,
    read_level: ReadLevel = ReadLevel.MEMBERS,
    write_level: WriteLevel = WriteLevel.MEMBERS,
    parent: Category | None = None,
) -> Category:
    """Create a category; categories nest one level deep at most."""
    if parent is not None and parent.parent_id is not None:
        raise BoardError(_l("Categories can be nested one level deep only."))
    color = color.lstrip("#").lower()
    if not re.fullmatch(r"[0-9a-f]{6}", color):
        raise BoardError(_l("A colour is six hexadecimal digits, e.g. 0b6e4f."))
    slug = slug or slugify(name)
    if db.session.scalar(sa.select(Category.id).where(Category.slug == slug)):
        raise BoardError(_l("A category with this name or slug exists already."))
    if position is None:
        position = (db.session.scalar(sa.select(sa.func.max(Category.position))) or 0) + 1
    category = Category(
        name=name.strip(),
        slug=slug,
        description=description,
        color=color,
        position=position,
        kind=CategoryKind(kind),
        read_level=ReadLevel(read_level),
        write_level=WriteLevel(write_level),
        parent_id=parent.id if parent else None,
    )
    db.session.add(category)
    db.session.commit()
    return category


# --- Submitting: the policy in front of publishing ---------------------------------------


def cook_post(raw: str) -> str:
    """Cook a post's markdown with censored watched words masked."""
    return cook(words.screen(raw).censor(raw))


def _refuse_blocked_words(text: str) -> words.Screening:
    screening = words.screen(text)
    if screening.blocked_by:
        raise BoardError(
            _l(
                "Your text contains “%(word)s”, which is not allowed here.",
                word=screening.blocked_by,
            )
        )
    return screening


def _hold_reason(author: User, screening: words.Screening, verdict) -> str | None:
    """Return why a post must wait for review, or None to publish it now."""
    if isinstance(verdict, plugins.Hold):
        return f"plugin:{verdict.reason}"
    if permissions.is_staff(author):
        return None
    if screening.held_by:
        return f"watched_word:{screening.held_by}"
    if author.published_post_count < get_setting("HOLD_FIRST_POSTS"):
        return "new_member"
    return None


def _ask_plugins(**arguments):
    """Run the plugins' validate_post; raise on a rejection, return a Hold or None."""
    verdict = plugins.validate_post(**arguments)
    if isinstance(verdict, plugins.Reject):
        raise BoardError(verdict.message)
    return verdict


def submit_topic(
    author: User,
    category: Category,
    title: str,
    raw: str,
    *,
    help_kind: HelpKind | str | None = None,
    municipality: Municipality | str | None = None,
    extra: dict | None = None,
) -> Topic | ReviewItem:
    """Publish a new topic, or hold it for review; return the topic or the review item.

    ``extra`` carries the composer's ``plugin.*`` fields to the plugins.
    """
    if not permissions.can_create_topic(author, category):
        raise NotAllowed(_l("You may not start a topic in this category."))
    extra = extra or {}
    _help_fields(category, help_kind, municipality, None)  # validate before holding
    screening = _refuse_blocked_words(f"{title}\n{raw}")
    verdict = _ask_plugins(
        user=author, category=category, topic=None, post=None, title=title, raw=raw, extra=extra
    )
    reason = _hold_reason(author, screening, verdict)
    if reason:
        draft = Draft(
            raw=raw, category_id=category.id, title=title.strip(),
            help_kind=str(help_kind) if help_kind else None,
            municipality=str(municipality) if municipality else None, extra=extra or None,
        )  # fmt: skip
        return hold_post(author, draft, reason)
    return create_topic(
        author, category, title, raw, help_kind=help_kind, municipality=municipality, extra=extra
    )


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
    screening = _refuse_blocked_words(raw)
    verdict = _ask_plugins(
        user=author, category=topic.category, topic=topic, post=None, title=None, raw=raw,
        extra=extra,
    )  # fmt: skip
    reason = _hold_reason(author, screening, verdict)
    if reason:
        draft = Draft(
            raw=raw, category_id=topic.category_id, topic_id=topic.id,
            reply_to_post_number=reply_to_post_number, extra=extra or None,
        )  # fmt: skip
        return hold_post(author, draft, reason)
    return create_post(author, topic, raw, reply_to_post_number=reply_to_post_number, extra=extra)


# --- Topics and posts --------------------------------------------------------------


def _help_fields(
    category: Category,
    help_kind: HelpKind | str | None,
    municipality: Municipality | str | None,
    help_status: HelpStatus | str | None,
) -> dict:
    if category.kind != CategoryKind.HELP:
        return {"help_kind": None, "municipality": None, "help_status": None}
    if not help_kind or not municipality:
        raise BoardError(_l("A help topic needs a kind (request or offer) and a municipality."))
    return {
        "help_kind": HelpKind(help_kind),
        "municipality": Municipality(municipality),
        "help_status": HelpStatus(help_status or HelpStatus.OPEN),
    }


def create_topic(
    author: User,
    category: Category,
    title: str,
    raw: str,
    *,
    help_kind: HelpKind | str | None = None,
    municipality: Municipality | str | None = None,
    help_status: HelpStatus | str | None = None,
    created_at: datetime | None = None,
    approved_by: User | None = None,
    commit: bool = True,
    extra: dict | None = None,
) -> Topic:
    """Start a topic with its first post, without review (see ``submit_topic``).

    ``approved_by`` is the moderator publishing a held topic: the author's
    rights were checked when it was submitted.
    """
    if not (
        permissions.can_create_topic(author, category)
        or (approved_by is not None and permissions.is_staff(approved_by))
    ):
        raise NotAllowed(_l("You may not start a topic in this category."))
    now = created_at or utcnow()
    topic = Topic(
        category_id=category.id,
        user_id=author.id,
        title=title.strip(),
        slug=slugify(title, 100),
        created_at=now,
        bumped_at=now,
        last_posted_at=now,
        last_post_user_id=author.id,
        posts_count=1,
        highest_post_number=1,
        **_help_fields(category, help_kind, municipality, help_status),
    )
    db.session.add(topic)
    db.session.flush()
    post = Post(
        topic_id=topic.id,
        user_id=author.id,
        post_number=1,
        raw=raw,
        cooked=cook_post(raw),
        created_at=now,
        updated_at=now,
    )
    db.session.add(post)
    db.session.execute(
        sa.update(Category)
        .where(Category.id == category.id)
        .values(
            topic_count=Category.topic_count + 1,
            post_count=Category.post_count + 1,
            last_posted_at=now,
        )
    )
    db.session.execute(
        sa.update(User)
        .where(User.id == author.id)
        .values(
            topic_count=User.topic_count + 1,
            post_count=User.post_count + 1,
            published_post_count=User.published_post_count + 1,
        )
    )
    _mark_read(author.id, topic.id, 1)
    if commit:
        db.session.commit()
        topic_published(topic, post, author, extra)
    return topic


def topic_published(topic: Topic, post: Post, author: User, extra: dict | None) -> None:
    """Tell the plugins about a new topic (call after its commit)."""
    plugins.notify_event("topic_created", topic=topic, post=post, user=author, extra=extra or {})
    plugins.notify_event("post_created", post=post, topic=topic, user=author, extra=extra or {})


def post_published(post: Post, topic: Topic, author: User, extra: dict | None) -> None:
    """Tell the plugins about a new reply (call after its commit)."""
    plugins.notify_event("post_created", post=post, topic=topic, user=author, extra=extra or {})


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
) -> Post:
    """Add a reply to ``topic`` without review (see ``submit_post``)."""
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
    # Taking the number with UPDATE ... RETURNING serialises concurrent replies
    # on the topic row, so two replies can never get the same number.
    post_number = db.session.execute(
        sa.update(Topic)
        .where(Topic.id == topic.id)
        .values(
            highest_post_number=Topic.highest_post_number + 1,
            posts_count=Topic.posts_count + 1,
            bumped_at=now,
            last_posted_at=now,
            last_post_user_id=author.id,
        )
        .returning(Topic.highest_post_number)
    ).scalar_one()
    post = Post(
        topic_id=topic.id,
        user_id=author.id,
        post_number=post_number,
        reply_to_post_number=reply_to_post_number,
        raw=raw,
        cooked=cook_post(raw),
        created_at=now,
        updated_at=now,
    )
    db.session.add(post)
    if reply_to_post_number is not None:
        db.session.execute(
            sa.update(Post)
            .where(Post.topic_id == topic.id, Post.post_number == reply_to_post_number)
            .values(reply_count=Post.reply_count + 1)
        )
    db.session.execute(
        sa.update(Category)
        .where(Category.id == topic.category_id)
        .values(post_count=Category.post_count + 1, last_posted_at=now)
    )
    db.session.execute(
        sa.update(User)
        .where(User.id == author.id)
        .values(post_count=User.post_count + 1, published_post_count=User.published_post_count + 1)
    )
    _mark_read(author.id, topic.id, post_number)
    if commit:
        db.session.commit()
        post_published(post, topic, author, extra)
    return post


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
    _refuse_blocked_words(f"{title or ''}\n{raw}")
    _ask_plugins(
        user=editor, category=topic.category, topic=topic, post=post, title=title, raw=raw,
        extra=extra or {},
    )  # fmt: skip
    new_title = title.strip() if title is not None and post.post_number == 1 else topic.title
    help_changed = False
    if post.post_number == 1 and topic.help_kind is not None and help_kind and municipality:
        fields = _help_fields(topic.category, help_kind, municipality, topic.help_status)
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


def _adjust_counters_for_visibility(post: Post, delta: int) -> None:
    """Add ``delta`` (+1 or -1) to the counters a visible post contributes to."""
    topic = post.topic
    if post.post_number == 1:
        # The first post stands for the whole topic.
        db.session.execute(
            sa.update(Category)
            .where(Category.id == topic.category_id)
            .values(
                topic_count=Category.topic_count + delta,
                post_count=Category.post_count + delta * topic.posts_count,
            )
        )
        db.session.execute(
            sa.update(User)
            .where(User.id == post.user_id)
            .values(topic_count=User.topic_count + delta, post_count=User.post_count + delta)
        )
        return
    db.session.execute(
        sa.update(Topic).where(Topic.id == topic.id).values(posts_count=Topic.posts_count + delta)
    )
    if topic.deleted_at is None:
        # A deleted topic's posts left its category's count with the topic.
        db.session.execute(
            sa.update(Category)
            .where(Category.id == topic.category_id)
            .values(post_count=Category.post_count + delta)
        )
    db.session.execute(
        sa.update(User).where(User.id == post.user_id).values(post_count=User.post_count + delta)
    )
    if post.reply_to_post_number is not None:
        db.session.execute(
            sa.update(Post)
            .where(Post.topic_id == topic.id, Post.post_number == post.reply_to_post_number)
            .values(reply_count=Post.reply_count + delta)
        )


def delete_post(actor: User, post: Post, *, reason: str = "", commit: bool = True) -> None:
    """Soft-delete a post; deleting the first post deletes the whole topic."""
    if not permissions.can_delete_post(actor, post):
        raise NotAllowed(_l("You may not delete this post."))
    now = utcnow()
    _adjust_counters_for_visibility(post, -1)
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
    _adjust_counters_for_visibility(post, +1)
    log_action(
        actor, "restore_topic" if post.post_number == 1 else "restore_post",
        target_type="post", target_id=post.id, target_label=post.topic.title,
    )  # fmt: skip
    db.session.commit()
    plugins.notify_event("post_restored", post=post, topic=post.topic, user=actor)


def set_help_status(actor: User, topic: Topic, status: HelpStatus | str) -> None:
    """Mark a help request or offer open, arranged or done."""
    if topic.help_kind is None or not permissions.can_set_help_status(actor, topic):
        raise NotAllowed(_l("You may not change the status of this topic."))
    topic.help_status = HelpStatus(status)
    db.session.commit()


# --- Likes, bookmarks, reading -------------------------------------------------------


def toggle_like(user: User, post: Post) -> bool:
    """Like the post, or take the like back; return whether it is liked now."""
    if not permissions.can_like_post(user, post):
        raise NotAllowed(_l("You may not like this post."))
    removed = db.session.execute(
        sa.delete(PostLike).where(PostLike.post_id == post.id, PostLike.user_id == user.id)
    ).rowcount
    delta = -1 if removed else 1
    if not removed:
        db.session.add(PostLike(post_id=post.id, user_id=user.id))
    db.session.execute(
        sa.update(Post).where(Post.id == post.id).values(like_count=Post.like_count + delta)
    )
    db.session.execute(
        sa.update(Topic)
        .where(Topic.id == post.topic_id)
        .values(like_count=Topic.like_count + delta)
    )
    db.session.execute(
        sa.update(User)
        .where(User.id == post.user_id)
        .values(likes_received=User.likes_received + delta)
    )
    db.session.execute(
        sa.update(User).where(User.id == user.id).values(likes_given=User.likes_given + delta)
    )
    try:
        db.session.commit()
    except IntegrityError:
        # The same like arrived twice at once (double click); the first one won.
        db.session.rollback()
        return True
    return not removed


def toggle_bookmark(user: User, post: Post) -> bool:
    """Bookmark the post, or remove the bookmark; return whether it is bookmarked."""
    if not permissions.can_bookmark_post(user, post):
        raise NotAllowed(_l("You may not bookmark this post."))
    removed = db.session.execute(
        sa.delete(Bookmark).where(Bookmark.post_id == post.id, Bookmark.user_id == user.id)
    ).rowcount
    if not removed:
        db.session.add(Bookmark(post_id=post.id, user_id=user.id))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return True
    return not removed


def _upsert_statement(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _mark_read(user_id: int, topic_id: int, post_number: int) -> None:
    insert = _upsert_statement(db.session.get_bind().dialect.name)
    now = utcnow()
    statement = insert(TopicUser).values(
        user_id=user_id,
        topic_id=topic_id,
        last_read_post_number=post_number,
        first_visited_at=now,
        last_visited_at=now,
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[TopicUser.user_id, TopicUser.topic_id],
            set_={
                "last_read_post_number": sa.func.max(
                    TopicUser.last_read_post_number, statement.excluded.last_read_post_number
                )
                if db.session.get_bind().dialect.name == "sqlite"
                else sa.func.greatest(
                    TopicUser.last_read_post_number, statement.excluded.last_read_post_number
                ),
                "last_visited_at": now,
            },
        )
    )


def record_read(user_id: int, topic_id: int, post_number: int) -> None:
    """Remember that the user has read the topic up to ``post_number``."""
    _mark_read(user_id, topic_id, post_number)
    db.session.commit()
