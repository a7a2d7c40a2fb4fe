"""events plugin: event_feed_keys (renewable personal calendar feed addresses)

Revision ID: b7d2c4e9a1f3
Revises: e941d8bfc195
Create Date: 2026-11-25 12:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b7d2c4e9a1f3"
down_revision = "e941d8bfc195"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "event_feed_keys",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("renewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_event_feed_keys_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_event_feed_keys")),
    )


def downgrade():
    op.drop_table("event_feed_keys")
