"""Organisations: the directory, profiles and their representatives.

Every change a person makes to an organisation is written to the audit log in
the change's own transaction (forum.review.audit).
"""

import enum
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from forum import permissions
from forum.boards.models import Category, Municipality, Topic
from forum.db import utcnow
from forum.errors import BoardError, NotAllowed
from forum.extensions import db
from forum.markdown import cook
from forum.organisations.fields import fields_by_slug
from forum.organisations.models import (
    ActivityField,
    Opportunity,
    OpportunityStatus,
    Organisation,
    Representative,
    organisation_fields,
)
from forum.review.audit import log_action
from forum.text import slugify
from forum.users.models import User

DIRECTORY_PAGE_SIZE = 30


class DirectorySort(enum.StrEnum):
    NAME = "name"
    ACTIVITY = "activity"


@dataclass
class DirectoryFilter:
    municipality: Municipality | None = None
    field: str | None = None
    seeking: bool = False
    name: str = ""
    sort: DirectorySort = DirectorySort.NAME


@dataclass
class DirectoryPage:
    organisations: list[Organisation]
    page: int
    has_next: bool


@dataclass
class Profile:
    """What an organisation's page shows besides the organisation itself."""

    organisation: Organisation
    representatives: list[User] = field(default_factory=list)
    opportunities: list[Opportunity] = field(default_factory=list)
    announcements: list[Topic] = field(default_factory=list)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def directory(user, filters: DirectoryFilter, page: int = 1) -> DirectoryPage:
    """Return one page of the directory: two statements whatever its size
    (the organisations, then all their fields at once)."""
    query = sa.select(Organisation).where(permissions.visible_organisations_clause(user))
    if filters.municipality:
        query = query.where(Organisation.municipality == filters.municipality)
    if filters.seeking:
        query = query.where(Organisation.seeking_volunteers.is_(True))
    if filters.name:
        query = query.where(sa.func.lower(Organisation.name).like(_like(filters.name), escape="\\"))
    if filters.field:
        query = query.where(
            Organisation.id.in_(
                sa.select(organisation_fields.c.organisation_id)
                .join(ActivityField, ActivityField.id == organisation_fields.c.field_id)
                .where(ActivityField.slug == filters.field)
            )
        )
    if filters.sort == DirectorySort.ACTIVITY:
        query = query.order_by(Organisation.last_activity_at.desc(), Organisation.id.desc())
    else:
        query = query.order_by(Organisation.name, Organisation.id)
    page = max(page, 1)
    rows = list(
        db.session.scalars(
            query.options(selectinload(Organisation.fields))
            .limit(DIRECTORY_PAGE_SIZE + 1)
            .offset((page - 1) * DIRECTORY_PAGE_SIZE)
        )
    )
    return DirectoryPage(rows[:DIRECTORY_PAGE_SIZE], page, len(rows) > DIRECTORY_PAGE_SIZE)


def get_organisation(slug: str) -> Organisation | None:
    return db.session.scalar(
        sa.select(Organisation)
        .where(Organisation.slug == slug)
        .options(selectinload(Organisation.fields))
    )


def profile(user, organisation: Organisation, today: date | None = None) -> Profile:
    """Return what the profile page shows: representatives, open opportunities
    (expired ones left out by their end date) and the latest announcements."""
    today = today or date.today()
    representatives = list(
        db.session.scalars(
            sa.select(User)
            .join(Representative, Representative.user_id == User.id)
            .where(Representative.organisation_id == organisation.id)
            .order_by(Representative.added_at)
        )
    )
    opportunities = list(
        db.session.scalars(
            sa.select(Opportunity)
            .where(
                Opportunity.organisation_id == organisation.id,
                open_opportunities_clause(today),
            )
            .order_by(Opportunity.created_at.desc())
            .limit(20)
        )
    )
    announcements = list(
        db.session.scalars(
            sa.select(Topic)
            .join(Category, Category.id == Topic.category_id)
            .where(Topic.organisation_id == organisation.id)
            .where(permissions.visible_topics_clause(user))
            .order_by(Topic.created_at.desc())
            .limit(5)
        )
    )
    return Profile(organisation, representatives, opportunities, announcements)


def open_opportunities_clause(today: date) -> sa.ColumnElement[bool]:
    """Open and not past their end date: expired ones leave every list by themselves."""
    return sa.and_(
        Opportunity.status == OpportunityStatus.OPEN,
        sa.or_(Opportunity.ends_on.is_(None), Opportunity.ends_on >= today),
    )


def representative_ids(organisation: Organisation) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Representative.user_id).where(
                Representative.organisation_id == organisation.id
            )
        )
    )


def member_named(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username))


def represented_by(user: User) -> list[Organisation]:
    """Return the organisations ``user`` represents, by name."""
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .join(Representative, Representative.organisation_id == Organisation.id)
            .where(Representative.user_id == user.id)
            .order_by(Organisation.name)
        )
    )


