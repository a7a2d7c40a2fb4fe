"""search documents carry a ranking boost

The plugins' ranking factor of a post (``extra_search_boosts``: the solved
plugin counts solved topics a little more), 1.0 for most; reindex to fill it.

Revision ID: e3a9c1f5b7d2
Revises: b5e2f8a41c07
Create Date: 2026-12-06 10:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3a9c1f5b7d2'
down_revision = 'b5e2f8a41c07'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('boost', sa.Float(), server_default=sa.text('1.0'), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_column('boost')
