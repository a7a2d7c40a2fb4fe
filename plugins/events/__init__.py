"""Events (Veranstaltungen): a topic can carry an event with answers, calendar
files and a reminder; built only on the forum's plugin hooks.

The author changes the date or place in the first post's edit form; who
answered is notified. Members subscribe to a personal calendar feed whose
address they can renew (the old one stops working), guests to the public one.

Enable with ``PLUGINS = ["events"]``, then ``flask --app forum db upgrade heads``.
Settings: ``EVENTS_CATEGORIES`` (category slugs whose topics may carry an event).
"""

from datetime import datetime
from pathlib import Path

from flask import g
from flask_babel import format_date, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum import hookimpl, permissions
from forum.plugins import Contribution, NavLink, Reject

from . import forms, models, services
from .cli import events_cli
from .views import bp, header_context, list_badge, organisation_context

__version__ = "1.0.0"
__all__ = ["models"]  # imported at load: the tables join the metadata (and test cleanup)


@hookimpl
def register_settings(app):
    # The demo's "Veranstaltungen & Qualifizierung" and its course subcategory.
    return {"EVENTS_CATEGORIES": ["veranstaltungen", "erste-hilfe-kurse"]}


@hookimpl
def register_blueprints(app):
    return [bp]


@hookimpl
def register_commands(app):
    return [events_cli]


@hookimpl
def register_migrations(app):
    return str(Path(__file__).parent / "migrations")


@hookimpl
def register_nav_links(user):
    return [NavLink(_l("Events"), "events.upcoming")]


@hookimpl
def permission_allowed(user, action, obj):
    if action == "events.rsvp":
        return services.may_answer(user, obj)
    return None


@hookimpl
def validate_post(category, topic, post, extra):
    """Check the composer's event fields of a new topic or of an edited first post."""
    editing_first_post = post is not None and post.post_number == 1
    if not forms.has_event_fields(extra) or (topic is not None and not editing_first_post):
        return None
    if not services.is_enabled(category):
        return Reject(str(_l("Events can only be added to topics in the event categories.")))
    checked = forms.check(forms.event_form(extra))
    if isinstance(checked, str):
        return Reject(checked)
    return None


@hookimpl
def topic_created(topic, extra):
    if not forms.has_event_fields(extra) or not services.is_enabled(topic.category):
        return
    checked = forms.check(forms.event_form(extra))
    # validate_post refused bad input before the topic was written.
    if not isinstance(checked, str):
        services.save_event(topic, checked)


@hookimpl
def post_edited(post, topic, user, extra):
    # The first post's edit form carries the event's fields (prefilled): an
    # author changes the date or place there. Empty fields change nothing.
    if post.post_number != 1 or not forms.has_event_fields(extra):
        return
    if not services.is_enabled(topic.category):
        return
    checked = forms.check(forms.event_form(extra))
    # validate_post refused bad input before the edit was saved.
    if not isinstance(checked, str):
        services.save_event(topic, checked, changed_by=user)


@hookimpl
def prepare_topic_list(topics):
    g.events_start_times = services.start_times([topic.id for topic in topics])


@hookimpl
def extra_outlet(outlet, user, topic, post, category, organisation):
    if outlet == "organisation_profile" and organisation is not None:
        items = services.upcoming_events(user, organisation_id=organisation.id, limit=5)
        if not items:
            return None
        return Contribution("events/organisation.html", organisation_context(items))
    if outlet == "composer_fields":
        return _composer(category, topic, post)
    # A topic outside the events' categories has none: no statement for it.
    if outlet == "topic_header" and topic is not None and services.is_enabled(topic.category):
        event = services.get_event(topic.id)
        if event is None or not permissions.can_read_topic(user, topic):
            return None
        return Contribution("events/header.html", header_context(event, user))
    if outlet == "topic_list_item" and topic is not None:
        start = g.get("events_start_times", {}).get(topic.id)
        if start is None:
            return None
        # The event's start: the same for every reader (kept member lists keep it).
        return Contribution("events/badge.html", list_badge(start), shared=True)
    return None


def _composer(category, topic, post):
    # New topics and the edit of a first post; with no category chosen yet the
    # fields are offered and validate_post refuses them for a category
    # without events. Replies get none.
    from flask import request

    editing = post is not None and post.post_number == 1
    if (topic is not None or post is not None) and not editing:
        return None
    if category is not None and not services.is_enabled(category):
        return None
    fields = {k: v for k, v in request.form.items() if k.startswith(forms.PREFIX)}
    if editing and request.method == "GET":
        event = services.get_event(topic.id)
        fields = forms.fields_of(event, services.to_local) if event is not None else {}
    form = forms.event_form(fields)
    if request.method == "POST" and request.form.get("submit") and forms.has_event_fields(fields):
        # The same checks as validate_post, so each problem stands next to its field.
        forms.find_problems(form)
    return Contribution("events/composer.html", {"form": form, "editing": editing})


@hookimpl
def extra_search_fields(posts):
    return services.search_texts(posts)


@hookimpl
def describe_notification(kind, data):
    if kind not in ("event_reminder", "event_changed"):
        return None
    starts = datetime.fromisoformat(data["starts_at"])
    when = f"{format_date(starts, 'full')}, {format_time(starts, 'short')}"
    if kind == "event_changed":
        return _(
            "“%(title)s” has changed: it now begins on %(when)s. See the event for the place.",
            title=data["title"],
            when=when,
        )
    return _(
        "Reminder: “%(title)s” begins on %(when)s. You said you would come.",
        title=data["title"],
        when=when,
    )
