"""Fields of activity: the admin's list, with the county's twelve as defaults."""

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from forum.extensions import db
from forum.organisations.models import ActivityField
from forum.text import slugify

#: The fields a new forum starts with (stored in German, the forum's language;
#: the admin renames, adds and removes them).
DEFAULT_FIELDS = (
    "Sport", "Soziales", "Umwelt & Natur", "Kultur", "Feuerwehr & Rettung", "Kirche", "Bildung",
    "Kinder & Jugend", "Senioren", "Integration & Migration", "Gesundheit", "Tierschutz",
)  # fmt: skip


def list_fields() -> list[ActivityField]:
    """Return the fields in the admin's order; the defaults are made on first use."""
    fields = list(db.session.scalars(sa.select(ActivityField).order_by(ActivityField.position)))
    if fields:
        return fields
    try:
        for position, name in enumerate(DEFAULT_FIELDS):
            db.session.add(ActivityField(slug=slugify(name, 60), name=name, position=position))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another request made them first
    return list(db.session.scalars(sa.select(ActivityField).order_by(ActivityField.position)))


def fields_by_slug(slugs: list[str]) -> list[ActivityField]:
    """Return the fields named by ``slugs`` (unknown ones left out), in the admin's order."""
    if not slugs:
        return []
    return [field for field in list_fields() if field.slug in set(slugs)]
