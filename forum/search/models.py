"""The search outbox and the PostgreSQL backend's document table."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, TextSearchVector, utcnow


class SearchOutbox(Base):
    """Index work written in the same transaction as the change it follows.

    ``kind`` is "post", "topic" or "category" (a topic or category fans out to
    its posts when processed). Rows are deleted once the index has them, so a
    failed index write leaves them here for the next attempt or a reindex.
    """

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    target_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Failed processing attempts; shown by ``flask --app forum search status``.
    attempts: Mapped[int] = mapped_column(default=0)


class SearchDocument(Base):
    """One post's text vector and filter columns for the PostgreSQL backend
    (empty on SQLite).

    A table of its own rather than an expression index: compound splitting and
    umlaut folding happen in Python before ``to_tsvector('german', ...)``, as
    Discourse keeps its ``post_search_data``. The filter columns (topic, read
    level, visibility flags, ...) are copies made when the post is indexed, as
    in the Whoosh index: a query ranks the matching rows of this one table
    without joining posts, topics and categories first. The outbox keeps them
    in step (a category's new read level re-indexes its posts).
    """

    __tablename__ = "search_documents"
    # Their PostgreSQL kinds and conditions: POSTGRESQL_INDEX_OPTIONS below.
    __table_args__ = (
        sa.Index("ix_search_documents_vector", "vector"),
        sa.Index("ix_search_documents_title", "title_vector"),
        # A guest's words: the public documents' lists alone (postgres_bounded.py).
        sa.Index("ix_search_documents_public", "vector"),
        # The title part's range of posts (the rows are written in post order).
        sa.Index("ix_search_documents_post_range", "post_id"),
        # The window of first posts (similar topics, `in:first`), without
        # reading the other nine posts in ten (postgres_bounded.py).
        sa.Index("ix_search_documents_first", "post_id", sqlite_where=sa.text("post_number = 1")),
        # A guest's window: the public documents' ids, the others' NULL (read
        # a fifth of the rows; postgres_bounded.PUBLIC_ID states the same).
        # PostgreSQL only (SQLite cannot reflect it), laid out as PostgreSQL
        # prints it back: Alembic compares the text without casts and spaces.
        sa.Index(
            "ix_search_documents_public_ids",
            sa.text("(\nCASE\n    WHEN level = 'public' THEN post_id\n    ELSE NULL\nEND)"),
        ).ddl_if(dialect="postgresql"),
        # "#category" and "@user" with a common word: the posts of the one
        # category or person, not every match tested (530 -> 14 ms at 1M).
        sa.Index("ix_search_documents_category", "category_id", "post_id"),
        sa.Index("ix_search_documents_user", "user_id", "post_id"),
    )

    post_id: Mapped[int] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    #: No index on topic_id: a B-tree there lets the planner walk it in topic
    #: order and test every row's vector, slower than the GIN index for every
    #: word.
    topic_id: Mapped[int]
    category_id: Mapped[int]
    user_id: Mapped[int]
    post_number: Mapped[int]
    #: The category's read level (forum.permissions).
    level: Mapped[str] = mapped_column(sa.String(20))
    #: Visibility flags (forum.permissions.POST_STATES) the post carries.
    #: The generic ARRAY (PostgreSQL's own once an engine compiles it): naming
    #: ``postgresql.ARRAY`` here would load that dialect in a SQLite worker;
    #: ``postgres_backend`` asks for its ``&&`` operator where it needs it.
    flags: Mapped[list[str]] = mapped_column(
        sa.ARRAY(sa.String(30)).with_variant(sa.JSON(), "sqlite")
    )
    closed: Mapped[bool]
    created_at: Mapped[datetime]
    like_count: Mapped[int]
    #: The plugins' ranking factor (``extra_search_boosts``), 1.0 for most.
    boost: Mapped[float] = mapped_column(sa.Float(), default=1.0, server_default=sa.text("1.0"))
    #: Title (weight A) and body (weight B) as a tsvector on PostgreSQL.
    vector: Mapped[str] = mapped_column(TextSearchVector())
    #: The title's part of ``vector`` in a topic's first post, else NULL: its
    #: index finds the topics whose title holds the words further back than
    #: the newest matches a text query ranks (postgres_backend.RANKED_TOPICS).
    title_vector: Mapped[str | None] = mapped_column(TextSearchVector())
    indexed_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchTerm(Base):
    """The lexemes of the PostgreSQL backend's documents and in how many
    documents each was written (empty on SQLite): "Did you mean …?" looks for
    a correction among the words sharing the first three letters here rather
    than with ``ts_stat`` over every document holding them (2.5 to 8 s at a
    million posts).

    A reindex writes it anew; indexing a post adds its lexemes and counts them
    again, and nothing is taken away when a post is edited or deleted, so the
    counts only order candidates. A candidate is offered only when a search
    for it finds a post the reader may see (forum/search/spelling.py).
    """

    __tablename__ = "search_terms"
    __table_args__ = (sa.Index("ix_search_terms_prefix", "word"),)

    word: Mapped[str] = mapped_column(sa.Text(), primary_key=True)
    documents: Mapped[int] = mapped_column(default=0)


#: The search indexes' options on PostgreSQL (kind of index, condition, storage,
#: operator class), given to them by ``use_postgresql_index_options`` when an app
#: runs on PostgreSQL. Written as ``postgresql_using=`` and the like in the
#: models, they made SQLAlchemy import its PostgreSQL dialect to check them,
#: and with it every driver's module (2.3 MB), in every SQLite worker. SQLite
#: ignores them: its indexes are the plain ones above.
POSTGRESQL_INDEX_OPTIONS = {
    "ix_search_documents_vector": {"using": "gin"},
    "ix_search_documents_title": {"using": "gin"},
    "ix_search_documents_public": {"using": "gin", "where": sa.text("level = 'public'")},
    "ix_search_documents_post_range": {
        "using": "brin",
        "with": {"pages_per_range": 16, "autosummarize": "on"},
    },
    "ix_search_documents_first": {"where": sa.text("post_number = 1")},
    "ix_search_terms_prefix": {"ops": {"word": "text_pattern_ops"}},
}


def use_postgresql_index_options() -> None:
    """Give the search tables' indexes their PostgreSQL options (before DDL or
    Alembic's comparison on PostgreSQL; doing it again changes nothing)."""
    for table in (SearchDocument.__table__, SearchTerm.__table__):
        for index in table.indexes:
            index.dialect_options["postgresql"].update(POSTGRESQL_INDEX_OPTIONS.get(index.name, {}))


class SearchMiss(Base):
    """How often a search found nothing, by words and day: what members look
    for and do not find (the admin dashboard shows it).

    Anonymous by design: no user, no address, no time of day. Rows older than
    the SEARCH_LOG_DAYS setting are deleted when a new miss is written.
    """

    __tablename__ = "search_misses"
    __table_args__ = (sa.UniqueConstraint("day", "term", name="uq_search_misses_day_term"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    #: The query as typed, lower case, spaces collapsed, cut to 100 characters.
    term: Mapped[str] = mapped_column(sa.String(100))
    #: How often the words found nothing that day.
    times: Mapped[int] = mapped_column(default=1)