# --- Writing ------------------------------------------------------------------------------

#: What a representative may change on the profile (besides the fields of activity).
PROFILE_FIELDS = (
    "name", "short_line", "description", "municipality", "website", "contact_name",
    "contact_email", "contact_phone", "meeting_place", "meeting_times", "seeking_volunteers",
    "members_only",
)  # fmt: skip


def unique_slug(name: str) -> str:
    base = slugify(name, 70) or "verein"
    taken = set(
        db.session.scalars(sa.select(Organisation.slug).where(Organisation.slug.like(f"{base}%")))
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def create_organisation(
    name: str, municipality: Municipality | str, *, actor: User | None = None, commit: bool = True,
    **values,
) -> Organisation:  # fmt: skip
    """Create an organisation (the coordinator confirming a request, the demo)."""
    name = name.strip()
    if not name:
        raise BoardError(_l("An organisation needs a name."))
    field_slugs = values.pop("fields", [])
    organisation = Organisation(
        slug=unique_slug(name), name=name, municipality=Municipality(municipality)
    )
    db.session.add(organisation)
    _apply(organisation, values, field_slugs)
    db.session.flush()
    log_action(
        actor, "create_organisation", target_type="organisation", target_id=organisation.id,
        target_label=organisation.name,
    )  # fmt: skip
    if commit:
        db.session.commit()
    return organisation


def _apply(organisation: Organisation, values: dict, field_slugs: list[str] | None) -> None:
    for key, value in values.items():
        if key not in PROFILE_FIELDS:
            raise ValueError(f"not a profile field: {key}")
        if isinstance(value, str):
            value = value.strip()
        if key == "municipality":
            value = Municipality(value)
        setattr(organisation, key, value)
    if "description" in values:
        organisation.description_cooked = cook(organisation.description)
    if field_slugs is not None:
        organisation.fields = fields_by_slug(list(field_slugs))
    organisation.last_activity_at = utcnow()


def update_organisation(
    actor: User, organisation: Organisation, values: dict, field_slugs: list[str]
) -> None:
    """Save a profile edit by a representative or the coordinator."""
    if not permissions.can_edit_organisation(actor, organisation):
        raise NotAllowed(_l("Only its representatives can edit this organisation."))
    if "name" in values and not str(values["name"]).strip():
        raise BoardError(_l("An organisation needs a name."))
    before = {key: getattr(organisation, key) for key in values}
    _apply(organisation, values, field_slugs)
    changed = sorted(key for key in values if getattr(organisation, key) != before[key])
    log_action(
        actor, "update_organisation", target_type="organisation", target_id=organisation.id,
        target_label=organisation.name, changed=changed,
    )  # fmt: skip
    db.session.commit()


def set_verified(actor: User, organisation: Organisation, verified: bool) -> None:
    """The coordinator marks an organisation as verified (or takes the mark back)."""
    if not permissions.can_manage_organisations(actor):
        raise NotAllowed(_l("Only the coordinator can verify organisations."))
    organisation.verified_at = utcnow() if verified else None
    log_action(
        actor, "verify_organisation" if verified else "unverify_organisation",
        target_type="organisation", target_id=organisation.id, target_label=organisation.name,
    )  # fmt: skip
    db.session.commit()


def post_as(author: User, topic: Topic, organisation_id: int) -> None:
    """Link a new topic to the organisation its author posted it as (one of
    its announcements); the organisation moves up the directory by activity."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not permissions.can_edit_organisation(author, organisation):
        return
    topic.organisation_id = organisation.id
    organisation.last_activity_at = utcnow()
    db.session.commit()


def add_representative(actor: User | None, organisation: Organisation, member: User) -> None:
    """Make ``member`` a representative (in the caller's transaction)."""
    exists = db.session.get(Representative, (organisation.id, member.id))
    if exists is None:
        db.session.add(Representative(organisation_id=organisation.id, user_id=member.id))
    log_action(
        actor, "add_representative", target_type="organisation", target_id=organisation.id,
        target_label=organisation.name, member=member.username,
    )  # fmt: skip


def remove_representative(actor: User, organisation: Organisation, member: User) -> None:
    """A representative leaves, or the coordinator removes one."""
    leaving = actor.id == member.id
    if not leaving and not permissions.can_manage_organisations(actor):
        raise NotAllowed(_l("Only the coordinator can remove a representative."))
    row = db.session.get(Representative, (organisation.id, member.id))
    if row is None:
        raise BoardError(_l("%(name)s does not represent this organisation.", name=member.username))
    db.session.delete(row)
    log_action(
        actor, "leave_organisation" if leaving else "remove_representative",
        target_type="organisation", target_id=organisation.id, target_label=organisation.name,
        member=member.username,
    )  # fmt: skip
    db.session.commit()
