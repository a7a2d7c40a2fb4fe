"""Per-event mails: a notification becomes a mail when the member has not seen it.

A due-scan, run by ``flask --app forum mail send`` (cron) before it sends the
queue: a notification of a mailed kind that is EMAIL_NOTIFY_DELAY_MINUTES old
and still unread, for a member who has not been on the forum for that long
and wants mails of its kind, is queued once (the dedupe key
``notification:<id>``). Whether the member may still read the post is checked
again here, when the mail is written, with the permissions the pages use.
"""

import re
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from forum import permissions
from forum.boards.models import Post, Topic, TopicUser
from forum.db import utcnow
from forum.extensions import db
from forum.mail import OutgoingMail, absolute_url, send_template_mail
from forum.mailing.plaintext import html_to_text
from forum.mailing.tokens import CHOICES, reply_address, unsubscribe_token
from forum.notifications.models import Notification
from forum.site.services import setting
from forum.users.models import User

#: Notification kinds that are mailed, and the member's choice that governs each.
KIND_CHOICES = {
    "replied": "reply",
    "reply": "reply",
    "quoted": "reply",
    "mentioned": "mention",
    "private_message": "message",
    "posted": "watched",
    "watching_first_post": "watched",
}
#: Subjects and the line that says why the mail came, in the recipient's language.
_REPLY = (
    lambda v: _l("New reply in “%(title)s”", title=v["title"]),
    lambda v: _l("You get this mail because %(actor)s replied to your post.", actor=v["actor"]),
)
TEXTS = {
    "replied": _REPLY,
    "reply": _REPLY,
    "quoted": (
        lambda v: _l("%(actor)s quoted you in “%(title)s”", **v),
        lambda v: _l("You get this mail because %(actor)s quoted your post.", actor=v["actor"]),
    ),
    "mentioned": (
        lambda v: _l("%(actor)s mentioned you in “%(title)s”", **v),
        lambda v: _l("You get this mail because %(actor)s mentioned you.", actor=v["actor"]),
    ),
    "private_message": (
        lambda v: _l("Personal message: %(title)s", title=v["title"]),
        lambda v: _l(
            "You get this mail because %(actor)s sent you a personal message.", actor=v["actor"]
        ),
    ),
    "posted": (
        lambda v: _l("New post in “%(title)s”", title=v["title"]),
        lambda v: _l("You get this mail because you watch this topic."),
    ),
    "watching_first_post": (
        lambda v: _l("New topic: %(title)s", title=v["title"]),
        lambda v: _l("You get this mail because you watch this category."),
    ),
}


def _wanted_clause() -> sa.ColumnElement[bool]:
    """SQL: the member wants mails of the notification's kind."""
    return sa.or_(
        *(
            sa.and_(Notification.kind == kind, getattr(User, CHOICES[choice]).is_(True))
            for kind, choice in KIND_CHOICES.items()
        )
    )


def due_notifications(limit: int = 500, after_id: int = 0) -> list[tuple[Notification, User]]:
    """Return unread notifications whose mail is due and not yet queued (by id, from after_id)."""
    config = current_app.config
    now = utcnow()
    delay = timedelta(minutes=setting("EMAIL_NOTIFY_DELAY_MINUTES"))
    oldest = now - timedelta(hours=config["EMAIL_NOTIFY_MAX_AGE_HOURS"])
    already = sa.exists().where(
        OutgoingMail.dedupe_key == sa.literal("notification:") + sa.cast(Notification.id, sa.String)
    )
    query = (
        sa.select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.kind.in_(KIND_CHOICES),
            Notification.read_at.is_(None),
            Notification.created_at <= now - delay,
            Notification.created_at >= oldest,
            User.email_confirmed_at.is_not(None),
            sa.or_(User.last_seen_at.is_(None), User.last_seen_at <= now - delay),
            _wanted_clause(),
            ~already,
            Notification.id > after_id,
        )
        .order_by(Notification.id)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in db.session.execute(query)]


def queue_due_notifications() -> int:
    """Queue the mails of all due notifications; return how many were queued."""
    queued = last_id = 0
    # In batches, so that notifications that cannot be mailed (a deleted post) never
    # hold up the ones after them.
    while batch := due_notifications(after_id=last_id):
        last_id = batch[-1][0].id
        for notification, user in batch:
            queued += queue_notification_mail(notification, user)
    return queued


