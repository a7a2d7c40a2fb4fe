"""The policy in front of publishing: watched words and the plugins' verdicts."""

from flask_babel import lazy_gettext as _l

from forum import permissions, plugins
from forum.errors import BoardError
from forum.markdown import cook
from forum.review import words
from forum.site.services import get_setting
from forum.users.models import User


def cook_post(raw: str) -> str:
    """Cook a post's markdown with censored watched words masked."""
    return cook(words.screen(raw).censor(raw))


def refuse_blocked_words(text: str) -> words.Screening:
    """Refuse a text with a blocked word; return the screening for the hold decision."""
    screening = words.screen(text)
    if screening.blocked_by:
        raise BoardError(
            _l(
                "Your text contains “%(word)s”, which is not allowed here.",
                word=screening.blocked_by,
            )
        )
    return screening


def hold_reason(author: User, screening: words.Screening, verdict, topic=None) -> str | None:
    """Return why a post must wait for review, or None to publish it now.

    A new member's message to staff only (the coordination office's inbox)
    is not held: the people who would review it read it anyway.
    """
    if isinstance(verdict, plugins.Hold):
        return f"plugin:{verdict.reason}"
    if permissions.is_staff(author):
        return None
    if screening.held_by:
        return f"watched_word:{screening.held_by}"
    if author.published_post_count < get_setting("HOLD_FIRST_POSTS"):
        if topic is not None and permissions.is_private(topic):
            return None if permissions.reaches_only_staff(topic) else "new_member"
        return "new_member"
    return None


def ask_plugins(**arguments):
    """Run the plugins' validate_post; raise on a rejection, return a Hold or None."""
    verdict = plugins.validate_post(**arguments)
    if isinstance(verdict, plugins.Reject):
        raise BoardError(verdict.message)
    return verdict
