"""The admin dashboard's numbers: what waits for a decision and how the forum is doing.

Each part is one SQL statement, whatever the amount of data (tests count them).
Topic lists use the permission clauses of forum/permissions/, so the admin
sees only what she may read.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from forum import permissions
from forum.boards.models import Category, Post, Topic, TopicUser
from forum.db import utcnow
from forum.extensions import db
from forum.moderation.models import ReviewItem, ReviewStatus
from forum.search.models import SearchMiss
from forum.users.models import Role, User

#: Weeks in the activity chart.
WEEKS = 12
#: Rows in each topic list and in the search log's table.
LIST_LENGTH = 8
MEMBER_ROLES = (Role.MEMBER, Role.MODERATOR, Role.ADMIN)


@dataclass(frozen=True)
class WaitingKind:
    kind: str
    count: int
    oldest: datetime


@dataclass(frozen=True)
class People:
    members: int
    new_7: int
    new_30: int
    active_7: int
    active_30: int
    applicants: int


@dataclass(frozen=True)
class Week:
    start: date
    topics: int
    posts: int


@dataclass(frozen=True)
class TopicRow:
    topic: Topic
    number: int


@dataclass(frozen=True)
class Miss:
    term: str
    count: int
    last_day: date


@dataclass
class Dashboard:
    waiting: list[WaitingKind] = field(default_factory=list)
    people: People | None = None
    weeks: list[Week] = field(default_factory=list)
    most_read: list[TopicRow] = field(default_factory=list)
    unanswered: list[Topic] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)
    search_log_days: int = 0

    @property
    def waiting_total(self) -> int:
        return sum(kind.count for kind in self.waiting)


def build(user: Any, search_log_days: int, now: datetime | None = None) -> Dashboard:
    """Return everything the dashboard shows to ``user`` (six statements)."""
    now = now or utcnow()
    return Dashboard(
        waiting=waiting(),
        people=people(now),
        weeks=weeks(now),
        most_read=most_read(user, now),
        unanswered=unanswered(user, now),
        misses=misses(search_log_days, now.date()),
        search_log_days=search_log_days,
    )


def waiting() -> list[WaitingKind]:
    """Items in the review queue by kind, with the oldest's age."""
    rows = db.session.execute(
        sa.select(ReviewItem.kind, sa.func.count(), sa.func.min(ReviewItem.created_at))
        .where(ReviewItem.status == ReviewStatus.PENDING)
        .group_by(ReviewItem.kind)
        .order_by(sa.func.min(ReviewItem.created_at))
    )
    return [WaitingKind(kind, count, _aware(oldest)) for kind, count, oldest in rows]


def _count_if(condition) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def people(now: datetime) -> People:
    """Members, new members (joined in the last 7 and 30 days) and active ones."""
    member = User.role.in_(MEMBER_ROLES)
    row = db.session.execute(
        sa.select(
            _count_if(member),
            _count_if(sa.and_(member, User.created_at >= now - timedelta(days=7))),
            _count_if(sa.and_(member, User.created_at >= now - timedelta(days=30))),
            _count_if(sa.and_(member, User.last_seen_at >= now - timedelta(days=7))),
            _count_if(sa.and_(member, User.last_seen_at >= now - timedelta(days=30))),
            _count_if(User.role == Role.APPLICANT),
        )
    ).one()
    return People(*(int(value) for value in row))


def week_starts(now: datetime) -> list[date]:
    """Mondays of the last ``WEEKS`` weeks (UTC), oldest first; the last is this week's."""
    monday = now.date() - timedelta(days=now.weekday())
    return [monday - timedelta(weeks=back) for back in range(WEEKS - 1, -1, -1)]


def weeks(now: datetime) -> list[Week]:
    """New topics and posts per week (not counting deleted ones), one statement."""
    starts = week_starts(now)
    bounds = [datetime(d.year, d.month, d.day, tzinfo=now.tzinfo) for d in starts]

    def bucket(column) -> sa.ColumnElement[int]:
        # The newest week first, so each row falls into the first bound it passes.
        return sa.case(
            *((column >= bound, index) for index, bound in reversed(list(enumerate(bounds)))),
            else_=-1,
        )

    topics = (
        sa.select(sa.literal_column("0").label("what"), bucket(Topic.created_at).label("week"))
        .where(Topic.created_at >= bounds[0], Topic.deleted_at.is_(None))
    )  # fmt: skip
    posts = (
        sa.select(sa.literal_column("1").label("what"), bucket(Post.created_at).label("week"))
        .where(Post.created_at >= bounds[0], Post.deleted_at.is_(None))
    )  # fmt: skip
    both = sa.union_all(topics, posts).subquery()
    counts: dict[tuple[int, int], int] = {
        (what, week): count
        for what, week, count in db.session.execute(
            sa.select(both.c.what, both.c.week, sa.func.count()).group_by(both.c.what, both.c.week)
        )
    }
    return [
        Week(start, counts.get((0, index), 0), counts.get((1, index), 0))
        for index, start in enumerate(starts)
    ]


def most_read(user: Any, now: datetime) -> list[TopicRow]:
    """Topics opened by the most members in the last seven days."""
    readers = sa.func.count(TopicUser.user_id).label("readers")
    rows = db.session.execute(
        sa.select(Topic, readers)
        .join(TopicUser, TopicUser.topic_id == Topic.id)
        .join(Category, Category.id == Topic.category_id)
        .where(
            TopicUser.last_visited_at >= now - timedelta(days=7),
            permissions.visible_topics_clause(user),
            Topic.deleted_at.is_(None),
        )
        .group_by(Topic.id, Category.id)
        .order_by(readers.desc(), Topic.id.desc())
        .options(contains_eager(Topic.category))
        .limit(LIST_LENGTH)
    )
    return [TopicRow(topic, count) for topic, count in rows]


def unanswered(user: Any, now: datetime) -> list[Topic]:
    """Topics of the last seven days that nobody has answered yet, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Topic)
            .join(Category, Category.id == Topic.category_id)
            .where(
                Topic.created_at >= now - timedelta(days=7),
                Topic.posts_count <= 1,
                Topic.closed.is_(False),
                permissions.visible_topics_clause(user),
                Topic.deleted_at.is_(None),
            )
            .order_by(Topic.created_at, Topic.id)
            .limit(LIST_LENGTH)
            .options(contains_eager(Topic.category))
        )
    )


def misses(days: int, today: date) -> list[Miss]:
    """The searches that most often found nothing within the retention period."""
    if days <= 0:
        return []
    total = sa.func.sum(SearchMiss.times).label("total")
    rows = db.session.execute(
        sa.select(SearchMiss.term, total, sa.func.max(SearchMiss.day))
        .where(SearchMiss.day > today - timedelta(days=days))
        .group_by(SearchMiss.term)
        .order_by(total.desc(), SearchMiss.term)
        .limit(LIST_LENGTH * 2)
    )
    return [Miss(term, int(count), last) for term, count, last in rows]


def _aware(moment: datetime) -> datetime:
    # min() over a column gives back what the driver returns; SQLite forgets the zone.
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)