def _post_of(notification: Notification) -> Post | None:
    data = notification.data or {}
    post = None
    if isinstance(data.get("post_id"), int):
        post = db.session.get(Post, data["post_id"])
    elif isinstance(data.get("post_number"), int) and notification.topic_id:
        post = db.session.scalar(
            sa.select(Post).where(
                Post.topic_id == notification.topic_id,
                Post.post_number == data["post_number"],
            )
        )
    if post is None or post.topic_id != notification.topic_id:
        return None
    return post


def _readable_post(notification: Notification, user: User) -> Post | None:
    """The notification's post, if the member may still log in and read it."""
    post = _post_of(notification)
    if post is None or post.is_deleted or not permissions.can_log_in(user):
        return None
    if not (permissions.can_read_topic(user, post.topic) and permissions.can_read_post(user, post)):
        return None
    return post


def withdraw_unreadable_mails() -> int:
    """Delete waiting notification mails whose post the member may no longer read
    (moved into a staff category, a conversation they left, deleted, hidden)
    or whose notification is gone; return how many. Run before each send, so a
    mail retried after a failure never carries what its reader may not see."""
    key = sa.literal("notification:") + sa.cast(Notification.id, sa.String)
    rows = db.session.execute(
        sa.select(OutgoingMail.id, Notification, User)
        .outerjoin(Notification, OutgoingMail.dedupe_key == key)
        .outerjoin(User, User.id == Notification.user_id)
        .where(
            OutgoingMail.dedupe_key.like("notification:%"),
            OutgoingMail.sent_at.is_(None),
            OutgoingMail.failed_at.is_(None),
        )
    ).all()
    stale = [
        mail_id
        for mail_id, notification, user in rows
        if notification is None or user is None or _readable_post(notification, user) is None
    ]
    if stale:
        db.session.execute(sa.delete(OutgoingMail).where(OutgoingMail.id.in_(stale)))
    db.session.commit()
    return len(stale)


def queue_notification_mail(notification: Notification, user: User) -> bool:
    """Queue the mail for one notification if the member may still read its post."""
    post = _readable_post(notification, user)
    if post is None:
        return False
    topic: Topic = post.topic
    if post.user_id == user.id or _has_read(user, post):
        return False
    data = notification.data or {}
    actor = str(data.get("actor") or post.user.username)
    choice = KIND_CHOICES[notification.kind]
    unsubscribe = absolute_url("mailing.unsubscribe", token=unsubscribe_token(user.id, choice))
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "References": f"<topic-{topic.id}@{_domain()}>",
    }
    reply_to = reply_address(user.id, topic.id)
    if reply_to:
        headers["Reply-To"] = reply_to
    subject, reason = TEXTS[notification.kind]
    values = {"title": topic.title, "actor": actor}
    return send_template_mail(
        user,
        "notification",
        subject(values),
        headers=headers,
        dedupe_key=f"notification:{notification.id}",
        deliver=False,
        topic=topic,
        post=post,
        actor=actor,
        post_text=html_to_text(absolute_links(post.cooked)),
        post_html=absolute_links(post.cooked),
        post_url=absolute_url("boards.post_link", post_id=post.id),
        reason=reason(values),
        unsubscribe_url=unsubscribe,
        choice=choice,
        reply_by_mail=bool(reply_to),
    )


def _has_read(user: User, post: Post) -> bool:
    """Whether the member has read the post in the topic (without opening the notification)."""
    read_up_to = db.session.scalar(
        sa.select(TopicUser.last_read_post_number).where(
            TopicUser.user_id == user.id, TopicUser.topic_id == post.topic_id
        )
    )
    return read_up_to is not None and read_up_to >= post.post_number


def absolute_links(cooked: str) -> str:
    """Make the forum's own links in sanitised post HTML absolute, for a mail."""
    base = current_app.config["BASE_URL"].rstrip("/")
    return _RELATIVE.sub(lambda m: f'{m.group(1)}="{base}/', cooked)


_RELATIVE = re.compile(r'\b(href|src)="/(?!/)')


def _domain() -> str:
    return current_app.config["BASE_URL"].split("//", 1)[-1].split("/", 1)[0] or "localhost"
