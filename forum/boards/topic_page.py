"""A topic page: one window of posts with everything it shows, in a fixed
number of queries (tests/boards/test_query_counts.py fails on an N+1)."""

import math
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from forum import permissions
from forum.boards.models import Bookmark, Post, PostLike, Topic
from forum.boards.reading import reader_state
from forum.extensions import db
from forum.moderation.models import Flag, ReviewItem, ReviewStatus
from forum.review.held import HELD_POST, held_posts_of
from forum.text import excerpt
from forum.users.models import User

#: Characters of a replied-to post the "in reply to" chip can unfold.
CONTEXT_LENGTH = 160
# Markdown marks and quoted lines, left out of that excerpt.
_QUOTED = re.compile(r"^\s*>.*$", re.MULTILINE)
_MARKS = re.compile(r"[*_`#>~|]+|!?\[([^\]]*)\]\([^)]*\)")


def context_excerpt(raw: str) -> str:
    """Return a replied-to post's opening words as plain text (no quotes, no marks)."""
    text = _MARKS.sub(lambda m: m.group(1) or " ", _QUOTED.sub(" ", raw))
    return excerpt(text, CONTEXT_LENGTH)


@dataclass
class ReplyLink:
    post_number: int
    username: str
    #: The display name, or the username when there is none.
    name: str = ""


@dataclass
class PostView:
    post: Post
    reply_to_username: str | None
    #: Whom the post answers, as people are shown (display name or username).
    reply_to_name: str | None
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
    #: The opening words of the replied-to post; empty when it is deleted or hidden.
    reply_context: str = ""


@dataclass
class TopicPage:
    topic: Topic
    posts: list[PostView]
    page: int
    page_count: int
    last_read_post_number: int | None
    #: The reader's own replies awaiting approval in this topic (review items).
    held: list = field(default_factory=list)
    #: The post numbers this window covers ("posts 21-40 of 45").
    first_number: int = 1
    last_number: int = 1


def page_of_post(post_number: int, per_page: int) -> int:
    return max(math.ceil(post_number / per_page), 1)


# The page's statements are built once, with their values bound when they run:
# building and keying them cost more than SQLite took to run them.

#: A window of posts with what the post blocks show of their authors
#: (forum/post_blocks.py reads no other column of an author).
_WINDOW = (
    sa.select(Post)
    .where(
        Post.topic_id == sa.bindparam("topic_id"),
        Post.post_number.between(sa.bindparam("first"), sa.bindparam("last")),
    )
    .options(
        joinedload(Post.user).load_only(
            User.username, User.display_name, User.avatar_key, User.avatar_small_key
        )
    )
    .order_by(Post.post_number)
)

_NUMBERS = sa.bindparam("numbers", expanding=True)
_WANTED = sa.bindparam("wanted", expanding=True)
_SHOWN = sa.and_(Post.deleted_at.is_(None), Post.hidden_at.is_(None))
#: Replies to posts in the window, and authors (and opening words) of
#: replied-to posts outside it.
_RELATED = (
    sa.select(
        Post.post_number,
        Post.reply_to_post_number,
        User.username,
        User.display_name,
        Post.deleted_at,
        sa.case(
            (sa.and_(Post.post_number.in_(_WANTED), _SHOWN), sa.func.substr(Post.raw, 1, 400)),
            else_=sa.null(),
        ),
    )
    .join(User, User.id == Post.user_id)
    .where(
        Post.topic_id == sa.bindparam("topic_id"),
        sa.or_(Post.reply_to_post_number.in_(_NUMBERS), Post.post_number.in_(_WANTED)),
    )
    .order_by(Post.post_number)
)

