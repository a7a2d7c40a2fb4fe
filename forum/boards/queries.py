"""The read path: single rows for loaders, and (from lists and topic_page)
the windows pages show, all offered here.

Everything a page shows is loaded on purpose with eager loading; the
query-count tests (tests/boards/test_query_counts.py) fail on an N+1.
"""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from forum.boards.lists import (
    NEW_TOPIC_WINDOW,
    CategoryOverview,
    HelpFilter,
    TopicList,
    TopicRow,
    categories_overview,
    list_topics,
    list_unread,
    readable_categories,
)
from forum.boards.models import Category, Post, PostRevision, Topic
from forum.boards.reading import reader_state
from forum.boards.topic_page import PostView, ReplyLink, TopicPage, page_of_post, topic_page
from forum.extensions import db

__all__ = [
    "NEW_TOPIC_WINDOW",
    "CategoryOverview",
    "HelpFilter",
    "PostView",
    "ReplyLink",
    "TopicList",
    "TopicPage",
    "TopicRow",
    "categories_overview",
    "category_colors",
    "first_unread_post_number",
    "get_category",
    "get_category_with_subcategory_ids",
    "get_post",
    "get_post_by_number",
    "get_topic",
    "list_topics",
    "list_unread",
    "page_of_post",
    "post_revisions",
    "readable_categories",
    "topic_page",
]


def category_colors() -> list[str]:
    """Return the distinct colours of all categories (not secret: no names)."""
    return list(db.session.scalars(sa.select(Category.color).distinct().order_by(Category.color)))


def get_category(category_id: int) -> Category | None:
    return db.session.get(Category, category_id)


def get_category_with_subcategory_ids(category_id: int) -> tuple[Category | None, list[int]]:
    """Return a category and the ids of its subcategories (one statement, for its
    topic list: ``list_topics(subcategory_ids=...)``)."""
    category, subcategory_ids = None, []
    rows = db.session.scalars(
        sa.select(Category).where(
            sa.or_(Category.id == category_id, Category.parent_id == category_id)
        )
    )
    for row in rows:
        if row.id == category_id:
            category = row
        else:
            subcategory_ids.append(row.id)
    return category, sorted(subcategory_ids)


#: Built once, the id bound when it runs (every topic page and action loads one).
_TOPIC = (
    sa.select(Topic).where(Topic.id == sa.bindparam("topic_id")).options(joinedload(Topic.category))
)


def get_topic(topic_id: int) -> Topic | None:
    """Return the topic with its category loaded (one query, none when this request
    loaded it already: a member's kept page asks first, then the view it falls back to)."""
    known = db.session.identity_map.get(identity_key(Topic, topic_id))
    if known is not None:
        state = sa.inspect(known)
        # As the query would give it: the same instance, its values not expired.
        if not state.expired_attributes and "category" in state.dict:
            return known
    return db.session.scalar(_TOPIC, {"topic_id": topic_id})


def first_unread_post_number(user, topic: Topic) -> int | None:
    """Return where a returning reader should land, or None to start at the top."""
    if not getattr(user, "is_authenticated", False):
        return None
    last_read = reader_state(user.id, topic).last_read_post_number
    if not last_read or last_read >= topic.highest_post_number:
        return None
    return last_read + 1


def get_post(post_id: int) -> Post | None:
    """Return a post with its topic, the topic's category and the author."""
    return db.session.scalar(
        sa.select(Post)
        .where(Post.id == post_id)
        .options(joinedload(Post.topic).joinedload(Topic.category), joinedload(Post.user))
    )


def get_post_by_number(topic: Topic, post_number: int) -> Post | None:
    post = db.session.scalar(
        sa.select(Post)
        .where(Post.topic_id == topic.id, Post.post_number == post_number)
        .options(joinedload(Post.user))
    )
    if post is not None:
        set_committed_value(post, "topic", topic)
    return post


def post_revisions(post: Post) -> list[PostRevision]:
    return list(
        db.session.scalars(
            sa.select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .options(joinedload(PostRevision.user))
            .order_by(PostRevision.number.desc())
        )
    )
