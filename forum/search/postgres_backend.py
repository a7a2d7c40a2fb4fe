"""The scale-out backend: PostgreSQL full-text search ('german' configuration).

Each post's vector lives in ``search_documents`` (GIN-indexed), built from the
title (weight A) and the text (weight B) after Python added umlaut folding and
compound parts. Filters and permissions are live joins on posts, topics and
categories, so a category's new access level applies at once. Several app
servers share it; processors serialise on an advisory lock.
"""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from forum.boards.models import Category, Post, Topic
from forum.db import utcnow
from forum.search.analysis import Splitter, expanded_text, fold
from forum.search.backend import Criteria, Hit, Hits, Progress
from forum.search.documents import FLAGS, Document
from forum.search.models import SearchDocument

CONFIG = "german"
#: Any constant: processors of the outbox take this transaction-level lock.
ADVISORY_LOCK = 0x5EA4C4
BATCH = 1000
# setweight() takes a "char"; a bound VARCHAR parameter would not match.
_WEIGHT_A = sa.literal_column("'A'")
_WEIGHT_B = sa.literal_column("'B'")


class PostgresBackend:
    name = "postgres"

    def __init__(self, engine: sa.Engine, splitter: Splitter) -> None:
        if engine.dialect.name != "postgresql":
            raise RuntimeError(
                "SEARCH_BACKEND = 'postgres' needs a PostgreSQL database, but "
                f"SQLALCHEMY_DATABASE_URI is {engine.dialect.name}. Use SEARCH_BACKEND = "
                "'whoosh' with SQLite."
            )
        self.engine = engine
        self.splitter = splitter

    def close(self) -> None:
        pass

    def needs_rebuild(self) -> bool:
        return False  # the vectors' layout is the migrations' business

    # --- Writing -----------------------------------------------------------------------

    def _vector(self, document: Document):
        title = sa.func.setweight(
            sa.func.to_tsvector(CONFIG, expanded_text(document.title, self.splitter)), _WEIGHT_A
        )
        body = sa.func.setweight(
            sa.func.to_tsvector(CONFIG, expanded_text(document.text, self.splitter)), _WEIGHT_B
        )
        return title.op("||")(body)

    def _upsert(self, session, documents) -> int:
        count = 0
        batch: list[Document] = []

        def flush() -> None:
            if not batch:
                return
            values = [
                {"post_id": d.post_id, "vector": self._vector(d), "indexed_at": utcnow()}
                for d in batch
            ]
            statement = insert(SearchDocument).values(values)
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=[SearchDocument.post_id],
                    set_={"vector": statement.excluded.vector, "indexed_at": utcnow()},
                )
            )
            batch.clear()

        for document in documents:
            batch.append(document)
            count += 1
            if len(batch) >= BATCH:
                flush()
        flush()
        return count

    def apply(self, session, load):
        """Serialise with other processors, then ``load()`` the outbox batch and write it.

        The caller commits, together with deleting the outbox rows.
        """
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(ADVISORY_LOCK)))
        rows, work = load()
        # Rows of deleted posts go with them (ON DELETE CASCADE).
        self._upsert(session, work.documents)
        return rows

    def rebuild(self, session, load, progress: Progress | None = None) -> int:
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(ADVISORY_LOCK)))
        session.execute(sa.delete(SearchDocument))

        def counted():
            for document in load():
                if progress is not None:
                    progress(1)
                yield document

        return self._upsert(session, counted())

    def document_count(self) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(sa.select(sa.func.count()).select_from(SearchDocument)) or 0

    # --- Searching ---------------------------------------------------------------------

    def _tsquery(self, criteria: Criteria):
        parts = [
            sa.func.plainto_tsquery(CONFIG, " ".join(fold(w) for w in word.split()))
            for word in criteria.raw_words
        ]
        parts += [
            sa.func.phraseto_tsquery(CONFIG, " ".join(fold(w) for w in phrase.split()))
            for phrase in criteria.raw_phrases
        ]
        tsquery = parts[0]
        for part in parts[1:]:
            tsquery = tsquery.op("&&")(part)
        return tsquery

    def _conditions(self, criteria: Criteria) -> list:
        conditions = [Category.read_level.in_(criteria.levels)]
        conditions += [~FLAGS[name] for name in sorted(criteria.excluded_flags)]
        if criteria.user_ids:
            conditions.append(Post.user_id.in_(criteria.user_ids))
        if criteria.category_ids is not None:
            conditions.append(Topic.category_id.in_(criteria.category_ids))
        if criteria.topic_id is not None:
            conditions.append(Post.topic_id == criteria.topic_id)
        if criteria.in_first:
            conditions.append(Post.post_number == 1)
        if criteria.closed is not None:
            conditions.append(Topic.closed.is_(criteria.closed))
        if criteria.after:
            conditions.append(Post.created_at >= criteria.after)
        if criteria.before:
            conditions.append(Post.created_at < criteria.before)
        return conditions + list(criteria.conditions)

    def search(self, criteria: Criteria, offset: int, limit: int) -> Hits:
        from forum.extensions import db

        conditions = self._conditions(criteria)
        query = (
            sa.select(Post.id, Post.topic_id)
            .join(Topic, Topic.id == Post.topic_id)
            .join(Category, Category.id == Topic.category_id)
        )
        if criteria.has_text:
            tsquery = self._tsquery(criteria)
            query = query.join(SearchDocument, SearchDocument.post_id == Post.id)
            conditions.append(SearchDocument.vector.op("@@")(tsquery))
            if criteria.in_title:
                title_only = sa.func.ts_filter(SearchDocument.vector, sa.literal_column("'{a}'"))
                conditions.append(title_only.op("@@")(tsquery))
            rank = sa.func.ts_rank(SearchDocument.vector, tsquery)
        else:
            rank = sa.literal(0.0)
        order = {
            "relevance": (rank.desc(), Post.created_at.desc()),
            "latest": (Post.created_at.desc(),),
            "oldest": (Post.created_at.asc(),),
            "likes": (Post.like_count.desc(), rank.desc()),
        }[criteria.order if criteria.has_text or criteria.order != "relevance" else "latest"]
        matches = (
            query.add_columns(
                rank.label("rank"),
                Post.created_at.label("created_at"),
                Post.like_count.label("like_count"),
                sa.func.row_number()
                .over(partition_by=Post.topic_id, order_by=order)
                .label("position"),
            )
            .where(*conditions)
            .subquery()
        )
        outer_order = {
            "relevance": (matches.c.rank.desc(), matches.c.created_at.desc()),
            "latest": (matches.c.created_at.desc(),),
            "oldest": (matches.c.created_at.asc(),),
            "likes": (matches.c.like_count.desc(), matches.c.rank.desc()),
        }[criteria.order if criteria.has_text or criteria.order != "relevance" else "latest"]
        rows = db.session.execute(
            sa.select(
                matches.c.id,
                matches.c.topic_id,
                matches.c.rank,
                sa.func.count().over().label("total"),
            )
            .where(matches.c.position == 1)
            .order_by(*outer_order, matches.c.topic_id)
            .offset(offset)
            .limit(limit)
        ).all()
        if not rows:
            total = 0
            if offset:
                total = db.session.scalar(
                    sa.select(sa.func.count()).select_from(matches).where(matches.c.position == 1)
                )
            return Hits(total or 0, [])
        return Hits(
            total=rows[0].total,
            hits=[Hit(topic_id=r.topic_id, post_id=r.id, score=float(r.rank)) for r in rows],
        )