_IDS = sa.bindparam("ids", expanding=True)
_READER = sa.bindparam("user_id")
#: The reader's likes, bookmarks and flags on the window, and whether they have
#: replies in the topic awaiting review (loaded only then: most pages have none).
_READER_MARKS = sa.union_all(
    sa.select(sa.literal("like"), PostLike.post_id).where(
        PostLike.user_id == _READER, PostLike.post_id.in_(_IDS)
    ),
    sa.select(sa.literal("bookmark"), Bookmark.post_id).where(
        Bookmark.user_id == _READER, Bookmark.post_id.in_(_IDS)
    ),
    sa.select(sa.literal("flag"), Flag.post_id).where(
        Flag.user_id == _READER, Flag.post_id.in_(_IDS)
    ),
    sa.select(sa.literal("held"), ReviewItem.id).where(
        ReviewItem.kind == HELD_POST,
        ReviewItem.user_id == _READER,
        ReviewItem.status == ReviewStatus.PENDING,
        ReviewItem.topic_id == sa.bindparam("topic_id"),
    ),
)


def topic_page(user, topic: Topic, page: int, per_page: int) -> TopicPage:
    """Return one window of a topic's posts with everything the page shows."""
    page_count = page_of_post(topic.highest_post_number, per_page)
    page = min(max(page, 1), page_count)
    first, last = (page - 1) * per_page + 1, page * per_page
    posts = list(db.session.scalars(_WINDOW, {"topic_id": topic.id, "first": first, "last": last}))
    for post in posts:
        # The topic is already loaded; share it instead of loading it per post.
        set_committed_value(post, "topic", topic)
    numbers = [p.post_number for p in posts]
    wanted = {p.reply_to_post_number for p in posts if p.reply_to_post_number} - set(numbers)
    related = db.session.execute(
        _RELATED, {"topic_id": topic.id, "numbers": numbers, "wanted": sorted(wanted)}
    ).all()
    replies: dict[int, list[ReplyLink]] = {}
    usernames = {p.post_number: p.user.username for p in posts}
    names = {p.post_number: p.user.name for p in posts}
    # Only posts everyone may read lend their words to a reply's context.
    contexts = {p.post_number: p.raw for p in posts if not (p.is_deleted or p.is_hidden)}
    for number, reply_to, username, display_name, deleted_at, raw in related:
        if number in wanted:
            usernames[number] = username
            names[number] = display_name or username
            if raw is not None:
                contexts[number] = raw
        if reply_to in numbers and deleted_at is None:
            replies.setdefault(reply_to, []).append(
                ReplyLink(number, username, display_name or username)
            )

    liked: set[int] = set()
    bookmarked: set[int] = set()
    flagged: set[int] = set()
    held: list = []
    last_read = None
    if getattr(user, "is_authenticated", False) and posts:
        ids = [p.id for p in posts]
        # The reader's likes, bookmarks, flags and held replies in one query.
        marks = db.session.execute(
            _READER_MARKS, {"user_id": user.id, "ids": ids, "topic_id": topic.id}
        )
        by_kind: dict[str, set[int]] = {
            "like": set(),
            "bookmark": set(),
            "flag": set(),
            "held": set(),
        }
        for kind, post_id in marks:
            by_kind[kind].add(post_id)
        liked, bookmarked, flagged = by_kind["like"], by_kind["bookmark"], by_kind["flag"]
        last_read = reader_state(user.id, topic).last_read_post_number
        # The reader's own posts still waiting for review, shown only to them.
        if by_kind["held"]:
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
        parent = post.reply_to_post_number
        views.append(
            PostView(
                post=post,
                reply_to_username=usernames.get(parent),
                reply_to_name=names.get(parent),
                replies=replies.get(post.post_number, []),
                liked=post.id in liked,
                bookmarked=post.id in bookmarked,
                reply_context=context_excerpt(contexts.get(parent) or "") if parent else "",
                **may,
            )
        )
    return TopicPage(
        topic,
        views,
        page,
        page_count,
        last_read,
        held,
        first_number=min(first, topic.highest_post_number),
        last_number=min(last, topic.highest_post_number),
    )
