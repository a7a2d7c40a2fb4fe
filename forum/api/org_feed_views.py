"""Feed routes for organisations and opportunities: the directory
(``/organisationen.rss``), one organisation (``/o/<slug>.rss``) and the open
opportunities (``/engagement.rss``), each also as ``.atom``; the lists' feeds
take the pages' filters.

As with the forum's other feeds, guests get public organisations only and a
member's personal address (``?key=``) shows what that member may see.
"""

from collections.abc import Callable
from typing import Any

from flask import Response, abort, request
from flask_babel import gettext as _

from forum import permissions
from forum.api import org_feeds
from forum.api.feed_views import (
    feed_response,
    feed_self_link,
    feed_viewer,
    post_link,
)
from forum.api.feeds import Entry, FeedInfo
from forum.api.views import bp
from forum.extensions import runtime_setting
from forum.mail import absolute_url
from forum.organisations import services
from forum.organisations.filters import directory_filter, feed_query, opportunity_filter

#: "rss" or "atom" under another name than the other feeds' ``kind``: the
#: opportunity list has a filter called ``kind`` (volunteering or training).
ENDINGS = "<any(rss, atom):ending>"


def _opportunity_link(opportunity) -> str:
    return absolute_url("organisations.opportunity", opportunity_id=opportunity.id)


def _list_feed(
    ending: str,
    read_filters: Callable[[Any], tuple[Any, Any]],
    list_items: Callable[[Any, Any], list],
    entry: Callable[[Any], Entry],
    *,
    title: str,
    description: str,
    page: str,
    endpoint: str,
) -> Response:
    """A list page's feed: the page's filters from the query string, the viewer's
    items under them, and links to the page and the feed with the same filters."""
    viewer = feed_viewer()
    _form, filters = read_filters(request.args)
    query = feed_query(filters)
    info = FeedInfo(
        title=f"{runtime_setting('SITE_NAME')}: {title}",
        description=description,
        link=absolute_url(page, **query),
        self_link=feed_self_link(endpoint, ending=ending, **query),
    )
    return feed_response(ending, info, [entry(item) for item in list_items(viewer, filters)])


@bp.get(f"/organisationen.{ENDINGS}")
def directory_feed(ending: str):
    """New and changed organisations (the directory's filters apply)."""
    return _list_feed(
        ending,
        directory_filter,
        org_feeds.directory,
        lambda organisation: org_feeds.organisation_entry(
            organisation, absolute_url("organisations.profile", slug=organisation.slug)
        ),
        title=_("Organisations"),
        description=_("New and updated organisations"),
        page="organisations.directory",
        endpoint="api.directory_feed",
    )


@bp.get(f"/o/<slug>.{ENDINGS}")
def organisation_feed(slug: str, ending: str):
    """One organisation's announcements and open opportunities."""
    viewer = feed_viewer()
    organisation = services.get_organisation(slug)
    if organisation is None or not permissions.can_see_organisation(viewer, organisation):
        abort(404)
    info = FeedInfo(
        title=f"{runtime_setting('SITE_NAME')}: {organisation.name}",
        # A fixed line: readers may take a channel's description for HTML.
        description=_("Announcements and open opportunities"),
        link=absolute_url("organisations.profile", slug=organisation.slug),
        self_link=feed_self_link("api.organisation_feed", slug=organisation.slug, ending=ending),
    )
    entries = org_feeds.organisation_items(viewer, organisation, post_link, _opportunity_link)
    return feed_response(ending, info, entries)


@bp.get(f"/engagement.{ENDINGS}")
def opportunity_feed(ending: str):
    """Open opportunities, newest first (the list's filters apply)."""
    return _list_feed(
        ending,
        opportunity_filter,
        org_feeds.opportunity_list,
        lambda item: org_feeds.opportunity_entry(item, _opportunity_link(item)),
        title=_("Get involved"),
        description=_("Open volunteering opportunities"),
        page="organisations.opportunity_list",
        endpoint="api.opportunity_feed",
    )
