"""Pages of the events plugin: upcoming events, answers, calendar files."""

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum import permissions
from forum.boards.forms import MUNICIPALITY_LABELS
from forum.boards.models import Municipality, Topic
from forum.boards.queries import get_topic
from forum.db import utcnow
from forum.organisations.opportunities import upcoming_training
from forum.urls import topic_url

from . import ics, services
from .models import Event, RsvpStatus

DASH = " \N{EN DASH} "

bp = Blueprint("events", __name__, template_folder="templates")


def status_labels() -> dict[RsvpStatus, str]:
    return {
        RsvpStatus.GOING: _("Going"),
        RsvpStatus.INTERESTED: _("Interested"),
        RsvpStatus.NOT_GOING: _("Not going"),
    }


# --- Presentation (computed before rendering: no logic in templates) -----------------------


def when_text(event: Event) -> str:
    """Return e.g. "Saturday, 14 March 2026, 10:00 to 16:00" in the reader's language."""
    start, end = services.to_local(event.starts_at), services.to_local(event.ends_at)
    text = f"{format_date(event.starts_at, 'full')}, {format_time(event.starts_at, 'short')}"
    if start.date() == end.date():
        return f"{text}{DASH}{format_time(event.ends_at, 'short')}"
    end_date = format_date(event.ends_at, "full")
    return f"{text}{DASH}{end_date}, {format_time(event.ends_at, 'short')}"


def _deadline_text(event: Event) -> str:
    if event.registration_deadline is None:
        return ""
    value = event.registration_deadline
    return f"{format_date(value, 'medium')}, {format_time(value, 'short')}"


def organisation_context(items: list[tuple[Event, Topic]]) -> dict:
    """An organisation's upcoming events for its profile: title, when, where."""
    return {
        "events": [
            {"event": event, "topic": topic, "when": when_text(event),
             "municipality": MUNICIPALITY_LABELS.get(event.municipality, "")}
            for event, topic in items
        ]
    }  # fmt: skip


def header_context(event: Event, user) -> dict:
    """Everything the event box under a topic's title shows, for this reader."""
    people = services.attendance(event, user)
    is_member = permissions.is_member(user)
    can_answer = services.can_answer(user, event)
    full = event.max_participants is not None and len(people.going) >= event.max_participants
    return {
        "event": event,
        "when": when_text(event),
        "municipality": MUNICIPALITY_LABELS.get(event.municipality, ""),
        "deadline": _deadline_text(event),
        "going_count": len(people.going),
        "waiting_count": len(people.waiting),
        "interested_count": len(people.interested),
        "spots_left": (
            max(event.max_participants - len(people.going), 0)
            if event.max_participants is not None
            else None
        ),
        "full": full,
        "show_names": is_member,
        "going": people.going if is_member else [],
        "waiting": people.waiting if is_member else [],
        "interested": people.interested if is_member else [],
        "can_answer": can_answer,
        "registration_open": services.registration_open(event),
        "my_status": people.my_status,
        "my_waiting_position": people.my_waiting_position,
        "statuses": status_labels(),
        "rsvp_url": url_for("events.rsvp", topic_id=event.topic_id),
        "ics_url": url_for("events.event_ics", topic_id=event.topic_id),
        "is_past": event.ends_at < utcnow(),
    }


def _training_when(opportunity) -> str:
    start = format_date(opportunity.starts_on, "full")
    if opportunity.ends_on and opportunity.ends_on > opportunity.starts_on:
        return f"{start}{DASH}{format_date(opportunity.ends_on, 'full')}"
    return start


@dataclass
class Listed:
    topic: Topic
    event: Event
    when: str
    municipality: str
    going: int
    interested: int


@dataclass
class Month:
    label: str
    events: list[Listed]


