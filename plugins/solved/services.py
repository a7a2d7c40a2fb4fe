"""Accepting and unaccepting answers, and what lists, pages and search ask.

Who may do what is decided with forum.permissions: the action "solved.accept"
(answered by this plugin's permission_allowed) lets the topic's author (a
member) or staff accept, and only where they can read the topic. The
plugin works only in the categories listed in SOLVED_CATEGORIES; elsewhere its
data is kept but neither shown nor counted.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, g
from flask_babel import gettext as _
from markupsafe import Markup

from forum import permissions
from forum.boards.models import Category, Post, Topic
from forum.db import utcnow
from forum.extensions import db
from forum.notifications.services import notify
from forum.search import enqueue
from forum.users.models import User

from .models import SolvedAnswer

#: Characters of the solution quoted under the first post.
EXCERPT_LENGTH = 300


class NotAllowed(Exception):
    """The user may not accept (or unaccept) this post; the view answers 403."""


@dataclass(frozen=True)
class Solution:
    """A topic's accepted answer as pages show it."""

    post: Post
    author: User


# --- Settings and permissions ---------------------------------------------------------------


def enabled_slugs() -> list[str]:
    return list(current_app.config["SOLVED_CATEGORIES"])


def is_enabled(category: Category | None) -> bool:
    return category is not None and category.slug in enabled_slugs()


def may_accept(user, topic: Topic) -> bool:
    """The rule of "solved.accept": the topic's author (a member) or staff,
    where they can read the topic, in an enabled category."""
    if not is_enabled(topic.category) or not permissions.allowed(user, "topic.read", topic):
        return False
    if permissions.is_staff(user):
        return True
    return permissions.is_member(user) and user.id == topic.user_id


def can_accept(user, topic: Topic) -> bool:
    """Whether ``user`` may choose (or withdraw) the solution of ``topic``."""
    return permissions.allowed(user, "solved.accept", topic)


def can_accept_post(user, post: Post) -> bool:
    """Whether ``post`` may become the solution: a visible reply, and ``user`` may choose."""
    return post.post_number > 1 and post.is_visible and can_accept(user, post.topic)


# --- Writing --------------------------------------------------------------------------------


def accept_answer(user, post: Post) -> SolvedAnswer:
    """Make ``post`` the solution of its topic, replacing an earlier one."""
    if not can_accept_post(user, post):
        raise NotAllowed
    answer = db.session.get(SolvedAnswer, post.topic_id)
    if answer is not None and answer.post_id == post.id:
        return answer
    if answer is None:
        answer = SolvedAnswer(topic_id=post.topic_id)
        db.session.add(answer)
    answer.post_id = post.id
    # Solved topics rank a little higher: their posts are indexed again.
    enqueue("topic", post.topic_id)
    answer.accepted_by_id = user.id
    answer.accepted_at = utcnow()
    if post.user_id != user.id:
        notify(
            post.user_id,
            "solution_accepted",
            topic_id=post.topic_id,
            post_number=post.post_number,
            title=post.topic.title,
        )
    db.session.commit()
    return answer


def unaccept_answer(user, post: Post) -> None:
    """Withdraw ``post`` as its topic's solution; the topic is unsolved again."""
    if not can_accept(user, post.topic):
        raise NotAllowed
    db.session.execute(
        sa.delete(SolvedAnswer).where(
            SolvedAnswer.topic_id == post.topic_id, SolvedAnswer.post_id == post.id
        )
    )
    enqueue("topic", post.topic_id)
    db.session.commit()


# --- Reading --------------------------------------------------------------------------------


def _counted_answers() -> sa.Select:
    """Accepted answers that count: their post is not deleted."""
    return (
        sa.select(SolvedAnswer.topic_id)
        .join(Post, Post.id == SolvedAnswer.post_id)
        .where(Post.deleted_at.is_(None))
        # Search joins posts too; this subquery must not borrow the outer row.
        .correlate(None)
    )


def solution_of(topic: Topic) -> Solution | None:
    """Return the topic's counted solution (once per request), or None."""
    cache = g.setdefault("solved_solutions", {})
    if topic.id not in cache:
        row = db.session.execute(
            sa.select(Post, User)
            .join(SolvedAnswer, SolvedAnswer.post_id == Post.id)
            .join(User, User.id == Post.user_id)
            .where(SolvedAnswer.topic_id == topic.id, Post.deleted_at.is_(None))
        ).first()
        cache[topic.id] = Solution(post=row[0], author=row[1]) if row else None
    return cache[topic.id]


def accepted_post_id(topic_id: int) -> int | None:
    """Return the stored answer's post id (counted or not), for tests and tools."""
    return db.session.scalar(
        sa.select(SolvedAnswer.post_id).where(SolvedAnswer.topic_id == topic_id)
    )


#: Built once, the ids bound when it runs (every topic list asks).
_SOLVED_AMONG = _counted_answers().where(
    SolvedAnswer.topic_id.in_(sa.bindparam("topic_ids", expanding=True))
)


def solved_among(topic_ids: list[int]) -> set[int]:
    """Return which of ``topic_ids`` have a counted solution, in one query."""
    if not topic_ids:
        return set()
    return set(db.session.scalars(_SOLVED_AMONG, {"topic_ids": list(topic_ids)}))


def solved_topic_ids(session, topic_ids: set[int]) -> set[int]:
    """Return which of ``topic_ids`` are solved in an enabled category (the
    search's boost; ``session`` may be the indexer's own)."""
    if not topic_ids:
        return set()
    enabled = (
        sa.select(Topic.id)
        .join(Category, Category.id == Topic.category_id)
        .where(Category.slug.in_(enabled_slugs()))
    )
    query = _counted_answers().where(
        SolvedAnswer.topic_id.in_(topic_ids), SolvedAnswer.topic_id.in_(enabled)
    )
    return set(session.scalars(query))


def answers_among(topic_ids: list[int], user) -> dict[int, Post]:
    """Return topic id -> its accepted answer, for the topics of ``topic_ids``
    with one that ``user`` may find (one query; search results)."""
    if not topic_ids:
        return {}
    posts = db.session.scalars(
        sa.select(Post)
        .join(SolvedAnswer, SolvedAnswer.post_id == Post.id)
        .join(Topic, Topic.id == Post.topic_id)
        .join(Category, Category.id == Topic.category_id)
        .where(SolvedAnswer.topic_id.in_(topic_ids), permissions.findable_posts_clause(user))
    )
    return {post.topic_id: post for post in posts}


def excerpt(post: Post) -> str:
    """Return the start of a post's text, without markup, cut at a word."""
    # Only to drop the tags: the plain text is escaped again where it is shown.
    text = " ".join(Markup(post.cooked).striptags().split())  # noqa: S704
    if len(text) <= EXCERPT_LENGTH:
        return text
    return text[:EXCERPT_LENGTH].rsplit(" ", 1)[0] + " …"


# --- Search ---------------------------------------------------------------------------------


def status_condition(value: str) -> sa.ColumnElement[bool]:
    """``status:solved`` / ``status:unsolved``: topics of the enabled categories."""
    value = value.lower()
    if value not in ("solved", "unsolved"):
        raise ValueError(_("Use status:open, status:closed, status:solved or status:unsolved."))
    in_enabled = Topic.category_id.in_(
        sa.select(Category.id).where(Category.slug.in_(enabled_slugs())).correlate(None)
    )
    solved = Topic.id.in_(_counted_answers())
    return sa.and_(in_enabled, solved if value == "solved" else ~solved)
