"""A topic page: one window of posts with everything it shows, in a fixed
number of queries (tests/boards/test_query_counts.py fails on an N+1)."""

import math
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from forum import permissions
from forum.boards.models import Bookmark, Post, PostLike, Topic
from forum.boards.reading import reader_state
from forum.extensions import db
from forum.moderation.models import Flag
from forum.review.held import held_posts_of
from forum.users.models import User


@dataclass
class ReplyLink:
    post_number: int
    username: str


@dataclass
class PostView:
    post: Post
    reply_to_username: str | None
    replies: list[ReplyLink]
    liked: bool
    bookmarked: bool
    can_edit: bool
    can_delete: bool
    can_restore: bool
    can_like: bool
    can_flag: bool
    #: The post's text may be shown (permissions.can_read_post).
    show_text: bool


@dataclass
class TopicPage:
    topic: Topic
    posts: list[PostView]
    page: int
    page_count: int
    last_read_post_number: int | None
    #: The reader's own replies awaiting approval in this topic (review items).
    held: list = field(default_factory=list)


def page_of_post(post_number: int, per_page: int) -> int:
    return max(math.ceil(post_number / per_page), 1)


def topic_page(user, topic: Topic, page: int, per_page: int) -> TopicPage:
    """Return one window of a topic's posts with everything the page shows."""
    page_count = page_of_post(topic.highest_post_number, per_page)
    page = min(max(page, 1), page_count)
    first, last = (page - 1) * per_page + 1, page * per_page
    query = (
        sa.select(Post)
        .where(Post.topic_id == topic.id, Post.post_number.between(first, last))
        .options(joinedload(Post.user))
        .order_by(Post.post_number)
    )
    posts = list(db.session.scalars(query))
    for post in posts:
        # The topic is already loaded; share it instead of loading it per post.
        set_committed_value(post, "topic", topic)
    numbers = [p.post_number for p in posts]
    wanted = {p.reply_to_post_number for p in posts if p.reply_to_post_number} - set(numbers)

    # Replies to posts in the window, and authors of replied-to posts outside it.
    related = db.session.execute(
        sa.select(Post.post_number, Post.reply_to_post_number, User.username, Post.deleted_at)
        .join(User, User.id == Post.user_id)
        .where(
            Post.topic_id == topic.id,
            sa.or_(Post.reply_to_post_number.in_(numbers), Post.post_number.in_(wanted)),
        )
        .order_by(Post.post_number)
    ).all()
    replies: dict[int, list[ReplyLink]] = {}
    usernames = {p.post_number: p.user.username for p in posts}
    for number, reply_to, username, deleted_at in related:
        if number in wanted:
            usernames[number] = username
        if reply_to in numbers and deleted_at is None:
            replies.setdefault(reply_to, []).append(ReplyLink(number, username))

    liked: set[int] = set()
    bookmarked: set[int] = set()
    flagged: set[int] = set()
    held: list = []
    last_read = None
    if getattr(user, "is_authenticated", False) and posts:
        ids = [p.id for p in posts]
        # The reader's likes, bookmarks and flags on this window in one query.
        marks = sa.union_all(
            sa.select(sa.literal("like"), PostLike.post_id).where(
                PostLike.user_id == user.id, PostLike.post_id.in_(ids)
            ),
            sa.select(sa.literal("bookmark"), Bookmark.post_id).where(
                Bookmark.user_id == user.id, Bookmark.post_id.in_(ids)
            ),
            sa.select(sa.literal("flag"), Flag.post_id).where(
                Flag.user_id == user.id, Flag.post_id.in_(ids)
            ),
        )
        by_kind: dict[str, set[int]] = {"like": set(), "bookmark": set(), "flag": set()}
        for kind, post_id in db.session.execute(marks):
            by_kind[kind].add(post_id)
        liked, bookmarked, flagged = by_kind["like"], by_kind["bookmark"], by_kind["flag"]
        last_read = reader_state(user.id, topic).last_read_post_number
        # The reader's own posts still waiting for review, shown only to them.
        held = held_posts_of(user, topic.id)
    show_deleted = permissions.can_see_deleted(user)
    # The rules per post, with the topic-level answers decided once for the page.
    abilities = permissions.post_abilities(user, topic)
    views = []
    for post in posts:
        if not (show_deleted or not post.is_deleted or post.post_number == 1):
            continue
        may = abilities(post)
        may["can_flag"] = may["can_flag"] and post.id not in flagged
        views.append(
            PostView(
                post=post,
                reply_to_username=usernames.get(post.reply_to_post_number),
                replies=replies.get(post.post_number, []),
                liked=post.id in liked,
                bookmarked=post.id in bookmarked,
                **may,
            )
        )
    return TopicPage(topic, views, page, page_count, last_read, held)
