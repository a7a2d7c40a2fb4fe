"""Anonymising an account: its personal data goes, the row stays as "Gelöschtes Mitglied".

Used by the admin (forum/admin/people_actions.py, for someone else's account) and
by members deleting their own account on their settings page (forum/users/views.py).
Checks, changes, the audit log entry and the commit happen in one transaction.
"""

import json
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.auth.accounts import hash_password
from forum.auth.models import LoginRecord
from forum.boards import counters
from forum.boards.models import Bookmark, Post, PostRevision, TopicUser
from forum.boards.posts import post_removed
from forum.db import utcnow
from forum.errors import AdminError
from forum.extensions import db
from forum.idempotency import Submission
from forum.mail import OutgoingMail
from forum.membership.models import Invitation, MembershipApplication
from forum.messages.models import IgnoredUser, MessageParticipant, MessagePreference
from forum.moderation.models import ReviewItem, ReviewStatus
from forum.notifications.models import CategoryUser, Notification, NotificationSetting
from forum.organisations.models import Interest, Opportunity, Representative
from forum.review.audit import log_action
from forum.uploads.models import PostUpload
from forum.users.models import AccountDeletion, Role, User

KEEP_POSTS, DELETE_POSTS = "keep", "delete"


def live_admins() -> int:
    """How many admin accounts are not anonymised."""
    gone = sa.exists().where(AccountDeletion.user_id == User.id)
    return (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.role == Role.ADMIN, ~gone)
        )
        or 0
    )


def _deleted_name() -> str:
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _("Deleted member")


def _delete_posts(actor: User, person: User) -> list[Post]:
    """Soft-delete the person's visible posts (replies before first posts, so each
    topic's count is right when it goes) and erase their text; return them."""
    posts = db.session.scalars(
        sa.select(Post)
        .where(Post.user_id == person.id, Post.deleted_at.is_(None))
        .order_by(Post.post_number == 1, Post.id)
    ).all()
    now = utcnow()
    for post in posts:
        counters.post_visibility_changed(post, -1)
        post.deleted_at, post.deleted_by_id = now, actor.id
        if post.post_number == 1:
            post.topic.deleted_at, post.topic.deleted_by_id = now, actor.id
        db.session.flush()
    # Their words go, deleted earlier or now; numbers and counts stay.
    own = sa.select(Post.id).where(Post.user_id == person.id).scalar_subquery()
    db.session.execute(sa.delete(PostRevision).where(PostRevision.post_id.in_(own)))
    # Their pictures and files stop being served; the cleanup removes them.
    db.session.execute(sa.delete(PostUpload).where(PostUpload.post_id.in_(own)))
    for post in db.session.scalars(sa.select(Post).where(Post.user_id == person.id)):
        post.raw = post.cooked = ""
    return list(posts)


