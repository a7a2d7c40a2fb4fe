"""The one place that decides who may see and do what.

Pages, lists, search, feeds and the API all ask these functions; nothing else
compares roles or access levels. ``user`` is the current user or ``None`` /
an anonymous user for guests. Plugins decide their own actions through
``allowed`` and the ``permission_allowed`` hook, and ask the forum's rules by
name there too.
"""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from forum import plugins
from forum.boards.models import Category, Post, ReadLevel, Topic, WriteLevel
from forum.hookspecs import hookimpl
from forum.users.models import Role, User


def _account(user: Any) -> User | None:
    """Return a real account, or None for guests (Flask-Login's anonymous user)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def readable_levels(user: Any) -> tuple[ReadLevel, ...]:
    """Return the category read levels this person may see."""
    account = _account(user)
    if account is None or account.role == Role.APPLICANT:
        return (ReadLevel.PUBLIC,)
    if account.is_staff:
        return (ReadLevel.PUBLIC, ReadLevel.MEMBERS, ReadLevel.STAFF)
    return (ReadLevel.PUBLIC, ReadLevel.MEMBERS)


def readable_categories_clause(user: Any) -> sa.ColumnElement[bool]:
    """Return a SQL condition on Category that keeps what the user may read."""
    return Category.read_level.in_(readable_levels(user))


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


#: States that keep a post from people finding it out of its topic (search):
#: name -> SQL condition on Post joined with Topic, true when the post is in
#: that state. Search copies each post's states into its index, so adding or
#: changing one needs a reindex (``flask --app forum search status`` says so).
POST_STATES: dict[str, sa.ColumnElement[bool]] = {
    "post_deleted": Post.deleted_at.is_not(None),
    "post_hidden": Post.hidden_at.is_not(None),
    "topic_deleted": Topic.deleted_at.is_not(None),
    "topic_unlisted": Topic.unlisted.is_(True),
}


def findable_states(user: Any) -> frozenset[str]:
    """Return the POST_STATES whose posts this person may still find (search)."""
    if is_staff(user):
        # Unlisted topics stay in staff lists (visible_topics_clause). Deleted
        # and hidden posts stay out of search for everybody, as in Discourse.
        return frozenset({"topic_unlisted"})
    return frozenset()


def findable_posts_clause(user: Any) -> sa.ColumnElement[bool]:
    """Return a SQL condition on Post joined with Topic and Category: the posts
    this person may find out of their topic (search)."""
    findable = findable_states(user)
    kept_out = [sa.not_(state) for name, state in POST_STATES.items() if name not in findable]
    return sa.and_(readable_categories_clause(user), *kept_out)


def is_staff(user: Any) -> bool:
    account = _account(user)
    return account is not None and account.is_staff


def is_member(user: Any) -> bool:
    account = _account(user)
    return account is not None and account.is_member


def can_read_category(user: Any, category: Category) -> bool:
    return category.read_level in readable_levels(user)


def can_read_topic(user: Any, topic: Topic) -> bool:
    """Return whether the topic may be shown; callers answer 404 otherwise."""
    if not can_read_category(user, topic.category):
        return False
    return topic.deleted_at is None or is_staff(user)


def can_write(user: Any) -> bool:
    """Members may write unless silenced; applicants and guests may not."""
    account = _account(user)
    return account is not None and account.is_member and not account.is_silenced


def is_archived(category: Category) -> bool:
    """An archived category is read-only for everybody (staff included)."""
    return category.archived_at is not None


def _meets(account: User, level: WriteLevel | None) -> bool:
    # Unset (a category not yet saved) counts as the column's default, members.
    return level != WriteLevel.STAFF or account.is_staff


def can_create_topic(user: Any, category: Category) -> bool:
    """The category's ``write_level`` says who may start topics."""
    account = _account(user)
    if not can_write(user) or not can_read_category(user, category):
        return False
    return not is_archived(category) and _meets(account, category.write_level)


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


def can_edit_post(user: Any, post: Post) -> bool:
    account = _account(user)
    if account is None or not can_read_topic(user, post.topic):
        return False
    if account.is_staff:
        return True
    return (
        account.id == post.user_id
        and can_write(user)
        and not post.is_deleted
        and not post.topic.closed
        and not is_archived(post.topic.category)
    )


def can_delete_post(user: Any, post: Post) -> bool:
    account = _account(user)
    if account is None or post.is_deleted or not can_read_topic(user, post.topic):
        return False
    return account.is_staff or account.id == post.user_id


def can_restore_post(user: Any, post: Post) -> bool:
    return post.is_deleted and is_staff(user) and can_read_topic(user, post.topic)


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
    if not can_read_topic(user, post.topic):
        return False
    if post.is_deleted and not can_see_deleted(user):
        return False
    return not post.is_hidden or can_see_hidden_post(user, post)


def can_flag_post(user: Any, post: Post) -> bool:
    account = _account(user)
    return (
        account is not None
        and account.is_member
        and account.id != post.user_id
        and not post.is_deleted
        and can_read_topic(user, post.topic)
    )


def can_moderate(user: Any) -> bool:
    """Moderators and admins work the review queue and use moderator tools."""
    return is_staff(user)


def can_administrate(user: Any) -> bool:
    account = _account(user)
    return account is not None and account.is_admin


def can_like_post(user: Any, post: Post) -> bool:
    account = _account(user)
    return (
        account is not None
        and can_write(user)
        and account.id != post.user_id
        and post.is_visible
        and can_read_topic(user, post.topic)
    )


def can_bookmark_post(user: Any, post: Post) -> bool:
    return is_member(user) and can_read_topic(user, post.topic)


def can_set_help_status(user: Any, topic: Topic) -> bool:
    account = _account(user)
    if account is None or topic.help_kind is None or not can_read_topic(user, topic):
        return False
    return account.is_staff or (account.is_member and account.id == topic.user_id)


def can_moderate_member(user: Any, member: User) -> bool:
    """Moderators silence and suspend members; only admins act on staff; nobody on themselves."""
    account = _account(user)
    return (
        account is not None
        and account.is_staff
        and account.id != member.id
        and (not member.is_staff or account.is_admin)
    )


def can_log_in(user: User) -> bool:
    """A suspended member may not log in (and is logged out) until the suspension ends."""
    return not user.is_suspended


# --- Actions by name: where plugins take part -------------------------------------------

#: The forum's own decisions by name: the built-in answers of ``permission_allowed``.
CORE_ACTIONS: dict[str, Callable[[Any, Any], bool]] = {
    "topic.read": can_read_topic,
    "topic.reply": can_reply,
    "post.read": can_read_post,
    "post.edit": can_edit_post,
    "post.delete": can_delete_post,
    "post.like": can_like_post,
    "post.flag": can_flag_post,
    "member.moderate": can_moderate_member,
    "account.log_in": lambda user, _obj: _account(user) is not None and can_log_in(user),
}


@hookimpl(trylast=True, specname="permission_allowed")
def core_permission_allowed(user: Any, action: str, obj: Any) -> bool | None:
    """Answer the forum's own actions; leave plugins' actions to them."""
    rule = CORE_ACTIONS.get(action)
    return None if rule is None else rule(user, obj)


def allowed(user: Any, action: str, obj: Any = None) -> bool:
    """Return whether ``user`` may do the named ``action`` (on ``obj``); plugins take part."""
    return plugins.permission_allowed(user, action, obj)
