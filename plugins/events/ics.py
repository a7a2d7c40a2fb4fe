"""iCalendar files (RFC 5545) for one event or a feed, built with ``icalendar``.

``icalendar`` is imported when a calendar is asked for, not at start: with its
time-zone tables it takes ~2 MB of every worker's memory.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import current_app, request, url_for
from flask_babel import gettext as _

from forum.db import utcnow
from forum.urls import topic_url

from .models import Event
from .services import first_post_text, local_zone

if TYPE_CHECKING:
    from icalendar import Event as CalendarEvent

DESCRIPTION_LENGTH = 1000


def _absolute(path: str) -> str:
    return request.host_url.rstrip("/") + path


def calendar(pairs: list, name: str, trainings: list = ()) -> bytes:
    """Return an .ics file with one VEVENT per (event, topic) pair, and one
    all-day VEVENT per training offer of an organisation (forum.organisations)."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", "-//Ehrenamt Forum//Veranstaltungen//DE")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", str(local_zone()))
    host = urlsplit(request.host_url).hostname or "forum"
    stamp = utcnow()
    zone = local_zone()
    for event, topic in pairs:
        cal.add_component(_vevent(event, topic, host, stamp, zone))
    for opportunity in trainings:
        cal.add_component(_training_vevent(opportunity, host, stamp))
    # Times carry TZID=Europe/Berlin; the VTIMEZONE that defines it goes along.
    cal.add_missing_timezones()
    return cal.to_ical()


def _vevent(event: Event, topic, host: str, stamp, zone) -> CalendarEvent:
    url = _absolute(topic_url(topic))
    from icalendar import Event as CalendarEvent

    vevent = CalendarEvent()
    vevent.add("uid", f"event-{event.topic_id}@{host}")
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", event.starts_at.astimezone(zone))
    vevent.add("dtend", event.ends_at.astimezone(zone))
    vevent.add("summary", topic.title)
    location = ", ".join(part for part in (event.place, event.online_url) if part)
    if location:
        vevent.add("location", location)
    vevent.add("url", url)
    text = first_post_text(event.topic_id)
    if len(text) > DESCRIPTION_LENGTH:
        text = text[:DESCRIPTION_LENGTH].rstrip() + " …"
    vevent.add("description", f"{text}\n\n{url}".strip())
    return vevent


def _training_vevent(opportunity, host: str, stamp) -> CalendarEvent:
    """A training offer has days, not times: an all-day event to its last day."""
    url = _absolute(url_for("organisations.opportunity", opportunity_id=opportunity.id))
    from icalendar import Event as CalendarEvent

    vevent = CalendarEvent()
    vevent.add("uid", f"training-{opportunity.id}@{host}")
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", opportunity.starts_on)
    last = max(opportunity.ends_on or opportunity.starts_on, opportunity.starts_on)
    vevent.add("dtend", last + timedelta(days=1))
    vevent.add("summary", f"{_('Training')}: {opportunity.title}")
    vevent.add("categories", [_("Training")])
    if opportunity.place:
        vevent.add("location", opportunity.place)
    lines = [opportunity.organisation.name]
    if opportunity.cost:
        lines.append(f"{_('Cost')}: {opportunity.cost}")
    if opportunity.registration:
        lines.append(f"{_('Registration')}: {opportunity.registration}")
    text = opportunity.description[:DESCRIPTION_LENGTH]
    vevent.add("description", "\n".join([*lines, "", text, "", url]).strip())
    vevent.add("url", url)
    return vevent


def download_name(topic) -> str:
    return f"{topic.slug or 'event'}-{topic.id}.ics"


def feed_name(label: str) -> str:
    return f"{current_app.config['SITE_NAME']}: {label}"
