"""notification jobs

The fan-out of a post, edit or like as a row written in the same transaction
(forum/notifications/outbox.py): a worker killed before it told the watchers
leaves the job for `mail send` (cron) instead of losing it.

Revision ID: b8e4f2a6d1c3
Revises: d8d0bb51108c
Create Date: 2026-12-06 17:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8e4f2a6d1c3'
down_revision = 'd8d0bb51108c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_jobs'))
    )
    with op.batch_alter_table('notification_jobs', schema=None) as batch_op:
        batch_op.create_index('ix_notification_jobs_due', ['failed_at', 'next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('notification_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_jobs_due')

    op.drop_table('notification_jobs')
