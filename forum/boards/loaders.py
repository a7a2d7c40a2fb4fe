"""Load a view's object and check it in one declared step.

A view starts with the object it may use: what the reader may not see is a
404 (its existence stays unknown), what they see but may not do is a 403.
The rules themselves live in forum.permissions.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from forum import permissions
from forum.boards import queries
from forum.boards.models import Post, Topic
from forum.errors import NotAllowed

Rule = Callable[[Any, Any], bool]


def readable_topic(topic_id: int) -> Topic:
    """Return the topic if the current user may read it, else answer 404."""
    topic = queries.get_topic(topic_id)
    if topic is None or not permissions.can_read_topic(current_user, topic):
        abort(404)
    return topic


def readable_post(post_id: int) -> Post:
    """Return a post of a readable topic, deleted ones for staff only, else answer 404.

    Whether its text may be shown is a separate question (permissions.can_read_post).
    """
    post = queries.get_post(post_id)
    if post is None or not permissions.can_read_topic(current_user, post.topic):
        abort(404)
    if post.is_deleted and not permissions.can_see_deleted(current_user):
        abort(404)
    return post


def post_view(rule: Rule | None = None, *, hidden: Rule | None = None):
    """Give the view a readable ``post`` instead of ``post_id``.

    ``rule(user, post)`` false answers 403, ``hidden(user, post)`` false 404;
    a service refusing with NotAllowed answers 403 too.
    """

    def decorate(view):
        @wraps(view)
        def wrapped(post_id: int, **kwargs):
            post = readable_post(post_id)
            if hidden is not None and not hidden(current_user, post):
                abort(404)
            if rule is not None and not rule(current_user, post):
                abort(403)
            try:
                return view(post=post, **kwargs)
            except NotAllowed:
                abort(403)

        return wrapped

    return decorate


def topic_view(rule: Rule | None = None):
    """Give the view a readable ``topic`` instead of ``topic_id``; like ``post_view``."""

    def decorate(view):
        @wraps(view)
        def wrapped(topic_id: int, **kwargs):
            topic = readable_topic(topic_id)
            if rule is not None and not rule(current_user, topic):
                abort(403)
            try:
                return view(topic=topic, **kwargs)
            except NotAllowed:
                abort(403)

        return wrapped

    return decorate
