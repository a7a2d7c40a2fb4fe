"""A reply's writes as statements built once per database, run by ``create_post``.

A reply is the forum's most frequent write. Under load most of its CPU went to
SQLAlchemy rather than to the database: building each statement anew
(coercing columns, generating its cache key), the ORM's handling of DML and
the flush of one ``Post``. These are the same writes as Core statements with
bound parameters, built once per process and kind of database, and run on
``db.session`` (so the submission claim, forum/idempotency.py, and the page
cache still see each write):

- the topic's counters, taking the reply's number (``UPDATE … RETURNING``);
- the post, with its search outbox row and notification job (the rows the
  ORM flush's events wrote, forum/search/outbox.py and
  forum/notifications/outbox.py): on PostgreSQL one statement, data-modifying
  CTEs, one round trip inside the topic's row lock instead of three;
- the author's counters, the read position and the category's counters: on
  PostgreSQL one statement (data-modifying CTEs), the category's row, which
  every reply in the category locks, last.

Nothing here commits.
"""

import functools
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from forum import outboxes
from forum.boards.models import Category, Post, Topic, TopicUser
from forum.db import dialect_insert, utcnow
from forum.extensions import db
from forum.notifications.models import NotificationJob
from forum.search.models import SearchOutbox
from forum.users.models import User

_posts, _topics, _categories = Post.__table__, Topic.__table__, Category.__table__
_users, _topic_users = User.__table__, TopicUser.__table__
_outbox, _jobs = SearchOutbox.__table__, NotificationJob.__table__


def add_post(
    author: User, topic: Topic, raw: str, cooked: str, *, reply_to: int | None, now: datetime
) -> Post:
    """Take the reply's number, write the post and its outbox rows; return the post.

    The topic's changed columns are set from the UPDATE's answer; the post is
    in the session as if it had been loaded.
    """
    session = db.session()
    written = utcnow()
    search, jobs = outboxes.search_enabled(), outboxes.jobs_enabled()
    chosen = statements(session.get_bind().dialect.name, search=search, jobs=jobs)
    values = {
        "topic_id": topic.id, "author_id": author.id, "raw": raw, "cooked": cooked,
        "reply_to": reply_to, "now": now, "written": written,
        "due": outboxes.job_due(written) if jobs else None,
    }  # fmt: skip
    number, count = session.execute(chosen.number, values).one()
    for name, value in (("highest_post_number", number), ("posts_count", count),
                        ("bumped_at", now), ("last_posted_at", now),
                        ("last_post_user_id", author.id)):  # fmt: skip
        set_committed_value(topic, name, value)
    values["post_number"] = number
    row = session.execute(chosen.post, values).one()
    post_id, job_id = row[0], (row[1] if len(row) > 1 else None)
    values["post_id"] = post_id
    if search and chosen.outbox_row is not None:
        session.execute(chosen.outbox_row, values)
    if jobs and chosen.job_row is not None:
        job_id = session.execute(chosen.job_row, values).scalar_one()
    if search:
        outboxes.search_rows_written(session)
    if jobs:
        outboxes.jobs_written(session, [(job_id, "post", post_id)])
    post = Post(
        id=post_id, topic_id=topic.id, user_id=author.id, post_number=number,
        reply_to_post_number=reply_to, raw=raw, cooked=cooked, created_at=now, updated_at=now,
        version=1, like_count=0, reply_count=0, hidden_at=None, deleted_at=None,
        deleted_by_id=None,
    )  # fmt: skip
    make_transient_to_detached(post)
    session.add(post)  # persistent, nothing to flush
    set_committed_value(post, "topic", topic)
    set_committed_value(post, "user", author)
    return post


def count_post(author: User, topic: Topic, post: Post, *, own: int) -> None:
    """Add the reply to its author's and category's counters and move the author's read
    position (the category's row last: every reply in the category locks it)."""
    session = db.session()
    dialect = session.get_bind().dialect.name
    values = {
        "author_id": author.id, "topic_id": topic.id, "category_id": topic.category_id,
        "post_number": post.post_number, "now": post.created_at,
        "visited": utcnow(),  # the read position's time is now, even for an older post
    }  # fmt: skip
    for statement in counters(dialect, own=bool(own)):
        session.execute(statement, values)
    # Not updated in the session: read again only if somebody looks.
    session.expire(author, ["post_count", "published_post_count"])
    session.expire(topic.category, ["post_count", "last_posted_at"])


def _param(name: str, column: sa.Column) -> sa.BindParameter:
    return sa.bindparam(name, type_=column.type)


@dataclass(frozen=True)
class Statements:
    """One kind of database's statements for a new reply (parameters: ``add_post``'s)."""

    #: The topic's counters; returns the reply's number and the topic's post count.
    number: sa.Update
    #: The post (on PostgreSQL with its outbox row and its job); returns the
    #: post's id, then the job's id when the job is in it.
    post: sa.Insert
    #: SQLite: the outbox row and the job (returning its id), after the post.
    outbox_row: sa.Insert | None
    job_row: sa.Insert | None


