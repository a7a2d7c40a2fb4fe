"""The filters of the directory and the opportunity list, read from a query
string once: the pages and their feeds (forum/api/org_feed_views.py) filter alike."""

from werkzeug.datastructures import MultiDict

from forum.boards.models import Municipality
from forum.organisations import opportunities, services
from forum.organisations.fields import list_fields
from forum.organisations.forms import DirectoryFilterForm, OpportunityFilterForm
from forum.organisations.models import Commitment, OpportunityKind, Suitable


def _choice(enum_type, value):
    return enum_type(value) if value in {str(member.value) for member in enum_type} else None


def directory_filter(args: MultiDict) -> tuple[DirectoryFilterForm, services.DirectoryFilter]:
    """The directory's form and the filter it asks for (unknown values ignored)."""
    form = DirectoryFilterForm(args, fields=list_fields())
    form.validate()
    sort = form.sort.data
    filters = services.DirectoryFilter(
        municipality=_choice(Municipality, form.municipality.data),
        field=form.field.data or None,
        seeking=bool(form.seeking.data),
        name=(form.q.data or "").strip()[:100],
        sort=services.DirectorySort(sort)
        if sort in set(services.DirectorySort)
        else services.DirectorySort.NAME,
    )
    return form, filters


def opportunity_filter(
    args: MultiDict,
) -> tuple[OpportunityFilterForm, opportunities.OpportunityFilter]:
    """The opportunity list's form and the filter it asks for (unknown values ignored)."""
    form = OpportunityFilterForm(args, fields=list_fields())
    suitable = args.get("suitable", "")
    filters = opportunities.OpportunityFilter(
        municipality=_choice(Municipality, form.municipality.data),
        field=form.field.data or None,
        hours=_choice(opportunities.Hours, form.hours.data),
        commitment=_choice(Commitment, form.commitment.data),
        suitable=Suitable[suitable.upper()] if suitable.upper() in Suitable.__members__ else None,
        kind=_choice(OpportunityKind, form.kind.data),
    )
    return form, filters


def page_query(form, args: MultiDict) -> dict[str, str]:
    """The filters the page's "next" and "previous" links carry: the form's own
    fields only. Any other name went to ``url_for`` too, where "_method" or
    "endpoint" are its own arguments (a 500 on the public list)."""
    return {key: value for key, value in args.items() if key in form and value}


def feed_query(filters) -> dict[str, str]:
    """The query string of a list's feed address: the filters in effect (no sort, no page)."""
    query = {}
    for key, value in vars(filters).items():
        if key == "sort" or not value:
            continue
        if key == "seeking":
            value = "y"
        elif key == "suitable":
            value = value.name.lower()
        query[key] = str(value.value if hasattr(value, "value") else value)
    if "name" in query:
        query["q"] = query.pop("name")
    return query
