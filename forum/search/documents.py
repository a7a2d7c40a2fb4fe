"""What a search document holds, read from the database for both backends.

One document per post. It carries the topic's title, the post's text and
everything the query filters on, including the *visibility flags*: the post's
states from ``forum.permissions.POST_STATES`` (deleted, hidden, ...). The
permission filter excludes documents with a flag the searcher may not find
(``permissions.findable_states``).

A new state (say a moderation column ``Post.pending_at``) is one line in
``permissions.POST_STATES``: the outbox watches its columns automatically,
and both backends report that the index needs a reindex (``flags_signature``).
"""

import hashlib
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.visitors import iterate

from forum import permissions
from forum.boards.models import Category, Post, Topic
from forum.plugins import search_boosts, search_fields
from forum.search.backend import clamp_boost

#: name -> SQL condition on Post and Topic, true when the post is kept from
#: some readers: the states forum.permissions defines.
FLAGS: dict[str, sa.ColumnElement[bool]] = permissions.POST_STATES


def readable_levels(user: Any) -> tuple[str, ...]:
    """Return the documents' levels this user may find (Criteria.levels)."""
    return tuple(str(level) for level in permissions.readable_levels(user))


def excluded_flags(user: Any) -> frozenset[str]:
    """Return the flags that keep a document from this user's results."""
    return frozenset(FLAGS) - permissions.findable_states(user)


def flags_signature() -> str:
    """Return a fingerprint of the flags' names and conditions; indexes built
    under another one lack or misplace flags and need a reindex."""
    text = "\n".join(f"{name}: {condition}" for name, condition in sorted(FLAGS.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


#: The flags of indexes written before their signature was recorded.
FIRST_FLAGS_SIGNATURE = "0aaa1e99f89029e4"


def watched_columns() -> dict[type, set[str]]:
    """Return, per model, the attributes whose change needs reindexing."""
    watched = {
        Post: {"raw", "cooked", "topic_id", "user_id", "post_number"},
        Topic: {"title", "category_id", "closed", "user_id"},
        Category: {"read_level", "parent_id"},
    }
    for condition in FLAGS.values():
        for column in iterate(condition):
            for model in watched:
                if isinstance(column, sa.Column) and column.table is model.__table__:
                    watched[model].add(column.key)
    return watched


@dataclass
class Document:
    post_id: int
    topic_id: int
    category_id: int
    user_id: int
    post_number: int
    level: str
    flags: list[str]
    closed: bool
    created_at: datetime
    like_count: int
    title: str
    text: str
    #: The plugins' ranking factor (``extra_search_boosts``), 1.0 for most.
    boost: float = 1.0


_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def plain_text(cooked: str) -> str:
    """Return the readable text of cooked HTML (tags dropped, entities decoded)."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", cooked))).strip()


def document_query() -> sa.Select:
    """Return the SELECT that yields one row per post with everything a document needs."""
    return (
        sa.select(
            Post.id,
            Post.topic_id,
            Topic.category_id,
            Post.user_id,
            Post.post_number,
            Category.read_level,
            Topic.closed,
            Post.created_at,
            Post.like_count,
            Topic.title,
            Post.cooked,
            *(condition.label(f"flag_{name}") for name, condition in FLAGS.items()),
        )
        .join(Topic, Topic.id == Post.topic_id)
        .join(Category, Category.id == Topic.category_id)
    )


#: Posts per call of the plugins' extra_search_fields hook.
PLUGIN_BATCH = 500


def documents(session, condition: sa.ColumnElement[bool] | None = None) -> Iterator[Document]:
    """Yield the documents of the posts matching ``condition`` (all when None)."""
    query = document_query()
    if condition is not None:
        query = query.where(condition)
    result = session.execute(query.order_by(Post.id).execution_options(yield_per=2000))
    for rows in result.partitions(PLUGIN_BATCH):
        # Plugins add words in one call per batch (the extra_search_fields hook).
        batch = [(row.id, row.topic_id, row.post_number) for row in rows]
        extra = search_fields(batch, session)
        boosts = search_boosts(batch, session)
        for row in rows:
            text = plain_text(row.cooked)
            yield Document(
                post_id=row.id,
                topic_id=row.topic_id,
                category_id=row.category_id,
                user_id=row.user_id,
                post_number=row.post_number,
                level=str(row.read_level),
                flags=[name for name in FLAGS if row._mapping[f"flag_{name}"]],
                closed=bool(row.closed),
                created_at=row.created_at,
                like_count=row.like_count,
                title=row.title,
                text=f"{text} {extra[row.id]}" if row.id in extra else text,
                boost=clamp_boost(boosts[row.id]) if row.id in boosts else 1.0,
            )
