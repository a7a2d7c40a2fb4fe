"""The forum's own reactions to board events: notifications (a builtin plugin).

Registered by the app factory next to forum.permissions, so boards never
import notifications. The fan-out runs after the response (``deferred.defer``):
the request only pays for the "could not see" message.
"""

import functools

from flask import flash, has_request_context
from flask_babel import gettext as _
from flask_login import current_user

from forum import permissions
from forum.hookspecs import hookimpl
from forum.notifications import fanout
from forum.notifications.deferred import defer


def _tell_writer_about_invisible_mentions(post, topic, user) -> None:
    if not has_request_context() or getattr(current_user, "id", None) != user.id:
        return  # a moderator approving a held post is not the writer
    names = fanout.invisible_mentions(post, topic)
    if names:
        flash(
            _(
                "%(names)s cannot see this category and was not notified.",
                names=", ".join(names),
            ),
            "info",
        )


@hookimpl
def topic_created(topic, post, user):
    if permissions.is_private(topic):
        return  # forum.messages tells the participants (one notification per post)
    _tell_writer_about_invisible_mentions(post, topic, user)
    defer(functools.partial(fanout.notify_post, post.id, user.id))


@hookimpl
def post_created(post, topic, user):
    if post.post_number == 1:
        return  # topic_created told everybody (watchers of the category, mentions)
    if permissions.is_private(topic):
        return  # forum.messages tells the participants (one notification per post)
    _tell_writer_about_invisible_mentions(post, topic, user)
    defer(functools.partial(fanout.notify_post, post.id, user.id))


@hookimpl
def post_edited(post, topic, user):
    _tell_writer_about_invisible_mentions(post, topic, user)
    defer(functools.partial(fanout.notify_edited, post.id, user.id))
    if permissions.is_private(topic):
        return  # only participants read it, and they were told of the post
    # Members the edit newly mentions or quotes (who heard nothing of this post yet).
    defer(functools.partial(fanout.notify_post, post.id, user.id, edited=True))


@hookimpl
def post_liked(post, user):
    defer(functools.partial(fanout.notify_liked, post.id, user.id))
