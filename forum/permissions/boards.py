"""Categories, topics and posts: what a reader sees in lists and may do on a page.

Lists get SQL clauses, one object gets a yes/no check; ``post_abilities`` answers
for every post of a topic page with the shared parts decided once.
"""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from forum.boards.models import Category, Post, ReadLevel, Topic, WriteLevel
from forum.permissions.messages import (
    can_send_message,
    is_participant,
    is_private,
    private_topics_clause,
)
from forum.permissions.roles import _account, _writes, can_write, is_member, is_staff
from forum.users.models import Role, User


def readable_levels(user: Any) -> tuple[ReadLevel, ...]:
    """Return the category read levels this person may see."""
    account = _account(user)
    if account is None or account.role == Role.APPLICANT:
        return (ReadLevel.PUBLIC,)
    if account.is_staff:
        return (ReadLevel.PUBLIC, ReadLevel.MEMBERS, ReadLevel.STAFF)
    return (ReadLevel.PUBLIC, ReadLevel.MEMBERS)


def readable_categories_clause(user: Any) -> sa.ColumnElement[bool]:
    """Return a SQL condition on Category that keeps what the user may read.

    The messages category (``ReadLevel.PRIVATE``) is in no reader's levels: no
    list, count, feed, search or API answer built on these clauses ever holds a
    private conversation. Its participants reach it through
    ``private_topics_clause`` and ``can_read_topic``.
    """
    # One bound value per level, not a list expanded into the statement each time it
    # runs: SQLAlchemy rewrites the whole statement's parameters for an expanding
    # list (a third of the execution time of a kept member page's statement).
    levels = [sa.literal(level, Category.read_level.type) for level in readable_levels(user)]
    return Category.read_level.in_(levels)


def visible_topics_clause(user: Any) -> sa.ColumnElement[bool]:
    """Return a SQL condition on Topic (joined with Category) for topic lists.

    Staff also see deleted and unlisted topics (marked as such); everybody
    else sees neither. An unlisted topic stays readable through its URL.
    """
    condition = readable_categories_clause(user)
    if not is_staff(user):
        condition = sa.and_(condition, Topic.deleted_at.is_(None), Topic.unlisted.is_(False))
    return condition


def visible_posts_clause(user: Any) -> sa.ColumnElement[bool]:
    """Return a SQL condition on Post for places that show post text out of its
    topic (profiles, search, feeds): no deleted and no hidden posts."""
    return sa.and_(Post.deleted_at.is_(None), Post.hidden_at.is_(None))


def readable_topics_clause(user: Any) -> sa.ColumnElement[bool]:
    """Return a SQL condition on Topic joined with Category: every topic the user
    may open, listed ones and their private conversations (for notifications)."""
    return sa.or_(visible_topics_clause(user), private_topics_clause(user))


def can_read_category(user: Any, category: Category) -> bool:
    return category.read_level in readable_levels(user)


def can_read_topic(user: Any, topic: Topic) -> bool:
    """Return whether the topic may be shown; callers answer 404 otherwise.

    A private conversation is for its current participants only: moderators
    read one only through the office's inbox, or the single message a
    participant flagged (on the review item's page, not here).
    """
    if is_private(topic):
        return topic.deleted_at is None and is_participant(user, topic)
    if not can_read_category(user, topic.category):
        return False
    return topic.deleted_at is None or is_staff(user)


def is_archived(category: Category) -> bool:
    """An archived category is read-only for everybody (staff included)."""
    return category.archived_at is not None


def _meets(account: User, level: WriteLevel | None) -> bool:
    # Unset (a category not yet saved) counts as the column's default, members.
    return level != WriteLevel.STAFF or account.is_staff


def can_create_topic(user: Any, category: Category) -> bool:
    """The category's ``write_level`` says who may start topics."""
    account = _account(user)
    if category.read_level == ReadLevel.PRIVATE:
        # Only forum.messages starts topics there, after checking the recipients.
        return can_send_message(user)
    if not can_write(user) or not can_read_category(user, category):
        return False
    return not is_archived(category) and _meets(account, category.write_level)


def can_ask_in(user: Any, category: Category) -> bool:
    """Whether search results offer to ask in ``category`` (the public questions
    category): a member who may start a topic there, or a guest or applicant
    who could after joining (the category is public and open to members)."""
    if category.read_level != ReadLevel.PUBLIC or is_archived(category):
        return False
    if is_member(user):
        return can_create_topic(user, category)
    account = _account(user)
    if account is not None and account.is_suspended:
        return False
    return category.write_level != WriteLevel.STAFF


