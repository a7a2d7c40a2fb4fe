"""feed keys

One row per member who asked for new personal feed addresses: the
generation signed into the addresses (forum/api/feed_keys.py).

Revision ID: b5e2f8a41c07
Revises: 7c41d2a9e0b3
Create Date: 2026-12-06 08:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5e2f8a41c07'
down_revision = '7c41d2a9e0b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feed_keys',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('renewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feed_keys_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_feed_keys'))
    )


def downgrade():
    op.drop_table('feed_keys')
