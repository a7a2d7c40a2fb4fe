"""The API's read path: pages of topics by Discourse's ``order`` and a topic's
post stream, all through the permission clauses the pages use."""

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from forum import permissions
from forum.boards.models import Category, Post, PostLike, Topic
from forum.extensions import db

#: Discourse's ``order`` values the forum has, and their columns.
ORDERS = {
    "default": Topic.bumped_at,
    "activity": Topic.bumped_at,
    "created": Topic.created_at,
    "views": Topic.views,
    "posts": Topic.posts_count,
    "likes": Topic.like_count,
}
MAX_PER_PAGE = 100
MAX_STREAM = 5000


def topic_page(
    viewer,
    *,
    order: str = "default",
    ascending: bool = False,
    page: int = 0,
    per_page: int = 30,
    category: Category | None = None,
) -> tuple[list[Topic], bool]:
    """One page of topics the viewer may list; and whether there are more."""
    column = ORDERS.get(order, Topic.bumped_at)
    query = (
        sa.select(Topic)
        .join(Topic.category)
        .options(contains_eager(Topic.category), joinedload(Topic.user))
        .where(permissions.visible_topics_clause(viewer))
    )
    if category is not None:
        query = query.where(
            sa.or_(Topic.category_id == category.id, Category.parent_id == category.id)
        )
    else:
        query = query.where(Category.archived_at.is_(None))
    ordering = (column.asc(), Topic.id.asc()) if ascending else (column.desc(), Topic.id.desc())
    topics = list(
        db.session.scalars(
            query.order_by(*ordering).offset(page * per_page).limit(per_page + 1)
        ).unique()
    )
    return topics[:per_page], len(topics) > per_page


def post_stream(viewer, topic: Topic) -> list[int]:
    """The ids of the topic's posts in order (deleted ones for staff only)."""
    query = sa.select(Post.id).where(Post.topic_id == topic.id)
    if not permissions.can_see_deleted(viewer):
        query = query.where(Post.deleted_at.is_(None))
    return list(db.session.scalars(query.order_by(Post.post_number).limit(MAX_STREAM)))


def posts_by_ids(viewer, topic: Topic, ids: list[int]) -> list[Post]:
    """The topic's posts with these ids that belong to its stream, in order."""
    if not ids:
        return []
    query = (
        sa.select(Post)
        .where(Post.topic_id == topic.id, Post.id.in_(ids[:MAX_PER_PAGE]))
        .options(joinedload(Post.user))
        .order_by(Post.post_number)
    )
    if not permissions.can_see_deleted(viewer):
        query = query.where(Post.deleted_at.is_(None))
    return list(db.session.scalars(query))


def first_posts(viewer, topic: Topic, count: int = 20) -> list[Post]:
    """The first posts of the stream (Discourse sends 20 with the topic)."""
    query = (
        sa.select(Post)
        .where(Post.topic_id == topic.id)
        .options(joinedload(Post.user))
        .order_by(Post.post_number)
        .limit(count)
    )
    if not permissions.can_see_deleted(viewer):
        query = query.where(Post.deleted_at.is_(None))
    return list(db.session.scalars(query))


def has_liked(user, post: Post) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(
            sa.select(PostLike.post_id).where(
                PostLike.post_id == post.id, PostLike.user_id == user.id
            )
        )
        is not None
    )
