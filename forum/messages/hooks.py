"""The messages package's answers to forum events and page outlets (registered
as built-in hook implementations by the app factory, like forum.permissions)."""

from forum import permissions
from forum.hookspecs import hookimpl
from forum.messages import queries, services
from forum.messages.forms import AddParticipantForm, ConfirmForm
from forum.plugins import Contribution


@hookimpl
def topic_created(topic, post, user, extra):
    """A held conversation a moderator approved gets its participants now."""
    if extra and services.HELD_RECIPIENTS in extra:
        services.conversation_approved(topic, user, extra)


@hookimpl
def extra_outlet(outlet, user, topic, profile_user):
    """The participants panel on a conversation; "send a message" on a profile."""
    if outlet == "topic_header" and topic is not None and permissions.is_private(topic):
        return Contribution(
            "messages/_participants.html",
            {
                "topic": topic,
                "participants": queries.participants(topic),
                "can_invite": permissions.can_invite(user, topic),
                "can_leave": permissions.can_leave(user, topic),
                "add_form": AddParticipantForm(formdata=None),
                "confirm_form": ConfirmForm(formdata=None),
            },
        )
    if outlet == "user_profile" and profile_user is not None and permissions.is_member(user):
        if profile_user.id == user.id:
            return None
        return Contribution(
            "messages/_profile.html",
            {
                "profile_user": profile_user,
                "can_message": permissions.can_message(user, profile_user),
                "can_ignore": not profile_user.is_staff,
                "ignoring": permissions.is_ignoring(user.id, profile_user.id),
                "confirm_form": ConfirmForm(formdata=None),
            },
        )
    return None