def _number() -> sa.Update:
    return (
        sa.update(_topics)
        .where(_topics.c.id == _param("topic_id", _topics.c.id))
        .values(
            highest_post_number=_topics.c.highest_post_number + 1,
            posts_count=_topics.c.posts_count + 1,
            bumped_at=_param("now", _topics.c.bumped_at),
            last_posted_at=_param("now", _topics.c.last_posted_at),
            last_post_user_id=_param("author_id", _topics.c.last_post_user_id),
        )
        .returning(_topics.c.highest_post_number, _topics.c.posts_count)
    )


def _post_insert() -> sa.Insert:
    c = _posts.c
    return sa.insert(_posts).values(
        topic_id=_param("topic_id", c.topic_id),
        user_id=_param("author_id", c.user_id),
        post_number=_param("post_number", c.post_number),
        reply_to_post_number=_param("reply_to", c.reply_to_post_number),
        raw=_param("raw", c.raw),
        cooked=_param("cooked", c.cooked),
        created_at=_param("now", c.created_at),
        updated_at=_param("now", c.updated_at),
        version=1, like_count=0, reply_count=0,
    )  # fmt: skip


def _outbox_columns(post_id) -> tuple[list[str], list]:
    return ["kind", "target_id", "created_at", "attempts"], [
        sa.literal("post", _outbox.c.kind.type), post_id,
        _param("written", _outbox.c.created_at), sa.literal(0),
    ]  # fmt: skip


def _job_columns(post_id) -> tuple[list[str], list]:
    return [
        "kind", "post_id", "actor_id", "created_at", "next_attempt_at", "attempts", "last_error",
    ], [
        sa.literal("post", _jobs.c.kind.type), post_id, _param("author_id", _jobs.c.actor_id),
        _param("written", _jobs.c.created_at), _param("due", _jobs.c.next_attempt_at),
        sa.literal(0), sa.literal(""),
    ]  # fmt: skip


def _post_with_rows(search: bool, jobs: bool) -> sa.Insert:
    """PostgreSQL: the post, its outbox row and its job in one statement."""
    new_post = _post_insert().returning(_posts.c.id).cte("new_post")
    names, columns = _outbox_columns(new_post.c.id)
    outbox = sa.insert(_outbox).from_select(names, sa.select(*columns))
    if not jobs:
        return outbox.returning(_outbox.c.target_id).add_cte(new_post)
    names, columns = _job_columns(new_post.c.id)
    job = sa.insert(_jobs).from_select(names, sa.select(*columns))
    ctes = [new_post, outbox.cte("outbox")] if search else [new_post]
    return job.returning(_jobs.c.post_id, _jobs.c.id).add_cte(*ctes)


def _row(table: sa.Table, names_and_columns: tuple[list[str], list]) -> sa.Insert:
    names, columns = names_and_columns
    return sa.insert(table).values(dict(zip(names, columns, strict=True)))


@functools.cache
def statements(dialect: str, *, search: bool, jobs: bool) -> Statements:
    """Return the statements that write a reply on ``dialect`` ("postgresql", "sqlite").

    ``search``, ``jobs``: write its search outbox row, its notification job.
    """
    if dialect == "postgresql" and (search or jobs):
        return Statements(_number(), _post_with_rows(search, jobs), None, None)
    post_id = _param("post_id", _posts.c.id)
    return Statements(
        _number(),
        _post_insert().returning(_posts.c.id),
        _row(_outbox, _outbox_columns(post_id)),
        _row(_jobs, _job_columns(post_id)).returning(_jobs.c.id),
    )


@functools.cache
def counters(dialect: str, *, own: bool) -> tuple[sa.Executable, ...]:
    """Return the reply's counter statements: one on PostgreSQL (data-modifying CTEs),
    else three; ``own``: it counts for its author."""
    insert = dialect_insert(dialect)
    visited = _param("visited", _topic_users.c.last_visited_at)
    read = insert(_topic_users).values(
        user_id=_param("author_id", _topic_users.c.user_id),
        topic_id=_param("topic_id", _topic_users.c.topic_id),
        last_read_post_number=_param("post_number", _topic_users.c.last_read_post_number),
        first_visited_at=visited,
        last_visited_at=visited,
    )
    highest = sa.func.greatest if dialect == "postgresql" else sa.func.max
    read = read.on_conflict_do_update(
        index_elements=[_topic_users.c.user_id, _topic_users.c.topic_id],
        set_={
            "last_read_post_number": highest(
                _topic_users.c.last_read_post_number, read.excluded.last_read_post_number
            ),
            "last_visited_at": visited,
        },
    )
    category = (
        sa.update(_categories)
        .where(_categories.c.id == _param("category_id", _categories.c.id))
        .values(
            post_count=_categories.c.post_count + 1,
            last_posted_at=_param("now", _categories.c.last_posted_at),
        )
    )
    # A personal message counts for nobody's profile: no UPDATE of the author then.
    author = (
        sa.update(_users)
        .where(_users.c.id == _param("author_id", _users.c.id))
        .values(
            post_count=_users.c.post_count + 1,
            published_post_count=_users.c.published_post_count + 1,
        )
    )
    chosen = [author, read] if own else [read]
    if dialect != "postgresql":
        return (*chosen, category)
    ctes = [statement.cte(f"write_{number}") for number, statement in enumerate(chosen)]
    return (category.add_cte(*ctes),)
