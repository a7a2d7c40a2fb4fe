"""Events and answers: saving, counting, listing, reminding.

Visibility is always decided by forum.permissions: an event is shown only
where its topic is, and only in the categories listed in EVENTS_CATEGORIES.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from forum import permissions
from forum.api.feed_keys import FeedKeys
from forum.boards.models import Category, Municipality, Post, Topic
from forum.db import utcnow
from forum.extensions import db
from forum.notifications.services import notify
from forum.search import outbox
from forum.users.models import User

from .forms import EventInput
from .models import Event, FeedKey, Rsvp, RsvpStatus


class NotAllowed(Exception):
    """The user may not answer this event (the view answers 403 or 404)."""


# --- Settings and time ------------------------------------------------------------------


def enabled_slugs() -> list[str]:
    return list(current_app.config["EVENTS_CATEGORIES"])


def is_enabled(category: Category | None) -> bool:
    return category is not None and category.slug in enabled_slugs()


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def from_local(value: datetime) -> datetime:
    """Turn a naive local time (as the form sends it) into aware UTC."""
    return value.replace(tzinfo=local_zone()).astimezone(UTC)


def to_local(value: datetime) -> datetime:
    return value.astimezone(local_zone())


# --- Writing ------------------------------------------------------------------------------


def save_event(topic: Topic, data: EventInput, changed_by: User | None = None) -> Event:
    """Attach an event to a topic, or change the one it has (after the topic's commit).

    When the time or the place of an existing event changes, everyone who
    answered "going" or "interested" is notified (but ``changed_by``), and a
    new start time sends the reminders again (``reminded_at`` is cleared). A
    lower participant limit moves the latest replies to the waiting list,
    since the list is derived from the order of the replies.
    """
    event = db.session.get(Event, topic.id)
    if event is None:
        event = Event(topic_id=topic.id)
        db.session.add(event)
    starts_at, ends_at = from_local(data.starts_at), from_local(data.ends_at)
    before = (event.starts_at, event.ends_at, event.place, event.online_url)
    if event.starts_at is not None and event.starts_at != starts_at:
        db.session.execute(
            sa.update(Rsvp).where(Rsvp.topic_id == topic.id).values(reminded_at=None)
        )
    if event.starts_at is not None and before != (starts_at, ends_at, data.place, data.online_url):
        answered = db.session.scalars(
            sa.select(Rsvp.user_id).where(
                Rsvp.topic_id == topic.id,
                Rsvp.status.in_([RsvpStatus.GOING, RsvpStatus.INTERESTED]),
            )
        )
        for user_id in answered:
            if changed_by is None or user_id != changed_by.id:
                notify(
                    user_id, "event_changed", topic_id=topic.id, title=topic.title,
                    starts_at=starts_at.isoformat(),
                )  # fmt: skip
    event.starts_at = starts_at
    event.ends_at = ends_at
    event.place = data.place
    event.online_url = data.online_url
    event.municipality = data.municipality
    event.max_participants = data.max_participants
    event.registration_deadline = (
        from_local(data.registration_deadline) if data.registration_deadline else None
    )
    # The first post was indexed with the topic's commit, before the event
    # existed or changed: index it again so the place is found.
    outbox.enqueue("topic", topic.id)
    db.session.commit()
    return event


#: Built once, the values bound when it runs (every event topic's page asks).
_EVENT = (
    sa.select(Event)
    .join(Topic, Topic.id == Event.topic_id)
    .join(Category, Category.id == Topic.category_id)
    .where(
        Event.topic_id == sa.bindparam("topic_id"),
        Category.slug.in_(sa.bindparam("slugs", expanding=True)),
    )
)


def get_event(topic_id: int) -> Event | None:
    """Return the event of a topic in an enabled category, or None."""
    return db.session.scalar(_EVENT, {"topic_id": topic_id, "slugs": enabled_slugs()})


def may_answer(user, event: Event) -> bool:
    """The rule of "events.rsvp": members who may read the topic answer until
    the event ends (not when the topic is closed or deleted)."""
    return (
        permissions.is_member(user)
        and permissions.allowed(user, "topic.read", event.topic)
        and event.topic.deleted_at is None
        and not event.topic.closed
        and event.ends_at > utcnow()
    )


def can_answer(user, event: Event) -> bool:
    """Whether ``user`` may answer ``event`` now (permission "events.rsvp")."""
    return permissions.allowed(user, "events.rsvp", event)


def registration_open(event: Event, now: datetime | None = None) -> bool:
    now = now or utcnow()
    deadline = event.registration_deadline or event.starts_at
    return now <= deadline


def set_rsvp(user: User, event: Event, status: RsvpStatus | str) -> Rsvp:
    """Record a member's answer; a new "going" joins the end of the queue."""
    status = RsvpStatus(status)
    if not can_answer(user, event):
        raise NotAllowed
    rsvp = db.session.get(Rsvp, (event.topic_id, user.id))
    already_going = rsvp is not None and rsvp.status == RsvpStatus.GOING
    if status == RsvpStatus.GOING and not already_going and not registration_open(event):
        raise NotAllowed
    if rsvp is None:
        rsvp = Rsvp(topic_id=event.topic_id, user_id=user.id, status=status)
        db.session.add(rsvp)
    elif rsvp.status != status:
        rsvp.status = status
        rsvp.created_at = utcnow()
        rsvp.reminded_at = None
    db.session.commit()
    return rsvp


# --- Reading ------------------------------------------------------------------------------


@dataclass
class Attendance:
    """Who answered what; ``going`` holds the confirmed places, in queue order."""

    going: list[User] = field(default_factory=list)
    waiting: list[User] = field(default_factory=list)
    interested: list[User] = field(default_factory=list)
    my_status: RsvpStatus | None = None
    my_waiting_position: int | None = None


def attendance(event: Event, user) -> Attendance:
    rows = db.session.execute(
        sa.select(Rsvp, User)
        .join(User, User.id == Rsvp.user_id)
        .where(Rsvp.topic_id == event.topic_id)
        .order_by(Rsvp.created_at, Rsvp.user_id)
    ).all()
    result = Attendance()
    user_id = user.id if permissions.is_member(user) else None
    limit = event.max_participants
    for rsvp, member in rows:
        if rsvp.status == RsvpStatus.GOING:
            full = limit is not None and len(result.going) >= limit
            (result.waiting if full else result.going).append(member)
            if member.id == user_id and full:
                result.my_waiting_position = len(result.waiting)
        elif rsvp.status == RsvpStatus.INTERESTED:
            result.interested.append(member)
        if member.id == user_id:
            result.my_status = rsvp.status
    return result


def _listed(user, now: datetime):
    """Events of enabled categories whose topics ``user`` may see, not over yet."""
    return (
        sa.select(Event, Topic)
        .join(Topic, Topic.id == Event.topic_id)
        .join(Category, Category.id == Topic.category_id)
        .where(
            permissions.visible_topics_clause(user),
            Topic.deleted_at.is_(None),
            Category.slug.in_(enabled_slugs()),
            Event.ends_at >= now,
        )
        .order_by(Event.starts_at, Event.topic_id)
    )


def upcoming_events(
    user,
    *,
    municipality: Municipality | None = None,
    category_id: int | None = None,
    organisation_id: int | None = None,
    now: datetime | None = None,
    limit: int = 500,
) -> list[tuple[Event, Topic]]:
    """Return (event, topic) pairs the user may see, soonest first (of the topics
    posted as ``organisation_id`` when given: its profile lists them)."""
    query = _listed(user, now or utcnow())
    if organisation_id is not None:
        query = query.where(Topic.organisation_id == organisation_id)
    if municipality is not None:
        query = query.where(Event.municipality == municipality)
    if category_id is not None:
        query = query.where(Topic.category_id == category_id)
    return [tuple(row) for row in db.session.execute(query.limit(limit))]


def event_categories(user) -> list[Category]:
    """Enabled categories the user may read (the /events category filter)."""
    return list(
        db.session.scalars(
            sa.select(Category)
            .where(Category.slug.in_(enabled_slugs()), permissions.readable_categories_clause(user))
            .order_by(Category.position, Category.name)
        )
    )


def going_counts(topic_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Return topic id -> (going, interested) for many events in one query."""
    if not topic_ids:
        return {}
    rows = db.session.execute(
        sa.select(Rsvp.topic_id, Rsvp.status, sa.func.count())
        .where(Rsvp.topic_id.in_(topic_ids), Rsvp.status != RsvpStatus.NOT_GOING)
        .group_by(Rsvp.topic_id, Rsvp.status)
    )
    counts: dict[int, list[int]] = {}
    for topic_id, status, count in rows:
        counts.setdefault(topic_id, [0, 0])[0 if status == RsvpStatus.GOING else 1] = count
    return {topic_id: (going, interested) for topic_id, (going, interested) in counts.items()}


def start_times(topic_ids: list[int]) -> dict[int, datetime]:
    """Return topic id -> start of its event, for the topic list badges."""
    if not topic_ids:
        return {}
    params = {"topic_ids": list(topic_ids), "slugs": enabled_slugs()}
    return {topic_id: starts_at for topic_id, starts_at in db.session.execute(_STARTS, params)}


#: Built once, the values bound when it runs (every topic list asks).
_STARTS = (
    sa.select(Event.topic_id, Event.starts_at)
    .join(Topic, Topic.id == Event.topic_id)
    .join(Category, Category.id == Topic.category_id)
    .where(
        Event.topic_id.in_(sa.bindparam("topic_ids", expanding=True)),
        Category.slug.in_(sa.bindparam("slugs", expanding=True)),
    )
)


def search_texts(posts: list[tuple[int, int, int]]) -> dict[int, str]:
    """Return first post id -> the event's place, online link and municipality."""
    from forum.boards.forms import MUNICIPALITY_LABELS

    firsts = {topic_id: post_id for post_id, topic_id, number in posts if number == 1}
    if not firsts:
        return {}
    query = sa.select(Event.topic_id, Event.place, Event.municipality).where(
        Event.topic_id.in_(firsts)
    )
    # The indexer calls this from its own session, right after another commit:
    # a connection of our own, not db.session (which may be mid-commit).
    with db.engine.connect() as connection:
        rows = connection.execute(query).all()
    texts = {}
    for topic_id, place, municipality in rows:
        label = MUNICIPALITY_LABELS.get(Municipality(municipality), "") if municipality else ""
        text = " ".join(word for word in (place, label) if word)
        if text:
            texts[firsts[topic_id]] = text
    return texts


def first_post_text(topic_id: int) -> str:
    return (
        db.session.scalar(
            sa.select(Post.raw).where(Post.topic_id == topic_id, Post.post_number == 1)
        )
        or ""
    )


# --- Calendar feed tokens -----------------------------------------------------------------


#: The calendar feed's tokens: the core's renewable feed keys (forum/api/feed_keys.py)
#: with this plugin's salt and table; generation 0 keeps the bare-id form of the
#: addresses handed out before they could be renewed, so subscribed calendars go on.
FEED_KEYS = FeedKeys(FeedKey, "events-feed", plain_first=True)


def feed_token(user: User) -> str:
    """Return the secret part of the member's personal feed address."""
    return FEED_KEYS.token(user)


def renew_feed_token(user: User) -> str:
    """Give the member a new feed address; every older one stops working."""
    return FEED_KEYS.renew(user)


def feed_user(token: str) -> User | None:
    """Return the member a personal feed token belongs to, or None."""
    return FEED_KEYS.user(token)


# --- Reminders ----------------------------------------------------------------------------


def send_reminders(now: datetime | None = None) -> int:
    """Notify confirmed participants of events starting by the end of tomorrow.

    Run daily by cron; each answer is reminded once (``reminded_at``), so a
    second run sends nothing. Returns the number of notifications.
    """
    now = now or utcnow()
    tomorrow = to_local(now).date() + timedelta(days=1)
    until = datetime.combine(tomorrow + timedelta(days=1), time(0), local_zone()).astimezone(UTC)
    events = db.session.scalars(
        sa.select(Event)
        .join(Topic, Topic.id == Event.topic_id)
        .join(Category, Category.id == Topic.category_id)
        .where(
            Event.starts_at > now,
            Event.starts_at < until,
            Topic.deleted_at.is_(None),
            Category.slug.in_(enabled_slugs()),
        )
    ).all()
    sent = 0
    for event in events:
        people = attendance(event, None).going
        confirmed = {member.id for member in people}
        rsvps = db.session.scalars(
            sa.select(Rsvp).where(
                Rsvp.topic_id == event.topic_id,
                Rsvp.status == RsvpStatus.GOING,
                Rsvp.reminded_at.is_(None),
                Rsvp.user_id.in_(confirmed),
            )
        ).all()
        for rsvp in rsvps:
            member = db.session.get(User, rsvp.user_id)
            # A member who lost access to the topic (or the forum) hears nothing.
            if not (
                permissions.can_read_topic(member, event.topic) and permissions.can_log_in(member)
            ):
                continue
            notify(
                rsvp.user_id,
                "event_reminder",
                topic_id=event.topic_id,
                title=event.topic.title,
                starts_at=event.starts_at.isoformat(),
            )
            rsvp.reminded_at = now
            sent += 1
        db.session.commit()
    return sent
