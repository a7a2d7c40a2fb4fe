"""people admin: login records, deleted accounts, list indexes

A small record of successful log-ins (address and time, kept LOGIN_RECORD_DAYS),
``account_deletions`` for anonymised accounts, and indexes the admin's list of
people sorts by.

Revision ID: 7c41d2a9e0b3
Revises: a7d3c5e9f214
Create Date: 2026-12-06 07:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c41d2a9e0b3'
down_revision = 'a7d3c5e9f214'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_records_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_records'))
    )
    with op.batch_alter_table('login_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_records_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_login_records_user_created', ['user_id', 'created_at'], unique=False)

    op.create_table('account_deletions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_deletions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_account_deletions'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_created_at', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_users_last_seen_at', ['last_seen_at', 'id'], unique=False)
        batch_op.create_index('ix_users_post_count', ['post_count', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_post_count')
        batch_op.drop_index('ix_users_last_seen_at')
        batch_op.drop_index('ix_users_created_at')
    op.drop_table('account_deletions')

    with op.batch_alter_table('login_records', schema=None) as batch_op:
        batch_op.drop_index('ix_login_records_user_created')
        batch_op.drop_index(batch_op.f('ix_login_records_created_at'))

    op.drop_table('login_records')
