"""The forum's own reactions to board events: notifications (a builtin plugin).

Registered by the app factory next to forum.permissions, so boards never
import notifications. The fan-out itself is a job written in the transaction of
the post, edit or like (forum/notifications/outbox.py) and made after the
response: the request only pays for the job's row and the "could not see" message.
"""

from flask import flash, has_request_context
from flask_babel import gettext as _
from flask_login import current_user

from forum import permissions
from forum.hookspecs import hookimpl
from forum.notifications import fanout, outbox


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
    # The fan-out is a job written with the post (forum/notifications/outbox.py).
    if not permissions.is_private(topic):  # forum.messages tells the participants
        _tell_writer_about_invisible_mentions(post, topic, user)


@hookimpl
def post_created(post, topic, user):
    if post.post_number == 1 or permissions.is_private(topic):
        return  # topic_created told the writer; forum.messages tells the participants
    _tell_writer_about_invisible_mentions(post, topic, user)


@hookimpl
def post_edited(post, topic, user):
    _tell_writer_about_invisible_mentions(post, topic, user)
    if not outbox.recorded("edit", post.id):
        # Only a plugin's fields changed (no revision, so no job yet): a staff
        # member's change is still news to the author.
        outbox.add_job("edit", post.id, user.id)
