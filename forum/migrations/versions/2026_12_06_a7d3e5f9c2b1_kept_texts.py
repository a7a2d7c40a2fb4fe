"""kept texts

What a guest typed (a message to an organisation, a question) kept on the
server through registering, under a random key the session holds
(forum/kept.py): in the session cookie itself 2,000 characters of non-Latin
text passed the 4 KB a browser keeps.

Revision ID: a7d3e5f9c2b1
Revises: f2c8d4a61e93
Create Date: 2026-12-06 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d3e5f9c2b1'
down_revision = 'f2c8d4a61e93'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kept_texts',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_kept_texts'))
    )
    with op.batch_alter_table('kept_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kept_texts_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('kept_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kept_texts_created_at'))

    op.drop_table('kept_texts')
