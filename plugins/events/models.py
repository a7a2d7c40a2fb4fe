"""The events plugin's tables: an event per topic and the members' answers."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.boards.models import Municipality, Topic
from forum.db import Base, utcnow


class RsvpStatus(enum.StrEnum):
    GOING = "going"
    INTERESTED = "interested"
    NOT_GOING = "not_going"


def _enum(cls: type[enum.Enum], length: int) -> sa.Enum:
    # Plain strings, as in the core tables: both databases agree, no ALTER TYPE.
    return sa.Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class Event(Base):
    """An event carried by a topic; the topic gives title, text and visibility."""

    __tablename__ = "events"
    # Lets tests and tools tell the plugin's tables from the core schema.
    __table_args__ = {"info": {"plugin": "events"}}

    topic_id: Mapped[int] = mapped_column(
        sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    #: An address; empty for an online event.
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    municipality: Mapped[Municipality | None] = mapped_column(_enum(Municipality, 30))
    #: None: no limit. Beyond it, "going" answers form a waiting list.
    max_participants: Mapped[int | None]
    registration_deadline: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    topic: Mapped[Topic] = relationship()

    def __repr__(self) -> str:
        return f"<Event {self.topic_id} {self.starts_at:%Y-%m-%d}>"


class Rsvp(Base):
    """A member's answer; among "going", earlier ``created_at`` gets a place first."""

    __tablename__ = "event_rsvps"
    __table_args__ = (sa.Index("ix_event_rsvps_user_id", "user_id"), {"info": {"plugin": "events"}})

    topic_id: Mapped[int] = mapped_column(
        sa.ForeignKey("events.topic_id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[RsvpStatus] = mapped_column(_enum(RsvpStatus, 20))
    #: When the current status was chosen: the place in the queue.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when the day-before reminder went out, so a second run skips it.
    reminded_at: Mapped[datetime | None]


class FeedKey(Base):
    """How many times a member asked for a new personal calendar feed address.

    The address carries the member's id and this number, signed with the
    secret key; a new number makes every older address stop working. No row
    means 0 (the addresses handed out before addresses could be renewed).
    """

    __tablename__ = "event_feed_keys"
    __table_args__ = {"info": {"plugin": "events"}}

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    generation: Mapped[int] = mapped_column(default=0)
    renewed_at: Mapped[datetime] = mapped_column(default=utcnow)