def can_reply(user: Any, topic: Topic) -> bool:
    """The category's ``reply_level`` says who may reply (members where only staff
    start topics: announcements get questions)."""
    account = _account(user)
    if not can_write(user) or not can_read_topic(user, topic):
        return False
    if topic.deleted_at is not None or is_archived(topic.category):
        return False
    if topic.closed:
        return account.is_staff
    return _meets(account, topic.category.reply_level)


# One post's rules, given the account and whether its topic is readable (shared below).


def _edit_post(account: User | None, post: Post, readable: bool) -> bool:
    if account is None or not readable:
        return False
    if account.is_staff:
        return True
    return (
        account.id == post.user_id
        and _writes(account)
        and not post.is_deleted
        and not post.topic.closed
        and not is_archived(post.topic.category)
    )


def _delete_post(account: User | None, post: Post, readable: bool) -> bool:
    if account is None or post.is_deleted or not readable:
        return False
    return account.is_staff or account.id == post.user_id


def _restore_post(account: User | None, post: Post, readable: bool) -> bool:
    return post.is_deleted and account is not None and account.is_staff and readable


def _read_post(account: User | None, post: Post, readable: bool) -> bool:
    if not readable:
        return False
    staff = account is not None and account.is_staff
    if post.is_deleted and not staff:
        return False
    return not post.is_hidden or (account is not None and (staff or account.id == post.user_id))


def _flag_post(account: User | None, post: Post, readable: bool) -> bool:
    mine = account is None or account.id == post.user_id
    return not mine and account.is_member and not post.is_deleted and readable


def _like_post(account: User | None, post: Post, readable: bool) -> bool:
    mine = account is None or account.id == post.user_id
    return not mine and _writes(account) and post.is_visible and readable


def can_edit_post(user: Any, post: Post) -> bool:
    return _edit_post(_account(user), post, can_read_topic(user, post.topic))


def can_delete_post(user: Any, post: Post) -> bool:
    return _delete_post(_account(user), post, can_read_topic(user, post.topic))


def can_restore_post(user: Any, post: Post) -> bool:
    return _restore_post(_account(user), post, can_read_topic(user, post.topic))


def can_see_deleted(user: Any) -> bool:
    return is_staff(user)


def can_see_hidden_post(user: Any, post: Post) -> bool:
    """A post hidden after flags stays readable for its author and for staff."""
    account = _account(user)
    return account is not None and (account.is_staff or account.id == post.user_id)


def can_read_post(user: Any, post: Post) -> bool:
    """Return whether a post's text may be shown to ``user``.

    Every page and endpoint that shows one post's text asks this: the topic
    page, the reply and quote composer, the edit history, the flag form and
    the JSON API. A deleted post's text is for staff; a hidden one for staff
    and its author.
    """
    return _read_post(_account(user), post, can_read_topic(user, post.topic))


def can_flag_post(user: Any, post: Post) -> bool:
    return _flag_post(_account(user), post, can_read_topic(user, post.topic))


def post_abilities(user: Any, topic: Topic) -> Callable[[Post], dict[str, bool]]:
    """What ``user`` may do with each post of ``topic``: the rules of can_edit_post and
    its siblings, with the reader's account and the topic's readability decided once."""
    account = _account(user)
    if account is not None and hasattr(account, "_get_current_object"):
        account = account._get_current_object()  # current_user: one proxy lookup
    readable = can_read_topic(account, topic)

    def abilities(post: Post) -> dict[str, bool]:
        return {
            "can_edit": _edit_post(account, post, readable),
            "can_delete": _delete_post(account, post, readable),
            "can_restore": _restore_post(account, post, readable),
            "can_like": _like_post(account, post, readable),
            "can_flag": _flag_post(account, post, readable),
            "show_text": _read_post(account, post, readable),
        }

    return abilities


def can_moderate_topic(user: Any, topic: Topic) -> bool:
    """Moderator tools on a topic (close, pin, move, delete); never on a private
    conversation, which must not be moved into a readable category."""
    return is_staff(user) and not is_private(topic) and can_read_topic(user, topic)


def can_like_post(user: Any, post: Post) -> bool:
    return _like_post(_account(user), post, can_read_topic(user, post.topic))


def can_bookmark_post(user: Any, post: Post) -> bool:
    return is_member(user) and can_read_topic(user, post.topic)


def can_set_help_status(user: Any, topic: Topic) -> bool:
    account = _account(user)
    if account is None or topic.help_kind is None or not can_read_topic(user, topic):
        return False
    return account.is_staff or (account.is_member and account.id == topic.user_id)
