"""The one place that decides who may see and do what.

Pages, lists, search, feeds and the API all ask these functions; nothing else
compares roles or access levels. ``user`` is the current user or ``None`` /
an anonymous user for guests. Plugins decide their own actions through
``allowed`` and the ``permission_allowed`` hook, and ask the forum's rules by
name there too.

Callers import this package (``from forum import permissions``) and nothing
below it. The rules live in one module per domain: ``roles`` (who someone is),
``boards`` (categories, topics, posts), ``messages``, ``uploads`` and
``organisations``; here are the two tables by name the rest of the forum reads:
the post states search keeps out (``POST_STATES``) and the actions plugins take
part in (``CORE_ACTIONS``, answered through ``permission_allowed``).
"""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from forum import plugins
from forum.boards.models import Post, Topic
from forum.hookspecs import hookimpl
from forum.permissions.boards import (
    can_ask_in,
    can_bookmark_post,
    can_create_topic,
    can_delete_post,
    can_edit_post,
    can_flag_post,
    can_like_post,
    can_moderate_topic,
    can_read_category,
    can_read_post,
    can_read_topic,
    can_reply,
    can_restore_post,
    can_see_deleted,
    can_see_hidden_post,
    can_set_help_status,
    is_archived,
    post_abilities,
    readable_categories_clause,
    readable_levels,
    readable_topics_clause,
    visible_posts_clause,
    visible_topics_clause,
)
from forum.permissions.messages import (
    can_invite,
    can_leave,
    can_message,
    can_receive_messages,
    can_send_message,
    is_ignoring,
    is_participant,
    is_private,
    private_topics_clause,
    reaches_only_staff,
)
from forum.permissions.organisations import (
    can_edit_organisation,
    can_manage_organisations,
    can_request_representation,
    can_see_contact_details,
    can_see_organisation,
    can_show_interest,
    represents,
    visible_organisations_clause,
)
from forum.permissions.roles import (
    _account,
    can_administrate,
    can_log_in,
    can_moderate,
    can_moderate_member,
    can_write,
    is_member,
    is_staff,
)
from forum.permissions.shapes import reader_params, shaped
from forum.permissions.uploads import (
    can_read_upload,
    can_upload,
)

__all__ = [
    "CORE_ACTIONS",
    "POST_STATES",
    "allowed",
    "can_administrate",
    "can_ask_in",
    "can_bookmark_post",
    "can_create_topic",
    "can_delete_post",
    "can_edit_organisation",
    "can_edit_post",
    "can_flag_post",
    "can_invite",
    "can_leave",
    "can_like_post",
    "can_log_in",
    "can_manage_organisations",
    "can_message",
    "can_moderate",
    "can_moderate_member",
    "can_moderate_topic",
    "can_read_category",
    "can_read_post",
    "can_read_topic",
    "can_read_upload",
    "can_receive_messages",
    "can_reply",
    "can_request_representation",
    "can_restore_post",
    "can_see_contact_details",
    "can_see_deleted",
    "can_see_hidden_post",
    "can_see_organisation",
    "can_send_message",
    "can_set_help_status",
    "can_show_interest",
    "can_upload",
    "can_write",
    "core_permission_allowed",
    "findable_posts_clause",
    "findable_posts_key",
    "findable_states",
    "is_archived",
    "is_ignoring",
    "is_member",
    "is_participant",
    "is_private",
    "is_staff",
    "post_abilities",
    "private_topics_clause",
    "reaches_only_staff",
    "readable_categories_clause",
    "readable_levels",
    "readable_topics_clause",
    "reader_params",
    "represents",
    "shaped",
    "visible_organisations_clause",
    "visible_posts_clause",
    "visible_topics_clause",
]


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


def findable_posts_key(user: Any) -> tuple:
    """Return what ``findable_posts_clause(user)`` depends on: a statement built
    with it may be kept under this key (search keeps its statements per shape)
    and still follows a changed rule (the states, a reader's levels)."""
    return (
        readable_levels(user),
        findable_states(user),
        tuple((name, id(state)) for name, state in POST_STATES.items()),
    )


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
    "topic.moderate": can_moderate_topic,
    "message.send": lambda user, recipient: can_message(user, recipient),
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
