"""Organisations: who sees which, who keeps a profile, who may contact them."""

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from forum.extensions import db
from forum.organisations.models import Organisation, Representative
from forum.permissions.roles import _account, can_write, is_member, is_staff
from forum.users.models import Role


def visible_organisations_clause(user: Any) -> sa.ColumnElement[bool]:
    """Return a SQL condition on Organisation: public ones for everybody, the
    members-only ones for members (directory, profiles, search, opportunities)."""
    return sa.true() if is_member(user) else Organisation.members_only.is_(False)


def can_see_organisation(user: Any, organisation: Organisation) -> bool:
    return not organisation.members_only or is_member(user)


def represents(user: Any, organisation: Organisation, among: Iterable[Any] | None = None) -> bool:
    """Whether ``user`` is one of the organisation's representatives: decided from
    ``among`` (the representatives a page has loaded already) or with one query."""
    account = _account(user)
    if account is not None and among is not None:
        return any(person.id == account.id for person in among)
    return account is not None and db.session.scalar(
        sa.select(sa.func.count()).where(
            Representative.organisation_id == organisation.id,
            Representative.user_id == account.id,
        )
    ) > 0  # fmt: skip


def can_edit_organisation(
    user: Any, organisation: Organisation, representatives: Iterable[Any] | None = None
) -> bool:
    """Its representatives (who may write) and staff keep a profile and its opportunities."""
    if is_staff(user):
        return True
    return can_write(user) and represents(user, organisation, representatives)


def can_request_representation(user: Any) -> bool:
    """Members who may write ask to represent an organisation (or to create one)."""
    return can_write(user)


def can_manage_organisations(user: Any) -> bool:
    """The coordinator verifies organisations and confirms or removes representatives."""
    return is_staff(user)


def can_show_interest(user: Any) -> bool:
    """Members, and applicants (their interest waits for their approval), say
    "Ich bin interessiert"; guests register first. The interest is a message:
    a silenced account may not send one (nor could it open the conversation)."""
    account = _account(user)
    return (
        account is not None
        and not account.is_suspended
        and not account.is_silenced
        and (account.is_member or account.role == Role.APPLICANT)
    )


def can_see_contact_details(user: Any) -> bool:
    """An organisation's e-mail address and telephone are for members; guests get a button."""
    return is_member(user)
