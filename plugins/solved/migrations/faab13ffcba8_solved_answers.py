"""solved plugin: solved_answers

The first revision of the solved branch; it needs the core schema up to the
search tables.

Revision ID: faab13ffcba8
Revises:
Create Date: 2026-11-25 11:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "faab13ffcba8"
down_revision = None
branch_labels = ("solved",)
depends_on = "c3be5888470b"


def upgrade():
    op.create_table(
        "solved_answers",
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topics.id"],
            name=op.f("fk_solved_answers_topic_id_topics"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_solved_answers_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"],
            ["users.id"],
            name=op.f("fk_solved_answers_accepted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("topic_id", name=op.f("pk_solved_answers")),
    )
    with op.batch_alter_table("solved_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_solved_answers_post_id"), ["post_id"], unique=False)


def downgrade():
    with op.batch_alter_table("solved_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_solved_answers_post_id"))
    op.drop_table("solved_answers")
