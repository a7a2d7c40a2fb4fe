"""Volunteering opportunities ("Engagement gesucht") and training offers.

An opportunity is open until its organisation marks it filled or its end
date passes: expired ones leave every list by the lists' own query, no job
has to run (``services.open_opportunities_clause``).
"""

import enum
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from forum import permissions
from forum.boards.models import Municipality
from forum.db import utcnow
from forum.errors import BoardError, NotAllowed
from forum.extensions import db
from forum.markdown import cook
from forum.organisations.models import (
    ActivityField,
    Commitment,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Organisation,
    Suitable,
    organisation_fields,
)
from forum.organisations.services import open_opportunities_clause
from forum.review.audit import log_action
from forum.users.models import User

PAGE_SIZE = 30


class Hours(enum.StrEnum):
    """The time-commitment filter: hours per month."""

    FEW = "4"  # up to 4 hours a month
    SOME = "10"  # up to 10
    MORE = "more"  # more than 10


@dataclass
class OpportunityFilter:
    municipality: Municipality | None = None
    field: str | None = None
    hours: Hours | None = None
    commitment: Commitment | None = None
    suitable: Suitable | None = None
    kind: OpportunityKind | None = None


@dataclass
class OpportunityPage:
    opportunities: list[Opportunity]
    page: int
    has_next: bool