def _months(pairs: list[tuple[Event, Topic]]) -> list[Month]:
    counts = services.going_counts([event.topic_id for event, _topic in pairs])
    months: list[Month] = []
    for event, topic in pairs:
        label = format_date(event.starts_at, "LLLL y")
        if not months or months[-1].label != label:
            months.append(Month(label, []))
        going, interested = counts.get(event.topic_id, (0, 0))
        months[-1].events.append(
            Listed(
                topic=topic,
                event=event,
                when=when_text(event),
                municipality=MUNICIPALITY_LABELS.get(event.municipality, ""),
                going=going,
                interested=interested,
            )
        )
    return months


# --- Pages -------------------------------------------------------------------------------


def _pick_municipality(value: str | None) -> Municipality | None:
    try:
        return Municipality(value) if value else None
    except ValueError:
        return None


@bp.get("/events")
def upcoming():
    categories = services.event_categories(current_user)
    category_id = request.args.get("category", type=int)
    if category_id not in {c.id for c in categories}:
        category_id = None
    municipality = _pick_municipality(request.args.get("municipality"))
    pairs = services.upcoming_events(
        current_user, municipality=municipality, category_id=category_id
    )
    # Training offers of organisations (no category of their own): with no category filter.
    trainings = [] if category_id else upcoming_training(current_user, municipality=municipality)
    feed_url = (
        url_for("events.personal_feed", token=services.feed_token(current_user), _external=True)
        if permissions.is_member(current_user)
        else url_for("events.public_feed", _external=True)
    )
    return render_template(
        "events/upcoming.html",
        months=_months(pairs),
        trainings=[(opportunity, _training_when(opportunity)) for opportunity in trainings],
        categories=categories,
        municipalities=MUNICIPALITY_LABELS,
        chosen_category=category_id,
        chosen_municipality=municipality.value if municipality else "",
        filtered=bool(category_id or municipality),
        feed_url=feed_url,
        personal_feed=permissions.is_member(current_user),
    )


def _event_or_404(topic_id: int, user) -> tuple[Event, Topic]:
    topic = get_topic(topic_id)
    if topic is None or not permissions.can_read_topic(user, topic):
        abort(404)
    event = services.get_event(topic.id)
    if event is None:
        abort(404)
    return event, topic


@bp.post("/events/<int:topic_id>/rsvp")
@login_required
def rsvp(topic_id: int):
    event, topic = _event_or_404(topic_id, current_user)
    try:
        status = RsvpStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    try:
        services.set_rsvp(current_user, event, status)
    except services.NotAllowed:
        abort(403)
    flash(_("Your answer was saved: %(status)s.", status=status_labels()[status]), "success")
    return redirect(topic_url(topic))


def _calendar_response(body: bytes, filename: str):
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.get("/events/<int:topic_id>.ics")
def event_ics(topic_id: int):
    event, topic = _event_or_404(topic_id, current_user)
    return _calendar_response(ics.calendar([(event, topic)], topic.title), ics.download_name(topic))


@bp.get("/events.ics")
def public_feed():
    """Public events only, whoever asks: the URL is meant to be shared."""
    pairs = services.upcoming_events(None)
    trainings = upcoming_training(None)
    return _calendar_response(
        ics.calendar(pairs, ics.feed_name(_("Events")), trainings), "events.ics"
    )


@bp.post("/events/feed/renew")
@login_required
def renew_feed():
    """A new personal feed address; the old one stops working (say, it was shared)."""
    if not permissions.is_member(current_user):
        abort(403)
    services.renew_feed_token(current_user)
    flash(_("Your calendar feed has a new address; the old one no longer works."), "success")
    return redirect(url_for("events.upcoming") + "#event-feed-title")


@bp.get("/events/feed/<token>.ics")
def personal_feed(token: str):
    """The events a member may read; calendar apps send no cookies, the token says who."""
    user = services.feed_user(token)
    if user is None:
        abort(404)
    pairs = services.upcoming_events(user)
    trainings = upcoming_training(user)
    return _calendar_response(
        ics.calendar(pairs, ics.feed_name(_("Events")), trainings), "events.ics"
    )


def list_badge(start: datetime) -> dict:
    return {"date": format_date(start, "medium"), "iso": start.isoformat()}
