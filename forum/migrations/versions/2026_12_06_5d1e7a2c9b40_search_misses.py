"""search misses

An anonymous log of searches that found nothing (words, day, how often), shown on
the admin dashboard and kept for SEARCH_LOG_DAYS.

Revision ID: 5d1e7a2c9b40
Revises: c4a7e51d9b20
Create Date: 2026-12-06 07:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1e7a2c9b40'
down_revision = 'c4a7e51d9b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_misses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('term', sa.String(length=100), nullable=False),
    sa.Column('times', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_misses')),
    sa.UniqueConstraint('day', 'term', name='uq_search_misses_day_term')
    )


def downgrade():
    op.drop_table('search_misses')
