"""The admin's list of people and a person's admin page: queries only.

The list is one count and one page query whatever the filters (the page
window needs the count); searching compares lower-cased copies with LIKE,
which at 10,000 accounts scans the table in milliseconds (see
bench/people_bench.py). Sorting walks ``ix_users_created_at``,
``ix_users_last_seen_at`` or ``ix_users_post_count``.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum.auth.models import LoginRecord
from forum.boards.models import Post
from forum.db import utcnow
from forum.extensions import db
from forum.membership.models import MembershipApplication
from forum.moderation.models import AuditLog, Flag
from forum.users.models import AccountDeletion, Role, User

PAGE_SIZE = 50
#: Pages shown on each side of the current one in the page window.
WINDOW = 2
INACTIVE_DAYS = 365
ROLES = ("member", "moderator", "admin")
STATUSES = ("applicant", "member", "silenced", "suspended", "unconfirmed", "inactive", "deleted")
SORTS = ("joined", "seen", "posts")
#: Log-ins shown on a person's page (all kept ones are at most LOGIN_RECORD_DAYS old).
LOGINS_SHOWN = 10
HISTORY_SHOWN = 50


@dataclass(frozen=True)
class PeopleQuery:
    """What the admin asked for; every value is checked by the filter form."""

    q: str = ""
    role: str = ""
    status: str = ""
    sort: str = "joined"
    page: int = 1


@dataclass
class PeoplePage:
    people: list[User]
    total: int
    page: int
    pages: int
    #: Page numbers to link, None for a gap ("…").
    window: list[int | None] = field(default_factory=list)


def deleted() -> sa.ColumnElement[bool]:
    """Whether the account was anonymised, as an EXISTS the planner turns into an
    anti-join (the scalar ``User.deleted_at`` would be a sub-plan per row)."""
    return sa.exists().where(AccountDeletion.user_id == User.id)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(query: PeopleQuery) -> list[sa.ColumnElement[bool]]:
    now = utcnow()
    conditions: list[sa.ColumnElement[bool]] = []
    if query.status == "deleted":
        conditions.append(deleted())
    else:
        conditions.append(~deleted())
    text = " ".join(query.q.split()).lower()
    if text:
        pattern = _like(text)
        conditions.append(
            sa.or_(
                User.username_lower.like(pattern, escape="\\"),
                User.email_lower.like(pattern, escape="\\"),
                sa.func.lower(User.display_name).like(pattern, escape="\\"),
            )
        )
    if query.role in ROLES:
        conditions.append(User.role == Role(query.role))
    silenced = sa.and_(User.silenced_until.is_not(None), User.silenced_until > now)
    suspended = sa.and_(User.suspended_until.is_not(None), User.suspended_until > now)
    if query.status == "applicant":
        conditions.append(User.role == Role.APPLICANT)
    elif query.status == "member":
        conditions += [User.role != Role.APPLICANT, sa.not_(silenced), sa.not_(suspended)]
    elif query.status == "silenced":
        conditions.append(silenced)
    elif query.status == "suspended":
        conditions.append(suspended)
    elif query.status == "unconfirmed":
        conditions.append(User.email_confirmed_at.is_(None))
    elif query.status == "inactive":
        cutoff = now - timedelta(days=INACTIVE_DAYS)
        conditions.append(sa.func.coalesce(User.last_seen_at, User.created_at) < cutoff)
    return conditions


def _order(sort: str) -> list[sa.ColumnElement]:
    if sort == "seen":
        return [User.last_seen_at.desc().nulls_last(), User.id.desc()]
    if sort == "posts":
        return [User.post_count.desc(), User.id.desc()]
    return [User.created_at.desc(), User.id.desc()]


def page_window(page: int, pages: int, width: int = WINDOW) -> list[int | None]:
    """Return the page numbers to link: first, last, and ``width`` around ``page``."""
    shown = {1, pages, *range(page - width, page + width + 1)}
    numbers = sorted(n for n in shown if 1 <= n <= pages)
    window: list[int | None] = []
    for number in numbers:
        if window and number - (window[-1] or 0) > 1:
            window.append(None)
        window.append(number)
    return window


def list_people(query: PeopleQuery, page_size: int | None = None) -> PeoplePage:
    """Return one page of people matching ``query`` (two statements, one if none match)."""
    page_size = page_size or PAGE_SIZE
    conditions = _conditions(query)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(*conditions))
    pages = max(1, -(-(total or 0) // page_size))
    page = min(max(query.page, 1), pages)
    if not total:  # nobody matches: no second scan for an empty page
        return PeoplePage([], 0, 1, 1, [1])
    people = db.session.scalars(
        sa.select(User)
        .where(*conditions)
        .order_by(*_order(query.sort))
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return PeoplePage(list(people), total, page, pages, page_window(page, pages))


# --- A person's admin page ---------------------------------------------------------------


@dataclass
class PersonFacts:
    application: MembershipApplication | None
    logins: list[LoginRecord]
    flags_received: int
    history: list[AuditLog]
    admin_count: int


def get_person(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def person_facts(user: User) -> PersonFacts:
    """Return what the person's admin page shows besides the account (four statements)."""
    application = db.session.scalar(
        sa.select(MembershipApplication).where(MembershipApplication.user_id == user.id)
    )
    logins = db.session.scalars(
        sa.select(LoginRecord)
        .where(LoginRecord.user_id == user.id)
        .order_by(LoginRecord.created_at.desc(), LoginRecord.id.desc())
        .limit(LOGINS_SHOWN)
    ).all()
    flags = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Flag)
        .join(Post, Post.id == Flag.post_id)
        .where(Post.user_id == user.id)
    )
    history = db.session.scalars(
        sa.select(AuditLog)
        .options(joinedload(AuditLog.actor))
        .where(AuditLog.target_type == "user", AuditLog.target_id == user.id)
        .order_by(AuditLog.id.desc())
        .limit(HISTORY_SHOWN)
    ).all()
    return PersonFacts(application, list(logins), flags or 0, list(history), admin_count())


def admin_count() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.role == Role.ADMIN, ~deleted())
        )
        or 0
    )


def find_by_username(username: str) -> User | None:
    username = username.strip().lstrip("@").lower()
    if not username:
        return None
    return db.session.scalar(sa.select(User).where(User.username_lower == username, ~deleted()))