def anonymise(actor: User, person: User, posts: str) -> None:
    """Anonymise ``person``'s account, done by ``actor`` (an admin, or the person).

    ``posts`` is ``KEEP_POSTS`` (they stay, under the anonymous name) or
    ``DELETE_POSTS`` (deleted as a moderator deletes them, their text erased;
    topics they started go with the replies in them). Log-in records, the
    membership application, bookmarks, notifications and their settings, read
    positions, ignore lists in both directions, message preferences, unsent mails,
    invitations to their address, the organisations they represent and the
    interest they showed are deleted; they leave their conversations.
    The last admin is never removed.
    """
    if person.deleted_at is not None:
        raise AdminError(_l("This account was deleted."))
    if posts not in (KEEP_POSTS, DELETE_POSTS):
        raise AdminError(_l("Please choose what happens to the posts."))
    if person.role == Role.ADMIN and live_admins() <= 1:
        raise AdminError(_l("The forum needs at least one admin."))
    old_name, by_self = person.username, actor.id == person.id
    removed = _delete_posts(actor, person) if posts == DELETE_POSTS else []
    _uncount_interests(person)
    for model in (
        LoginRecord, MembershipApplication, Bookmark, Notification, TopicUser,
        CategoryUser, NotificationSetting, MessagePreference, Representative, Interest,
    ):  # fmt: skip
        db.session.execute(sa.delete(model).where(model.user_id == person.id))
    db.session.execute(
        sa.delete(IgnoredUser).where(
            sa.or_(IgnoredUser.user_id == person.id, IgnoredUser.ignored_id == person.id)
        )
    )
    # Their messages stay with the others in a conversation; they leave it.
    db.session.execute(
        sa.update(MessageParticipant)
        .where(MessageParticipant.user_id == person.id, MessageParticipant.left_at.is_(None))
        .values(left_at=utcnow())
    )
    # Mails not sent yet would go to an address the forum must forget.
    db.session.execute(
        sa.delete(OutgoingMail).where(
            OutgoingMail.recipient == person.email, OutgoingMail.sent_at.is_(None)
        )
    )
    db.session.execute(sa.delete(Submission).where(Submission.user_id == person.id))
    db.session.execute(
        sa.delete(Invitation).where(
            sa.or_(
                Invitation.used_by_id == person.id,
                sa.func.lower(Invitation.email) == person.email_lower,
            )
        )
    )
    db.session.execute(
        sa.delete(ReviewItem).where(
            ReviewItem.user_id == person.id,
            # A join request, or a request to represent an organisation.
            ReviewItem.kind.in_(("join_request", "organisation_request")),
            ReviewItem.status == ReviewStatus.PENDING,
        )
    )
    marker = f"geloescht-{person.id}"
    person.username = person.username_lower = marker
    person.email = person.email_lower = f"{marker}@invalid"
    person.password_hash = hash_password(secrets.token_urlsafe(32))
    person.display_name = _deleted_name()
    _forget_actor(old_name, person.display_name)
    person.bio_raw = person.bio_cooked = ""
    person.avatar_key = person.avatar_small_key = None  # the cleanup removes the files
    person.locale = None
    person.email_on_reply = person.email_on_mention = False
    person.email_on_message = person.email_on_watched = False
    person.digest_frequency = "off"
    person.silenced_until = person.suspended_until = None
    person.silence_reason = person.suspend_reason = ""
    person.email_confirmed_at = person.last_seen_at = None
    if person.role != Role.APPLICANT:
        person.role = Role.MEMBER
    db.session.add(AccountDeletion(user_id=person.id))
    # The entry names the account by its id only: the old name is personal data.
    log_action(
        actor, "delete_account", target_type="user", target_id=person.id, target_label=marker,
        posts=posts, posts_deleted=len(removed), **({"by_themselves": True} if by_self else {}),
    )  # fmt: skip
    db.session.commit()
    current_app.logger.info("Account %s (%s) anonymised by %s", person.id, old_name, actor.id)
    for post in removed:
        post_removed(post, actor)


def _forget_actor(username: str, shown_as: str) -> None:
    """Replace a removed account's name in other members' notifications (who
    replied, mentioned, wrote or liked): the old name is personal data."""
    quoted = json.dumps(username)
    candidates = db.session.scalars(
        sa.select(Notification).where(
            sa.cast(Notification.data, sa.Text).contains(quoted, autoescape=True)
        )
    )
    for notification in candidates:
        data = dict(notification.data or {})
        likers = data.get("likers")
        if data.get("actor") == username:
            data["actor"] = shown_as
        if isinstance(likers, list):
            data["likers"] = [shown_as if name == username else name for name in likers]
        if data != notification.data:
            notification.data = data


def _uncount_interests(person: User) -> None:
    """Take the person's open interests off their opportunities' counts (the rows go next)."""
    open_interests = (
        sa.select(Interest.opportunity_id, sa.func.count().label("n"))
        .where(Interest.user_id == person.id, Interest.withdrawn_at.is_(None))
        .group_by(Interest.opportunity_id)
    )
    for opportunity_id, count in db.session.execute(open_interests).all():
        db.session.execute(
            sa.update(Opportunity)
            .where(Opportunity.id == opportunity_id)
            .values(
                interest_count=sa.case(
                    (Opportunity.interest_count > count, Opportunity.interest_count - count),
                    else_=0,
                )
            )
        )
