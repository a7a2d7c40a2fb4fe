"""uploads

Uploaded files (forum/uploads): one row per stored file, the smaller sizes of
a picture pointing at the largest; which posts use which upload; a member's
uploaded avatar as two storage keys on the account.

Revision ID: d81f3c6a2b47
Revises: 3f9a6c1e7d52
Create Date: 2026-12-06 10:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd81f3c6a2b47'
down_revision = '3f9a6c1e7d52'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['uploads.id'], name=op.f('fk_uploads_parent_id_uploads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_uploads_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_uploads')),
    sa.UniqueConstraint('key', name=op.f('uq_uploads_key'))
    )
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_uploads_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_uploads_user_created', ['user_id', 'created_at'], unique=False)

    op.create_table('post_uploads',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('upload_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_uploads_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['upload_id'], ['uploads.id'], name=op.f('fk_post_uploads_upload_id_uploads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', 'upload_id', name=op.f('pk_post_uploads'))
    )
    with op.batch_alter_table('post_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_uploads_upload_id'), ['upload_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('avatar_key', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('avatar_small_key', sa.String(length=80), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('avatar_small_key')
        batch_op.drop_column('avatar_key')

    with op.batch_alter_table('post_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_uploads_upload_id'))

    op.drop_table('post_uploads')
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.drop_index('ix_uploads_user_created')
        batch_op.drop_index(batch_op.f('ix_uploads_parent_id'))

    op.drop_table('uploads')
