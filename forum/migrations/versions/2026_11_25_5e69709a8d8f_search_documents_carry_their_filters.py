"""search documents carry their filters

The PostgreSQL backend ranks the rows of search_documents alone: each row gets
copies of what queries filter on (as the Whoosh index has them). Existing rows
are filled from posts, topics and categories; the visibility flags are the
ones forum/search/documents.py had when this was written.

Revision ID: 5e69709a8d8f
Revises: c3be5888470b
Create Date: 2026-11-25 12:20:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '5e69709a8d8f'
down_revision = 'c3be5888470b'
branch_labels = None
depends_on = None

COLUMNS = {
    "topic_id": sa.Integer(),
    "category_id": sa.Integer(),
    "user_id": sa.Integer(),
    "post_number": sa.Integer(),
    "level": sa.String(length=20),
    "flags": postgresql.ARRAY(sa.String(length=30)).with_variant(sa.JSON(), "sqlite"),
    "closed": sa.Boolean(),
    "created_at": sa.DateTime(timezone=True),
    "like_count": sa.Integer(),
}

BACKFILL = """
UPDATE search_documents AS d
SET topic_id = p.topic_id,
    category_id = t.category_id,
    user_id = p.user_id,
    post_number = p.post_number,
    level = c.read_level,
    flags = array_remove(ARRAY[
        CASE WHEN p.deleted_at IS NOT NULL THEN 'post_deleted' END,
        CASE WHEN p.hidden_at IS NOT NULL THEN 'post_hidden' END,
        CASE WHEN t.deleted_at IS NOT NULL THEN 'topic_deleted' END,
        CASE WHEN t.unlisted THEN 'topic_unlisted' END
    ]::varchar(30)[], NULL),
    closed = t.closed,
    created_at = p.created_at,
    like_count = p.like_count
FROM posts AS p
JOIN topics AS t ON t.id = p.topic_id
JOIN categories AS c ON c.id = t.category_id
WHERE p.id = d.post_id
"""


def upgrade():
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        for name, type_ in COLUMNS.items():
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    # Only PostgreSQL has rows: the SQLite table stays empty (Whoosh serves it).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(BACKFILL)
    else:
        op.execute("DELETE FROM search_documents")
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.alter_column(name, existing_type=COLUMNS[name], nullable=False)


def downgrade():
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
