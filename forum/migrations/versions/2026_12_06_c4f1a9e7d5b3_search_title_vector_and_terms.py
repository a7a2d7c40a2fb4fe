"""search: first posts' title vectors and the vocabulary

Indexes on (category_id, post_id) and (user_id, post_id) serve "#category"
and "@user" with a common word. search_documents.title_vector (GIN-indexed) holds the title's part of a
topic's first post, so the bounded ranking of a common word still finds old
topics whose title holds it; search_terms holds the lexemes for "Did you mean
…?". Both are filled here from the existing vectors (PostgreSQL; empty on
SQLite), and by every reindex.

Revision ID: c4f1a9e7d5b3
Revises: c4e7a9d2f1b8
Create Date: 2026-12-06 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'c4f1a9e7d5b3'
down_revision = 'c4e7a9d2f1b8'
branch_labels = None
depends_on = None


def upgrade():
    vector = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_vector', vector, nullable=True))
    op.create_table('search_terms',
    sa.Column('word', sa.Text(), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('word', name=op.f('pk_search_terms'))
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE search_documents SET title_vector = ts_filter(vector, '{a}') "
            "WHERE post_number = 1"
        )
        op.execute(
            "INSERT INTO search_terms (word, documents) "
            "SELECT word, ndoc FROM ts_stat('SELECT vector FROM search_documents')"
        )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index(
            'ix_search_documents_title', ['title_vector'], unique=False, postgresql_using='gin'
        )
        batch_op.create_index(
            'ix_search_documents_category', ['category_id', 'post_id'], unique=False
        )
        batch_op.create_index('ix_search_documents_user', ['user_id', 'post_id'], unique=False)
    with op.batch_alter_table('search_terms', schema=None) as batch_op:
        batch_op.create_index(
            'ix_search_terms_prefix', ['word'], unique=False,
            postgresql_ops={'word': 'text_pattern_ops'},
        )


def downgrade():
    with op.batch_alter_table('search_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_search_terms_prefix')
    op.drop_table('search_terms')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_search_documents_user')
        batch_op.drop_index('ix_search_documents_category')
        batch_op.drop_index('ix_search_documents_title', postgresql_using='gin')
        batch_op.drop_column('title_vector')
