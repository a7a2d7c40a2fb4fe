"""The policy in front of publishing: watched words and the plugins' verdicts."""

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from forum import permissions, plugins
from forum.boards.models import Category
from forum.errors import BoardError
from forum.extensions import db
from forum.markdown import cook, mention_candidates, mentioned_usernames
from forum.review import words
from forum.site.services import setting
from forum.uploads import services as uploads
from forum.users.models import Role, User


def mentionable(raw: str) -> dict[str, str]:
    """Return lower-cased name -> username of the members ``raw`` may mention.

    One query, and only when the text has an "@name" at all. Applicants are
    no members yet: their names stay plain text.
    """
    candidates = mention_candidates(raw)
    if not candidates:
        return {}
    rows = db.session.execute(
        sa.select(User.username_lower, User.username).where(
            User.username_lower.in_(sorted(candidates)), User.role != Role.APPLICANT
        )
    )
    return dict(rows.all())


def cook_post(
    raw: str, *, check_mentions: bool = True, screening: words.Screening | None = None
) -> str:
    """Cook a post's markdown with censored watched words masked and @mentions linked.

    Refuses a text mentioning more members than ``MAX_MENTIONS_PER_POST``
    (unless ``check_mentions`` is False, as for the preview). ``screening`` is
    ``raw``'s, when the caller has it already (one query less).
    """
    text = (screening or words.screen(raw)).censor(raw)
    cooked = cook(text, mentionable(text), uploads.embeds_for(text))
    limit = current_app.config["MAX_MENTIONS_PER_POST"]
    if check_mentions and len(mentioned_usernames(cooked)) > limit:
        raise BoardError(
            _l(
                "A post may mention at most %(limit)d members. Please mention fewer.",
                limit=limit,
            )
        )
    return cooked


def record_uploads(post, *, new: bool = False) -> None:
    """Record which uploads the post's cooked text uses (its access follows the post).

    ``new``: the post was just added, so it has no links to replace.
    """
    if new and not uploads.keys_in_cooked(post.cooked):
        return  # nothing to link, and nothing linked yet: no flush, no statement
    db.session.flush()
    uploads.link_post(post.id, post.cooked, new=new)


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


#: A member with fewer published posts counts as new where a category holds
#: new members' topics (``Category.hold_new_member_topics``).
NEW_MEMBER_POSTS = 10


def hold_reason(
    author: User,
    screening: words.Screening,
    verdict,
    *,
    topic=None,
    category: Category | None = None,
    raw: str = "",
) -> str | None:
    """Return why a post must wait for review, or None to publish it now.

    ``category`` is given for a new topic: a category may hold all new topics of
    new members, beyond the forum-wide HOLD_FIRST_POSTS; a post with uploads
    (``raw`` names one) waits while its author has fewer than UPLOAD_HOLD_POSTS
    published posts. ``topic`` is given for
    a reply: a new member's message to staff only (the coordination office's
    inbox) is not held, as the people who would review it read it anyway.
    """
    if isinstance(verdict, plugins.Hold):
        return f"plugin:{verdict.reason}"
    if permissions.is_staff(author):
        return None
    if screening.held_by:
        return f"watched_word:{screening.held_by}"
    if author.published_post_count < setting("HOLD_FIRST_POSTS"):
        if topic is not None and permissions.is_private(topic):
            return None if permissions.reaches_only_staff(topic) else "new_member"
        return "new_member"
    if (
        uploads.has_uploads(raw)
        and author.published_post_count < setting("UPLOAD_HOLD_POSTS")
        and (topic is None or not permissions.reaches_only_staff(topic))
    ):
        return "new_member_upload"
    if (
        category is not None
        and category.hold_new_member_topics
        and author.published_post_count < NEW_MEMBER_POSTS
    ):
        return "category_new_member"
    return None


def ask_plugins(**arguments):
    """Run the plugins' validate_post; raise on a rejection, return a Hold or None."""
    verdict = plugins.validate_post(**arguments)
    if isinstance(verdict, plugins.Reject):
        raise BoardError(verdict.message)
    return verdict
