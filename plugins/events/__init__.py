"""Events (Veranstaltungen): a topic can carry an event with answers, calendar
files and a reminder; built only on the forum's plugin hooks.

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
from .views import bp, header_context, list_badge

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
def validate_post(category, topic, post, extra):
    """Check the composer's event fields of a new topic."""
    if topic is not None or post is not None or not forms.has_event_fields(extra):
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
def prepare_topic_list(topics):
    g.events_start_times = services.start_times([topic.id for topic in topics])


@hookimpl
def extra_outlet(outlet, user, topic, post, category):
    if outlet == "composer_fields":
        return _composer(category, topic, post)
    if outlet == "topic_header" and topic is not None:
        event = services.get_event(topic.id)
        if event is None or not permissions.can_read_topic(user, topic):
            return None
        return Contribution("events/header.html", header_context(event, user))
    if outlet == "topic_list_item" and topic is not None:
        start = g.get("events_start_times", {}).get(topic.id)
        if start is None:
            return None
        return Contribution("events/badge.html", list_badge(start))
    return None


def _composer(category, topic, post):
    # New topics only; with no category chosen yet the fields are offered and
    # validate_post refuses them for a category without events.
    if topic is not None or post is not None:
        return None
    if category is not None and not services.is_enabled(category):
        return None
    from flask import request

    fields = {k: v for k, v in request.form.items() if k.startswith(forms.PREFIX)}
    return Contribution("events/composer.html", {"form": forms.event_form(fields)})


@hookimpl
def extra_search_fields(posts):
    return services.search_texts(posts)


@hookimpl
def describe_notification(kind, data):
    if kind == "event_reminder":
        starts = datetime.fromisoformat(data["starts_at"])
        return _(
            "Reminder: “%(title)s” begins on %(when)s. You said you would come.",
            title=data["title"],
            when=f"{format_date(starts, 'full')}, {format_time(starts, 'short')}",
        )
    return None
