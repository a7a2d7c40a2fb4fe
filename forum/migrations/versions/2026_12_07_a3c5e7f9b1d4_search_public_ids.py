"""search: an index of the public documents' post ids

A guest finds the public documents only, about a fifth at a million posts.
Her window of the newest posts was read row by row through the primary key
and four rows in five thrown away for their level (one common word: 14,500
rows, ~20 ms). This index holds the post id of a public document and NULL
for the others: the window is a range of it, the public rows alone.

An expression, not a partial index: the planner read a partial index of
the ids (``WHERE level = 'public'``) whole, in place of the public GIN
index, for a guest's query ranking every match (220,000 rows, 500 ms); with
a condition of the window's own in its predicate (``post_id > 0``), the
title part's range of ids implied it and read it row by row (33,000 rows).
Only the window states this expression (postgres_bounded.PUBLIC_ID).
PostgreSQL only: the SQLite backend (Whoosh) has no use for it.

Revision ID: a3c5e7f9b1d4
Revises: e5a1c3b7d9f2
Create Date: 2026-12-07 13:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a3c5e7f9b1d4"
down_revision = "e5a1c3b7d9f2"
branch_labels = None
depends_on = None


def upgrade():
    # The PostgreSQL backend's alone (SQLite cannot reflect an expression index).
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_index(
        "ix_search_documents_public_ids",
        "search_documents",
        [sa.text("(CASE WHEN level = 'public' THEN post_id END)")],
        unique=False,
    )
    # The planner's statistics of the expression (until ANALYZE it has none).
    op.execute("ANALYZE search_documents")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_search_documents_public_ids", table_name="search_documents")
