"""Topics: submitting (or holding) a new topic, writing it, help topics' status.

Every function owns its transaction; counters change through forum.boards.counters.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from forum import permissions, plugins
from forum.boards import counters
from forum.boards.models import (
    Category,
    CategoryKind,
    HelpKind,
    HelpStatus,
    Municipality,
    Post,
    Topic,
)
from forum.boards.policy import (
    ask_plugins,
    cook_post,
    hold_reason,
    record_uploads,
    refuse_blocked_words,
)
from forum.boards.reading import mark_read
from forum.db import utcnow
from forum.errors import BoardError, NotAllowed
from forum.extensions import db
from forum.moderation.models import ReviewItem
from forum.review.held import Draft, hold_post
from forum.text import slugify
from forum.users.models import User


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
    help_fields(category, help_kind, municipality, None)  # validate before holding
    screening = refuse_blocked_words(f"{title}\n{raw}")
    cook_post(raw)  # refuses too many mentions before the topic may be held
    verdict = ask_plugins(
        user=author, category=category, topic=None, post=None, title=title, raw=raw, extra=extra
    )
    reason = hold_reason(author, screening, verdict, category=category, raw=raw)
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


def help_fields(
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
        **help_fields(category, help_kind, municipality, help_status),
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
    record_uploads(post, new=True)
    counters.add(Category, category.id, topic_count=1, post_count=1, assign={"last_posted_at": now})
    own = counters.counts_for_author(topic)  # personal messages do not count
    counters.add(User, author.id, topic_count=own, post_count=own, published_post_count=own)
    mark_read(author.id, topic.id, 1)
    if commit:
        db.session.commit()
        topic_published(topic, post, author, extra)
    return topic


def topic_published(topic: Topic, post: Post, author: User, extra: dict | None) -> None:
    """Tell the plugins about a new topic (call after its commit)."""
    plugins.notify_event("topic_created", topic=topic, post=post, user=author, extra=extra or {})
    plugins.notify_event("post_created", post=post, topic=topic, user=author, extra=extra or {})


def set_help_status(actor: User, topic: Topic, status: HelpStatus | str) -> None:
    """Mark a help request or offer open, arranged or done."""
    if topic.help_kind is None or not permissions.can_set_help_status(actor, topic):
        raise NotAllowed(_l("You may not change the status of this topic."))
    topic.help_status = HelpStatus(status)
    db.session.commit()
