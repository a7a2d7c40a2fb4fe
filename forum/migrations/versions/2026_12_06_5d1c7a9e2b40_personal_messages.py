"""personal messages

Participants of private conversations (topics in the hidden messages
category, read level "private"), members a member ignores, and the choice
whether members may write to someone.

Revision ID: 5d1c7a9e2b40
Revises: 7c41d2a9e0b3
Create Date: 2026-12-06 07:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1c7a9e2b40'
down_revision = '7c41d2a9e0b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('message_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_message_participants_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_message_participants_topic_id_topics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_message_participants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_participants')),
    sa.UniqueConstraint('topic_id', 'user_id', name='uq_message_participants_topic_user')
    )
    with op.batch_alter_table('message_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_participants_user_id'), ['user_id'], unique=False)

    op.create_table('ignored_users',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ignored_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ignored_id'], ['users.id'], name=op.f('fk_ignored_users_ignored_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ignored_users_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'ignored_id', name=op.f('pk_ignored_users'))
    )
    with op.batch_alter_table('ignored_users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ignored_users_ignored_id'), ['ignored_id'], unique=False)

    op.create_table('message_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('from_members', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_message_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_message_preferences'))
    )


def downgrade():
    op.drop_table('message_preferences')
    with op.batch_alter_table('ignored_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ignored_users_ignored_id'))

    op.drop_table('ignored_users')
    with op.batch_alter_table('message_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_participants_user_id'))

    op.drop_table('message_participants')
