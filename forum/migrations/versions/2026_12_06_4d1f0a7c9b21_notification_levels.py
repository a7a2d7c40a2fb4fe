"""notification levels, posts of notifications

Watching levels per topic (topic_users.notification_level) and per category
(category_users), the member's default level for topics they write in
(notification_settings), and the post a notification is about.

Revision ID: 4d1f0a7c9b21
Revises: 5d1c7a9e2b40
Create Date: 2026-12-06 07:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d1f0a7c9b21'
down_revision = '5d1c7a9e2b40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('category_users',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_category_users_category_id_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_category_users_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'category_id', name=op.f('pk_category_users'))
    )
    with op.batch_alter_table('category_users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_category_users_category_id'), ['category_id'], unique=False)

    op.create_table('notification_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('topic_level', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_settings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_settings'))
    )
    with op.batch_alter_table('topic_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notification_level', sa.SmallInteger(), nullable=True))

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('post_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_post_id_posts'), 'posts', ['post_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index('ix_notifications_user_post', ['user_id', 'post_id'], unique=False)


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_post')
        batch_op.drop_constraint(batch_op.f('fk_notifications_post_id_posts'), type_='foreignkey')
        batch_op.drop_column('post_id')

    with op.batch_alter_table('topic_users', schema=None) as batch_op:
        batch_op.drop_column('notification_level')

    op.drop_table('notification_settings')
    with op.batch_alter_table('category_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_category_users_category_id'))

    op.drop_table('category_users')
