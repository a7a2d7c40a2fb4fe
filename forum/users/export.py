"""A member's own data, for download (GDPR Art. 15 and 20): built on request, for
the member herself only (forum/users/views.py passes ``current_user``).

Everything the forum keeps about her that she typed or that was recorded about
her: the profile and settings, her posts with their raw text (also deleted ones:
their text is still kept), likes, bookmarks, notifications, the answers to the
membership questions, the recorded log-ins, her "Ich bin interessiert" messages
and the organisations she represents. Texts, titles of topics and the
contents of notifications are given only where she may read them now (the same
decisions as on every page, forum.permissions): a post a moderator deleted, or one
in a category closed to her now, is listed with its dates but without its text. A fixed
number of statements.
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from forum import permissions
from forum.auth.models import LoginRecord
from forum.boards.models import Bookmark, Category, Post, PostLike, Topic
from forum.extensions import db
from forum.membership.models import MembershipApplication
from forum.notifications.models import Notification
from forum.organisations.models import Interest, Opportunity, Organisation, Representative
from forum.users.models import User

FORMAT_VERSION = 1


def _when(value: datetime | None) -> str | None:
    return value.isoformat() + ("Z" if value and value.tzinfo is None else "") if value else None


def _profile(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "email_confirmed_at": _when(user.email_confirmed_at),
        "role": user.role.value,
        "language": user.locale,
        "about_me": user.bio_raw,
        "joined_at": _when(user.created_at),
        "last_seen_at": _when(user.last_seen_at),
        "mail_settings": {
            "on_reply": user.email_on_reply,
            "on_mention": user.email_on_mention,
            "on_message": user.email_on_message,
            "on_watched": user.email_on_watched,
            "summary": user.digest_frequency,
        },
    }


def build(user: User, base_url: str = "") -> dict[str, Any]:
    """Return everything the forum keeps about ``user``, as JSON-ready data."""
    # Topic and category come along (and are held here: the session keeps only weak
    # references), so the permission checks below need no statement of their own.
    rows = db.session.execute(
        sa.select(Post, Topic, Category)
        .join(Topic, Topic.id == Post.topic_id)
        .join(Category, Category.id == Topic.category_id)
        .where(Post.user_id == user.id)
        .order_by(Post.id)
    ).all()
    posts = [post for post, _topic, _category in rows]
    likes = db.session.execute(
        sa.select(PostLike.post_id, PostLike.created_at)
        .where(PostLike.user_id == user.id)
        .order_by(PostLike.created_at)
    ).all()
    bookmarks = db.session.execute(
        sa.select(Bookmark.post_id, Bookmark.created_at)
        .where(Bookmark.user_id == user.id)
        .order_by(Bookmark.created_at)
    ).all()
    notifications = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()
    application = db.session.scalar(
        sa.select(MembershipApplication).where(MembershipApplication.user_id == user.id)
    )
    topic_ids = {item.topic_id for item in notifications if item.topic_id is not None}
    readable = set(
        db.session.scalars(
            sa.select(Topic.id)
            .join(Category, Category.id == Topic.category_id)
            .where(Topic.id.in_(topic_ids), permissions.visible_topics_clause(user))
        )
    )
    logins = db.session.execute(
        sa.select(LoginRecord.created_at, LoginRecord.ip_address)
        .where(LoginRecord.user_id == user.id)
        .order_by(LoginRecord.created_at)
    ).all()
    interests = db.session.execute(
        sa.select(Interest, Opportunity, Organisation)
        .join(Opportunity, Opportunity.id == Interest.opportunity_id)
        .join(Organisation, Organisation.id == Opportunity.organisation_id)
        .where(Interest.user_id == user.id)
        .order_by(Interest.id)
    ).all()
    representations = db.session.execute(
        sa.select(Organisation.name, Organisation.slug, Representative.added_at)
        .join(Representative, Representative.organisation_id == Organisation.id)
        .where(Representative.user_id == user.id)
        .order_by(Representative.added_at)
    ).all()
    return {
        "format": FORMAT_VERSION,
        "forum": base_url,
        "profile": _profile(user),
        "posts": [
            {
                "id": post.id,
                "topic_id": post.topic_id,
                "topic_title": post.topic.title
                if permissions.can_read_topic(user, post.topic)
                else None,
                "post_number": post.post_number,
                # The same decision as on every page: a post a moderator deleted, or
                # in a place closed to her now, is listed without its text.
                "raw": post.raw if permissions.can_read_post(user, post) else None,
                "created_at": _when(post.created_at),
                "updated_at": _when(post.updated_at),
                "deleted": post.deleted_at is not None,
            }
            for post in posts
        ],
        "likes": [{"post_id": post_id, "at": _when(at)} for post_id, at in likes],
        "bookmarks": [{"post_id": post_id, "at": _when(at)} for post_id, at in bookmarks],
        "notifications": [
            {
                "kind": item.kind,
                "topic_id": item.topic_id,
                "data": item.data if item.topic_id is None or item.topic_id in readable else {},
                "created_at": _when(item.created_at),
                "read_at": _when(item.read_at),
            }
            for item in notifications
        ],
        "membership_application": None
        if application is None
        else {
            "answers": application.answers,
            "netiquette_version": application.netiquette_version,
            "netiquette_accepted_at": _when(application.netiquette_accepted_at),
            "created_at": _when(application.created_at),
        },
        "logins": [{"at": _when(at), "address": address} for at, address in logins],
        "interests": [
            {
                "opportunity_id": opportunity.id,
                # Her message always; what it was about while she may see it.
                "opportunity_title": opportunity.title
                if permissions.can_see_organisation(user, organisation)
                else None,
                "organisation": organisation.name
                if permissions.can_see_organisation(user, organisation)
                else None,
                "message": interest.message,
                "conversation_topic_id": interest.topic_id,
                "created_at": _when(interest.created_at),
                "sent_at": _when(interest.sent_at),
                "withdrawn_at": _when(interest.withdrawn_at),
            }
            for interest, opportunity, organisation in interests
        ],
        "representations": [
            {"organisation": name, "slug": slug, "since": _when(added_at)}
            for name, slug, added_at in representations
        ],
    }
