"""Profiles as others see them (activity, bookmarks) and the settings a member changes.

Creating, finding and checking accounts is forum/auth/accounts.py."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import contains_eager

from forum.boards.models import Bookmark, Post, Topic
from forum.extensions import db
from forum.permissions import readable_topics_clause, visible_posts_clause, visible_topics_clause
from forum.routing import parse_cursor
from forum.text import excerpt
from forum.users.models import User

# --- Settings -------------------------------------------------------------------

#: How often the summary of popular topics may come, and its interval in days.
DIGEST_FREQUENCIES = {"off": None, "daily": 1, "weekly": 7, "biweekly": 14}


def update_profile(
    user: User,
    *,
    display_name: str,
    bio: str,
    locale: str | None,
    email_on_reply: bool,
    email_on_mention: bool,
    email_on_message: bool = True,
    email_on_watched: bool = True,
    digest_frequency: str | None = None,
) -> None:
    """Save what the user may change about themselves; the bio is cooked here, once."""
    from forum.markdown import cook

    bio = bio.strip()
    user.display_name = display_name.strip()
    if bio != user.bio_raw:
        user.bio_raw = bio
        user.bio_cooked = cook(bio) if bio else ""
    user.locale = locale
    user.email_on_reply = email_on_reply
    user.email_on_mention = email_on_mention
    user.email_on_message = email_on_message
    user.email_on_watched = email_on_watched
    if digest_frequency in DIGEST_FREQUENCIES:
        user.digest_frequency = digest_frequency
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    """Save the language the user reads the forum and its mails in."""
    user.locale = locale
    db.session.commit()


# --- Profile and bookmarks (what the viewer may read, in fixed queries) -------------------


@dataclass
class PostSummary:
    """A post in a list: the post, its topic (with category) and a plain-text excerpt."""

    post: Post
    topic: Topic
    excerpt: str
    bookmarked_at: datetime | None = None


@dataclass
class Activity:
    topics: list[Topic]
    posts: list[PostSummary]


@dataclass
class BookmarkList:
    items: list[PostSummary]
    next_cursor: str | None


def _excerpt(post: Post, length: int = 200) -> str:
    # The cooked HTML is already sanitised; its text reads better than raw markdown.
    return excerpt(Markup(post.cooked).striptags(), length)  # noqa: S704 (sanitised at write)


def recent_activity(user: User, viewer: Any, limit: int = 20) -> Activity:
    """Return the user's newest topics and replies that ``viewer`` may read (two queries)."""
    topics = db.session.scalars(
        sa.select(Topic)
        .join(Topic.category)
        .where(Topic.user_id == user.id, visible_topics_clause(viewer))
        .options(contains_eager(Topic.category))
        .order_by(Topic.created_at.desc(), Topic.id.desc())
        .limit(limit)
    ).all()
    posts = db.session.scalars(
        sa.select(Post)
        .join(Post.topic)
        .join(Topic.category)
        .where(
            Post.user_id == user.id,
            Post.post_number > 1,
            visible_posts_clause(viewer),
            visible_topics_clause(viewer),
        )
        .options(contains_eager(Post.topic).contains_eager(Topic.category))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(limit)
    ).all()
    return Activity(
        topics=list(topics),
        posts=[PostSummary(post, post.topic, _excerpt(post)) for post in posts],
    )


def _parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    return parse_cursor(cursor)


def list_bookmarks(user: User, *, cursor: str | None = None, limit: int = 30) -> BookmarkList:
    """Return the user's bookmarks newest first, only posts they may still read (one query)."""
    query = (
        sa.select(Bookmark, Post)
        .join(Post, Post.id == Bookmark.post_id)
        .join(Post.topic)
        .join(Topic.category)
        .join(Post.user)
        .where(
            Bookmark.user_id == user.id,
            visible_posts_clause(user),
            # One's own bookmarks include messages of conversations one takes part in.
            readable_topics_clause(user),
        )
        .options(
            contains_eager(Post.topic).contains_eager(Topic.category),
            contains_eager(Post.user),
        )
    )
    position = _parse_cursor(cursor)
    if position is not None:
        stamp, post_id = position
        query = query.where(
            sa.or_(
                Bookmark.created_at < stamp,
                sa.and_(Bookmark.created_at == stamp, Bookmark.post_id < post_id),
            )
        )
    rows = db.session.execute(
        query.order_by(Bookmark.created_at.desc(), Bookmark.post_id.desc()).limit(limit + 1)
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    items = [
        PostSummary(post, post.topic, _excerpt(post), bookmarked_at=bookmark.created_at)
        for bookmark, post in rows
    ]
    next_cursor = None
    if has_more:
        last = rows[-1][0]
        next_cursor = f"{last.created_at.isoformat()}_{last.post_id}"
    return BookmarkList(items=items, next_cursor=next_cursor)