def list_opportunities(
    user, filters: OpportunityFilter, page: int = 1, today: date | None = None
) -> OpportunityPage:
    """Return one page of open opportunities ``user`` may see: one statement
    whatever its size (each opportunity with its organisation)."""
    today = today or date.today()
    query = (
        sa.select(Opportunity)
        .join(Organisation, Organisation.id == Opportunity.organisation_id)
        .where(open_opportunities_clause(today), permissions.visible_organisations_clause(user))
        .options(joinedload(Opportunity.organisation))
    )
    if filters.municipality:
        query = query.where(Opportunity.municipality == filters.municipality)
    if filters.commitment:
        query = query.where(Opportunity.commitment == filters.commitment)
    if filters.kind:
        query = query.where(Opportunity.kind == filters.kind)
    if filters.suitable:
        query = query.where(Opportunity.suitable_for.op("&")(int(filters.suitable)) != 0)
    if filters.hours == Hours.MORE:
        query = query.where(Opportunity.hours_per_month > 10)
    elif filters.hours:
        query = query.where(Opportunity.hours_per_month <= int(filters.hours))
    if filters.field:
        query = query.where(
            Opportunity.organisation_id.in_(
                sa.select(organisation_fields.c.organisation_id)
                .join(ActivityField, ActivityField.id == organisation_fields.c.field_id)
                .where(ActivityField.slug == filters.field)
            )
        )
    page = max(page, 1)
    rows = list(
        db.session.scalars(
            query.order_by(Opportunity.created_at.desc(), Opportunity.id.desc())
            .limit(PAGE_SIZE + 1)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    return OpportunityPage(rows[:PAGE_SIZE], page, len(rows) > PAGE_SIZE)


def get_opportunity(opportunity_id: int) -> Opportunity | None:
    return db.session.scalar(
        sa.select(Opportunity)
        .where(Opportunity.id == opportunity_id)
        .options(joinedload(Opportunity.organisation))
    )


#: What an organisation fills in (``suitable_for`` as a list of ``Suitable`` names).
FIELDS = (
    "kind", "title", "description", "municipality", "place", "from_home", "commitment",
    "hours_per_month", "starts_on", "ends_on", "requirements", "suitable_for", "contact_name",
    "cost", "registration",
)  # fmt: skip


def _apply(opportunity: Opportunity, values: dict) -> None:
    for key, value in values.items():
        if key not in FIELDS:
            raise ValueError(f"not an opportunity field: {key}")
        if isinstance(value, str):
            value = value.strip()
        if key == "suitable_for":
            # A set: a name sent twice must not add up to another flag (2 + 2 = FAMILIES).
            value = sum(int(Suitable[name.upper()]) for name in set(value or ()))
        elif key == "municipality":
            value = Municipality(value)
        elif key == "commitment":
            value = Commitment(value)
        elif key == "kind":
            value = OpportunityKind(value or "opportunity")
        setattr(opportunity, key, value)
    if not opportunity.title:
        raise BoardError(_l("An opportunity needs a title."))
    if (
        opportunity.starts_on
        and opportunity.ends_on
        and opportunity.ends_on < opportunity.starts_on
    ):
        raise BoardError(_l("The end date lies before the start date."))
    opportunity.description_cooked = cook(opportunity.description or "")
    opportunity.updated_at = utcnow()


def create_opportunity(
    actor: User, organisation: Organisation, values: dict, *, commit: bool = True
) -> Opportunity:
    """Post an opportunity for ``organisation`` (its representatives, or staff)."""
    if not permissions.can_edit_organisation(actor, organisation):
        raise NotAllowed(_l("Only its representatives can post for this organisation."))
    opportunity = Opportunity(organisation_id=organisation.id, created_by_id=actor.id)
    _apply(opportunity, values)
    db.session.add(opportunity)
    organisation.last_activity_at = utcnow()
    db.session.flush()
    log_action(
        actor, "create_opportunity", target_type="opportunity", target_id=opportunity.id,
        target_label=opportunity.title, organisation=organisation.name,
    )  # fmt: skip
    if commit:
        db.session.commit()
    return opportunity


def update_opportunity(actor: User, opportunity: Opportunity, values: dict) -> None:
    if not permissions.can_edit_organisation(actor, opportunity.organisation):
        raise NotAllowed(_l("Only its representatives can post for this organisation."))
    _apply(opportunity, values)
    log_action(
        actor, "update_opportunity", target_type="opportunity", target_id=opportunity.id,
        target_label=opportunity.title,
    )  # fmt: skip
    db.session.commit()


def set_status(actor: User, opportunity: Opportunity, status: OpportunityStatus) -> None:
    """Mark an opportunity filled (it leaves the list) or open again."""
    if not permissions.can_edit_organisation(actor, opportunity.organisation):
        raise NotAllowed(_l("Only its representatives can post for this organisation."))
    opportunity.status = status
    action = "fill_opportunity" if status is OpportunityStatus.FILLED else "reopen_opportunity"
    log_action(
        actor, action, target_type="opportunity",
        target_id=opportunity.id, target_label=opportunity.title,
    )  # fmt: skip
    db.session.commit()


def every_opportunity(organisation: Organisation) -> list[Opportunity]:
    """Every opportunity of the organisation, newest first, with its interest count
    (on the row), for its representatives' overview."""
    return list(
        db.session.scalars(
            sa.select(Opportunity)
            .where(Opportunity.organisation_id == organisation.id)
            .order_by(Opportunity.created_at.desc())
        )
    )


def upcoming_training(
    user, *, municipality: Municipality | None = None, today: date | None = None,
    limit: int = 200,
) -> list[Opportunity]:  # fmt: skip
    """Return the open training offers ("Fortbildung") ``user`` may see that
    have not ended, soonest first (for the events calendar and its feeds)."""
    today = today or date.today()
    query = (
        sa.select(Opportunity)
        .join(Organisation, Organisation.id == Opportunity.organisation_id)
        .where(
            Opportunity.kind == OpportunityKind.TRAINING,
            Opportunity.starts_on.is_not(None),
            sa.func.coalesce(Opportunity.ends_on, Opportunity.starts_on) >= today,
            open_opportunities_clause(today),
            permissions.visible_organisations_clause(user),
        )
        .options(joinedload(Opportunity.organisation))
        .order_by(Opportunity.starts_on, Opportunity.id)
    )
    if municipality is not None:
        query = query.where(Opportunity.municipality == municipality)
    return list(db.session.scalars(query.limit(limit)))
