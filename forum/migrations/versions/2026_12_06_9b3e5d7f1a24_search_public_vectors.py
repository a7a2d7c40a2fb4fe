"""search: a GIN index of the public documents' vectors

A guest reads only the public documents. At a million posts with a fifth
of them public, two common words ("Fahrdienst Meinersen") needed a window
of ~130,000 posts read row by row (~150 ms) to find enough public matches,
and the whole index's lists of both words were longer still; this index
holds the public documents alone (postgres_bounded.py).

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


def downgrade():
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_search_documents_public",
            postgresql_using="gin",
            postgresql_where=sa.text("level = 'public'"),
        )
