"""category settings: reply level, topic template, sort, holding, archive

The admin area edits every category setting (forum/admin/categories.py);
these columns make each of them change what members see.

Revision ID: c4a7e51d9b20
Revises: e88ceb26e40b
Create Date: 2026-12-06 07:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a7e51d9b20'
down_revision = 'e88ceb26e40b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description_cooked', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reply_level', sa.Enum('members', 'staff', name='writelevel', native_enum=False, length=20), nullable=False, server_default='members'))
        batch_op.add_column(sa.Column('topic_template', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('default_sort', sa.Enum('latest', 'newest', 'replies', name='topicsort', native_enum=False, length=20), nullable=False, server_default='latest'))
        batch_op.add_column(sa.Column('hold_new_member_topics', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('categories', schema=None) as batch_op:
        for column in ('description_cooked', 'reply_level', 'topic_template', 'default_sort', 'hold_new_member_topics'):
            batch_op.alter_column(column, server_default=None)
    # Existing descriptions were shown as plain text; as markdown they read the same.
    categories = sa.table('categories', sa.column('id', sa.Integer), sa.column('description', sa.Text), sa.column('description_cooked', sa.Text))
    connection = op.get_bind()
    from markupsafe import escape

    for category_id, description in connection.execute(sa.select(categories.c.id, categories.c.description)):
        if description:
            connection.execute(
                categories.update().where(categories.c.id == category_id).values(description_cooked=f"<p>{escape(description)}</p>")
            )
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.create_index('ix_topics_category_created', ['category_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_topics_category_posts', ['category_id', 'posts_count', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_index('ix_topics_category_posts')
        batch_op.drop_index('ix_topics_category_created')
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
        batch_op.drop_column('hold_new_member_topics')
        batch_op.drop_column('default_sort')
        batch_op.drop_column('topic_template')
        batch_op.drop_column('reply_level')
        batch_op.drop_column('description_cooked')
