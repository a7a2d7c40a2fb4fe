"""search: a GIN index of the public documents' vectors, a BRIN index of post ids

A guest reads only the public documents. At a million posts with a fifth
of them public, two common words ("Fahrdienst Meinersen") needed a window
of ~130,000 posts read row by row (~150 ms) to find enough public matches,
and the whole index's lists of both words were longer still; this index
holds the public documents alone (postgres_bounded.py).

The BRIN index (a few pages; the rows are written in post order) gives the
title part of the ranking its range of posts: the B-tree's bitmap of the
newest 150,000 posts took 11-15 ms for each query, the BRIN's under 1.

Revision ID: 9b3e5d7f1a24
Revises: c4f1a9e7d5b3
Create Date: 2026-12-06 23:30:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "9b3e5d7f1a24"
down_revision = "c4f1a9e7d5b3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_search_documents_public",
            ["vector"],
            unique=False,
            postgresql_using="gin",
            postgresql_where=sa.text("level = 'public'"),
        )
        batch_op.create_index(
            "ix_search_documents_post_range",
            ["post_id"],
            unique=False,
            postgresql_using="brin",
            postgresql_with={"pages_per_range": 16, "autosummarize": "on"},
        )


def downgrade():
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_search_documents_post_range", postgresql_using="brin")
        batch_op.drop_index(
            "ix_search_documents_public",
            postgresql_using="gin",
            postgresql_where=sa.text("level = 'public'"),
        )
