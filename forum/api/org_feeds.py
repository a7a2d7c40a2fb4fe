"""Feed entries for organisations and opportunities: the directory, one
organisation's announcements and open opportunities, the opportunity list.

What a viewer gets is decided where the pages decide it: the directory's and
the list's own queries (``visible_organisations_clause``), an organisation
by ``can_see_organisation`` (the caller), its announcements by the feeds'
post clauses. Expired and filled opportunities leave a feed as they leave the
list (``open_opportunities_clause``).
"""

from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from markupsafe import escape

from forum import permissions
from forum.api import feeds
from forum.boards.forms import MUNICIPALITY_LABELS
from forum.boards.models import Post
from forum.extensions import db
from forum.organisations import opportunities as opportunity_lists
from forum.organisations import services
from forum.organisations.models import Opportunity, Organisation
from forum.organisations.services import open_opportunities_clause


def _text(*parts: str) -> str:
    """Plain text lines as a paragraph of escaped HTML (empty ones left out)."""
    shown = [str(escape(part)) for part in parts if part]
    return f"<p>{' · '.join(shown)}</p>" if shown else ""


def organisation_entry(organisation: Organisation, link: str) -> feeds.Entry:
    """An organisation as an entry: its line and its description; new or changed
    profiles (and new opportunities or announcements) move it up by activity."""
    municipality = MUNICIPALITY_LABELS.get(organisation.municipality, "")
    return feeds.Entry(
        link=link,
        title=organisation.name,
        author=organisation.name,
        published=organisation.created_at,
        updated=max(organisation.last_activity_at, organisation.created_at),
        html=_text(organisation.short_line, municipality)
        + feeds.feed_html(organisation.description_cooked),
        categories=tuple(field.name for field in organisation.fields),
    )


def opportunity_entry(opportunity: Opportunity, link: str) -> feeds.Entry:
    """An open opportunity as an entry: who offers it, where, and its description."""
    organisation = opportunity.organisation
    municipality = MUNICIPALITY_LABELS.get(opportunity.municipality, "")
    return feeds.Entry(
        link=link,
        title=opportunity.title,
        author=organisation.name,
        published=opportunity.created_at,
        updated=max(opportunity.updated_at, opportunity.created_at),
        html=_text(organisation.name, municipality, opportunity.place)
        + feeds.feed_html(opportunity.description_cooked),
        categories=(municipality,) if municipality else (),
    )


def directory(viewer, filters: services.DirectoryFilter) -> list[Organisation]:
    """The organisations the viewer may see, newest activity first (the directory's query)."""
    filters.sort = services.DirectorySort.ACTIVITY
    return services.directory(viewer, filters).organisations[: feeds.FEED_LENGTH]


def opportunity_list(viewer, filters: opportunity_lists.OpportunityFilter) -> list[Opportunity]:
    """The list's first page: open opportunities the viewer may see, newest first."""
    page = opportunity_lists.list_opportunities(viewer, filters)
    return page.opportunities[: feeds.FEED_LENGTH]


def organisation_items(
    viewer,
    organisation: Organisation,
    post_link: Callable[[Post], str],
    opportunity_link: Callable[[Opportunity], str],
    today: date | None = None,
) -> list[feeds.Entry]:
    """One organisation's announcements (the first posts of topics posted as it)
    and its open opportunities, newest first; the caller checked
    ``can_see_organisation``."""
    today = today or date.today()
    announcements = feeds.announcements(viewer, organisation.id)
    offers = db.session.scalars(
        sa.select(Opportunity)
        .join(Organisation, Organisation.id == Opportunity.organisation_id)
        .where(
            Opportunity.organisation_id == organisation.id,
            open_opportunities_clause(today),
            permissions.visible_organisations_clause(viewer),
        )
        .order_by(Opportunity.created_at.desc(), Opportunity.id.desc())
        .limit(feeds.FEED_LENGTH)
    )
    entries = [feeds.post_entry(post, post_link(post)) for post in announcements]
    entries += [opportunity_entry(item, opportunity_link(item)) for item in offers]
    entries.sort(key=lambda entry: entry.published, reverse=True)
    return entries[: feeds.FEED_LENGTH]
