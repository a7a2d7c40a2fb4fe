"""The organisations package's hook implementations (registered as built-ins by
the app factory): its kind of review item and its notifications' sentences."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.hookspecs import hookimpl
from forum.organisations import interests
from forum.organisations.requests import REPRESENTATION_REQUEST
from forum.plugins import NavLink, ReviewKind


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
def user_approved(user):
    """Send the interests a new member showed while waiting for approval."""
    interests.send_waiting(user)


@hookimpl
def register_nav_links(user):
    return [NavLink(_l("Organisations"), "organisations.directory")]
