"""Organisations (clubs, initiatives, associations), their representatives and
the volunteering opportunities they offer, with the interest people show."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.boards.models import Municipality
from forum.db import Base, utcnow
from forum.users.models import User


def _enum(cls: type[enum.Enum], length: int = 20) -> sa.Enum:
    return sa.Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class ActivityField(Base):
    """A field of activity (Sport, Soziales, ...); the admin edits the list."""

    __tablename__ = "organisation_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    position: Mapped[int] = mapped_column(default=0)


#: Which fields an organisation works in.
organisation_fields = sa.Table(
    "organisation_field_links",
    Base.metadata,
    sa.Column(
        "organisation_id",
        sa.ForeignKey("organisations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "field_id",
        sa.ForeignKey("organisation_fields.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (
        sa.Index("ix_organisations_activity", "last_activity_at", "id"),
        sa.Index("ix_organisations_municipality_name", "municipality", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), index=True)
    #: One line on the directory's card.
    short_line: Mapped[str] = mapped_column(sa.String(160), default="")
    #: Markdown as the representatives wrote it; ``description_cooked`` is its HTML.
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_cooked: Mapped[str] = mapped_column(sa.Text, default="")
    municipality: Mapped[Municipality] = mapped_column(_enum(Municipality, 30))
    website: Mapped[str] = mapped_column(sa.String(255), default="")
    contact_name: Mapped[str] = mapped_column(sa.String(120), default="")
    #: Shown to members only; guests get a contact button instead.
    contact_email: Mapped[str] = mapped_column(sa.String(255), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(60), default="")
    meeting_place: Mapped[str] = mapped_column(sa.String(255), default="")
    meeting_times: Mapped[str] = mapped_column(sa.String(255), default="")
    seeking_volunteers: Mapped[bool] = mapped_column(default=False)
    #: Set by the coordinator (forum.permissions.can_verify_organisation).
    verified_at: Mapped[datetime | None]
    #: Shown to members only (directory, profile, search, opportunities).
    members_only: Mapped[bool] = mapped_column(default=False)
    #: The logo's key in the upload storage (forum.uploads), None: no logo.
    logo_key: Mapped[str | None] = mapped_column(sa.String(120))
    #: Moves the organisation up the directory sorted by activity: profile
    #: edits, new opportunities and announcements.
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    fields: Mapped[list[ActivityField]] = relationship(
        secondary=organisation_fields, order_by=ActivityField.position
    )

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class Representative(Base):
    """A member who speaks for an organisation (confirmed by the coordinator)."""

    __tablename__ = "organisation_representatives"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()


class Commitment(enum.StrEnum):
    ONE_OFF = "one_off"
    REGULAR = "regular"


class OpportunityStatus(enum.StrEnum):
    """Stored states; "expired" is not stored: an open opportunity whose end
    date has passed leaves the list by the list's own query."""

    OPEN = "open"
    FILLED = "filled"


class OpportunityKind(enum.StrEnum):
    OPPORTUNITY = "opportunity"
    #: A training offer ("Fortbildung"): date, place, cost and registration.
    TRAINING = "training"


class Suitable(enum.IntFlag):
    """Who an opportunity suits; stored as a bit mask so a list filters in SQL."""

    YOUNG_PEOPLE = 1
    SENIORS = 2
    FAMILIES = 4
    LITTLE_GERMAN = 8


class Opportunity(Base):
    """A volunteering opportunity ("Engagement gesucht") an organisation offers."""

    __tablename__ = "opportunities"
    __table_args__ = (
        sa.Index("ix_opportunities_status_created", "status", "created_at", "id"),
        sa.Index("ix_opportunities_municipality_status", "municipality", "status"),
        sa.Index("ix_opportunities_organisation_status", "organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE")
    )
    kind: Mapped[OpportunityKind] = mapped_column(
        _enum(OpportunityKind), default=OpportunityKind.OPPORTUNITY
    )
    title: Mapped[str] = mapped_column(sa.String(160))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_cooked: Mapped[str] = mapped_column(sa.Text, default="")
    municipality: Mapped[Municipality] = mapped_column(_enum(Municipality, 30))
    place: Mapped[str] = mapped_column(sa.String(160), default="")
    from_home: Mapped[bool] = mapped_column(default=False)
    commitment: Mapped[Commitment] = mapped_column(_enum(Commitment), default=Commitment.REGULAR)
    hours_per_month: Mapped[int | None] = mapped_column(sa.SmallInteger)
    starts_on: Mapped[date | None]
    #: After this day the opportunity counts as expired and leaves the list.
    ends_on: Mapped[date | None] = mapped_column(index=True)
    requirements: Mapped[str] = mapped_column(sa.String(500), default="")
    #: A ``Suitable`` bit mask.
    suitable_for: Mapped[int] = mapped_column(default=0)
    contact_name: Mapped[str] = mapped_column(sa.String(120), default="")
    #: Training offers: what it costs and how to register (free text).
    cost: Mapped[str] = mapped_column(sa.String(120), default="")
    registration: Mapped[str] = mapped_column(sa.String(255), default="")
    status: Mapped[OpportunityStatus] = mapped_column(
        _enum(OpportunityStatus), default=OpportunityStatus.OPEN
    )
    #: How many people showed interest (kept on the row for the lists).
    interest_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()

    def is_expired(self, today: date) -> bool:
        return self.ends_on is not None and self.ends_on < today

    def is_open(self, today: date) -> bool:
        """Open and not past its end date: what the lists show and interest goes to."""
        return self.status == OpportunityStatus.OPEN and not self.is_expired(today)

    def suits(self, flag: Suitable) -> bool:
        return bool(self.suitable_for & flag)


class Interest(Base):
    """A person's "Ich bin interessiert" for an opportunity.

    ``topic_id`` is the private conversation it opened with the organisation's
    representatives; ``sent_at`` None means it waits for the person's join
    request to be approved (a guest who registered to send it).
    """

    __tablename__ = "opportunity_interests"
    __table_args__ = (
        sa.UniqueConstraint("opportunity_id", "user_id", name="uq_opportunity_interests_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("opportunities.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    topic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("topics.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    #: The person closed it (found something else); it leaves their list.
    withdrawn_at: Mapped[datetime | None]

    opportunity: Mapped[Opportunity] = relationship()
    user: Mapped[User] = relationship()
