"""The organisations package's hook implementations (registered as built-ins by
the app factory): its kind of review item, its notifications' sentences, the
waiting interests sent on approval, and posting a topic "as" an organisation."""

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum import permissions
from forum.boards.models import CategoryKind
from forum.extensions import db
from forum.hookspecs import hookimpl
from forum.organisations import interests, services
from forum.organisations.models import Organisation
from forum.organisations.requests import REPRESENTATION_REQUEST
from forum.plugins import Contribution, NavLink, Reject, ReviewKind


@hookimpl
def register_review_kinds():
    """A member asks to represent an organisation; the card has its own
    decision form (confirm, or decline with a reason)."""
    return [
        ReviewKind(
            REPRESENTATION_REQUEST,
            _l("Organisation representative"),
            "organisations/review_item.html",
        )
    ]


@hookimpl
def describe_notification(kind, data):
    if kind == "representation_confirmed":
        return _("You now represent “%(name)s”.", name=data.get("organisation", ""))
    if kind == "representation_declined":
        return _(
            "Your request to represent “%(name)s” was declined: %(reason)s",
            name=data.get("organisation", ""),
            reason=data.get("reason", ""),
        )
    if kind == "interest_shown":
        return _(
            "%(actor)s is interested in “%(title)s”.",
            actor=data.get("actor", ""),
            title=data.get("title", ""),
        )
    return None


@hookimpl
def user_registered(user):
    """A guest who typed an interest before registering: it waits for approval."""
    interests.record_pending(user)


@hookimpl
def user_approved(user):
    """Send the interests a new member showed while waiting for approval."""
    interests.send_waiting(user)


@hookimpl
def register_nav_links(user):
    return [NavLink(_l("Organisations"), "organisations.directory")]


#: The composer's field: post a new topic as this organisation (its id).
AS_FIELD = "plugin.organisation"


@hookimpl
def extra_outlet(outlet, user, topic, post, category):
    """The composer's "post as" choice for representatives; the organisation's
    name beside the author on a topic posted as it."""
    if outlet == "composer_fields" and topic is None and post is None:
        if category is not None and category.kind != CategoryKind.ORGANISATIONS:
            return None
        represented = services.represented_by(user) if permissions.can_write(user) else []
        if not represented:
            return None
        chosen = request.form.get(AS_FIELD, "")
        return Contribution(
            "organisations/composer.html",
            {"organisations": represented, "chosen": chosen, "field_name": AS_FIELD},
        )
    if outlet == "topic_header" and topic is not None and topic.organisation_id:
        organisation = db.session.get(Organisation, topic.organisation_id)
        if organisation is None or not permissions.can_see_organisation(user, organisation):
            return None
        return Contribution("organisations/topic_badge.html", {"organisation": organisation})
    return None


@hookimpl
def validate_post(user, category, topic, post, extra):
    """Only an organisation's representatives post as it, and only new topics in
    a category of the organisations kind."""
    chosen = (extra or {}).get(AS_FIELD)
    if not chosen:
        return None
    organisation = db.session.get(Organisation, int(chosen)) if chosen.isdigit() else None
    if (
        organisation is None
        or topic is not None
        or post is not None
        or category is None
        or category.kind != CategoryKind.ORGANISATIONS
        or not permissions.can_edit_organisation(user, organisation)
    ):
        return Reject(str(_l("You cannot post as this organisation here.")))
    return None


@hookimpl
def topic_created(topic, user, extra):
    """Link the new topic to the organisation it was posted as (checked above)."""
    chosen = (extra or {}).get(AS_FIELD, "")
    if chosen.isdigit():
        services.post_as(user, topic, int(chosen))
