"""events plugin: events and event_rsvps

The first revision of the events branch; it needs the core schema up to the
search tables.

Revision ID: e941d8bfc195
Revises:
Create Date: 2026-11-25 10:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e941d8bfc195"
down_revision = None
branch_labels = ("events",)
depends_on = "c3be5888470b"

# Written out: a migration must not import the application.
MUNICIPALITIES = (
    "gifhorn",
    "wittingen",
    "sassenburg",
    "boldecker-land",
    "brome",
    "hankensbuettel",
    "isenbuettel",
    "meinersen",
    "papenteich",
    "wesendorf",
)
RSVP_STATUSES = ("going", "interested", "not_going")


def upgrade():
    op.create_table(
        "events",
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("online_url", sa.String(length=500), nullable=False),
        sa.Column(
            "municipality",
            sa.Enum(*MUNICIPALITIES, name="municipality", native_enum=False, length=30),
            nullable=True,
        ),
        sa.Column("max_participants", sa.Integer(), nullable=True),
        sa.Column("registration_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_events_topic_id_topics"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("topic_id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "event_rsvps",
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*RSVP_STATUSES, name="rsvpstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["events.topic_id"],
            name=op.f("fk_event_rsvps_topic_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_event_rsvps_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("topic_id", "user_id", name=op.f("pk_event_rsvps")),
    )
    with op.batch_alter_table("event_rsvps", schema=None) as batch_op:
        batch_op.create_index("ix_event_rsvps_user_id", ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("event_rsvps", schema=None) as batch_op:
        batch_op.drop_index("ix_event_rsvps_user_id")
    op.drop_table("event_rsvps")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_starts_at"))
    op.drop_table("events")
