"""Organisations in the search: a small block of matching organisations above
the topic results, or only organisations with the filter word ``org:`` (also
``org:Sport``) or ``#organisationen``.

At most about a thousand organisations exist, so a LIKE over name, short line,
description, fields and municipality is fast enough on both databases, and it
works the same with either search backend (Whoosh or PostgreSQL).
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from forum import permissions
from forum.boards.forms import MUNICIPALITY_LABELS
from forum.extensions import db
from forum.organisations.models import ActivityField, Organisation, organisation_fields

#: The filter words that ask for organisations only.
FILTER_WORD = "org:"
FILTER_TAG = "#organisationen"
#: Organisations shown above the topic results, and when only they are asked for.
BLOCK_SIZE = 5
ONLY_SIZE = 30
MAX_WORDS = 6


@dataclass
class OrganisationQuery:
    """The organisations' part of a search text."""

    #: The text asked for organisations only (``org:`` or ``#organisationen``).
    only: bool = False
    #: The plain words the organisations are searched for.
    words: list[str] = field(default_factory=list)
    #: Other filter words (@name, in:title, ...): the block is left out.
    has_other_filters: bool = False


def parse(text: str) -> OrganisationQuery:
    query = OrganisationQuery()
    for token in text.replace('"', " ").replace("\u201e", " ").replace("\u201c", " ").split():
        lowered = token.lower()
        if lowered.startswith(FILTER_WORD):
            query.only = True
            token = token[len(FILTER_WORD) :]
        elif lowered == FILTER_TAG:
            query.only = True
            continue
        elif token[:1] in "@#" or ":" in token:
            query.has_other_filters = True
            continue
        token = token.strip("*")
        if len(token) >= 2 and len(query.words) < MAX_WORDS:
            query.words.append(token[:60])
    return query


def _fold(text: str) -> str:
    text = text.lower()
    for letter, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(letter, plain)
    return text


def _like(word: str) -> str:
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _word_clause(word: str) -> sa.ColumnElement[bool]:
    pattern = _like(word)
    folded = _fold(word)
    municipalities = [m for m, label in MUNICIPALITY_LABELS.items() if folded in _fold(label)]
    in_fields = Organisation.id.in_(
        sa.select(organisation_fields.c.organisation_id)
        .join(ActivityField, ActivityField.id == organisation_fields.c.field_id)
        .where(sa.func.lower(ActivityField.name).like(pattern, escape="\\"))
    )
    return sa.or_(
        sa.func.lower(Organisation.name).like(pattern, escape="\\"),
        sa.func.lower(Organisation.short_line).like(pattern, escape="\\"),
        sa.func.lower(Organisation.description).like(pattern, escape="\\"),
        in_fields,
        *([Organisation.municipality.in_(municipalities)] if municipalities else []),
    )


def matching(user, query: OrganisationQuery) -> list[Organisation]:
    """Return the organisations ``user`` may see that hold every word (by name).

    Without ``only``, nothing for a query with other filter words or no words."""
    if not query.only and (query.has_other_filters or not query.words):
        return []
    statement = sa.select(Organisation).where(permissions.visible_organisations_clause(user))
    for word in query.words:
        statement = statement.where(_word_clause(word))
    return list(
        db.session.scalars(
            statement.options(selectinload(Organisation.fields))
            .order_by(Organisation.name, Organisation.id)
            .limit(ONLY_SIZE if query.only else BLOCK_SIZE)
        )
    )
