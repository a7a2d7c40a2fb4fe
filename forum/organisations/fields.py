"""Fields of activity: the admin's list, with the county's twelve as defaults."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from forum import permissions
from forum.errors import BoardError, NotAllowed
from forum.extensions import db
from forum.organisations.models import ActivityField, organisation_fields
from forum.review.audit import log_action
from forum.text import slugify
from forum.users.models import User

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


# --- The admin's edits (forum/admin/field_views.py), each in the audit log -------------------


def _check_name(name: str, *, other_than: int | None = None) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 60:
        raise BoardError(_l("A field of activity needs a name of at most 60 characters."))
    taken = db.session.scalar(
        sa.select(ActivityField.id).where(
            sa.func.lower(ActivityField.name) == name.lower(),
            ActivityField.id != (other_than or 0),
        )
    )
    if taken is not None:
        raise BoardError(_l("There is already a field called “%(name)s”.", name=name))
    return name


def _unique_slug(name: str) -> str:
    base = slugify(name, 50) or "bereich"
    taken = set(db.session.scalars(sa.select(ActivityField.slug)))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def add_field(actor: User, name: str) -> ActivityField:
    if not permissions.can_administrate(actor):
        raise NotAllowed(_l("Only an administrator edits the fields of activity."))
    list_fields()  # the defaults first, so a new forum keeps them
    name = _check_name(name)
    position = db.session.scalar(sa.select(sa.func.max(ActivityField.position))) or 0
    field = ActivityField(slug=_unique_slug(name), name=name, position=position + 1)
    db.session.add(field)
    db.session.flush()
    log_action(actor, "add_activity_field", target_type="activity_field", target_id=field.id,
               target_label=name)  # fmt: skip
    db.session.commit()
    return field


def rename_field(actor: User, field: ActivityField, name: str) -> None:
    """A new name; the slug (in filter addresses) stays, so links keep working."""
    if not permissions.can_administrate(actor):
        raise NotAllowed(_l("Only an administrator edits the fields of activity."))
    old = field.name
    field.name = _check_name(name, other_than=field.id)
    log_action(actor, "rename_activity_field", target_type="activity_field",
               target_id=field.id, target_label=field.name, old_name=old)  # fmt: skip
    db.session.commit()


def usage(field: ActivityField) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(organisation_fields)
        .where(organisation_fields.c.field_id == field.id)
    )


def usage_counts() -> dict[int, int]:
    """Return field id -> how many organisations name it (one query)."""
    rows = db.session.execute(
        sa.select(organisation_fields.c.field_id, sa.func.count()).group_by(
            organisation_fields.c.field_id
        )
    )
    return dict(rows.all())


def remove_field(actor: User, field: ActivityField) -> None:
    """Remove a field no organisation names (others would lose it silently)."""
    if not permissions.can_administrate(actor):
        raise NotAllowed(_l("Only an administrator edits the fields of activity."))
    count = usage(field)
    if count:
        raise BoardError(
            _l("“%(name)s” is still named by %(count)s organisation(s).", name=field.name,
               count=count)
        )  # fmt: skip
    log_action(actor, "remove_activity_field", target_type="activity_field",
               target_id=field.id, target_label=field.name)  # fmt: skip
    db.session.delete(field)
    db.session.commit()


def get_field(field_id: int) -> ActivityField | None:
    return db.session.get(ActivityField, field_id)
