"""Watching levels: how closely a member follows a topic or a category."""

import functools

import sqlalchemy as sa

from forum import permissions
from forum.boards.models import Category, Topic, TopicUser
from forum.boards.reading import forget_reader_states, reader_state
from forum.db import dialect_insert
from forum.extensions import db
from forum.notifications.models import CategoryUser, Level, NotificationSetting


def _upsert(model, keys: dict, values: dict) -> None:
    insert = dialect_insert(db.session.get_bind().dialect.name)
    statement = insert(model).values(**keys, **values)
    db.session.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=values))


def topic_level(user_id: int, topic: Topic) -> tuple[Level, bool]:
    """Return the member's effective level for the topic and whether they chose it
    for the topic itself (one query)."""
    state = reader_state(user_id, topic)
    chosen, inherited = state.topic_level, state.category_level
    if chosen is not None:
        return Level(chosen), True
    return Level(inherited if inherited is not None else Level.NORMAL), False


def category_level(user_id: int, category_id: int) -> Level:
    level = db.session.scalar(
        sa.select(CategoryUser.level).where(
            CategoryUser.user_id == user_id, CategoryUser.category_id == category_id
        )
    )
    return Level(level if level is not None else Level.NORMAL)


def set_topic_level(user_id: int, topic_id: int, level: Level) -> None:
    _upsert(
        TopicUser,
        {"user_id": user_id, "topic_id": topic_id},
        {"notification_level": int(level)},
    )
    db.session.commit()
    forget_reader_states()


def set_category_level(user_id: int, category_id: int, level: Level) -> None:
    forget_reader_states()
    if level == Level.NORMAL:
        db.session.execute(
            sa.delete(CategoryUser).where(
                CategoryUser.user_id == user_id, CategoryUser.category_id == category_id
            )
        )
    else:
        _upsert(
            CategoryUser, {"user_id": user_id, "category_id": category_id}, {"level": int(level)}
        )
    db.session.commit()


def default_topic_level(user_id: int) -> Level:
    level = db.session.scalar(
        sa.select(NotificationSetting.topic_level).where(NotificationSetting.user_id == user_id)
    )
    return Level(level if level is not None else Level.TRACKING)


def set_default_topic_level(user_id: int, level: Level) -> None:
    _upsert(NotificationSetting, {"user_id": user_id}, {"topic_level": int(level)})
    db.session.commit()


#: The fan-out's statements are built once and run with these parameters (every
#: reply runs them; building them anew cost more CPU than running them).
_USER_ID = sa.bindparam("watching_user_id", type_=sa.Integer)
_TOPIC_ID = sa.bindparam("watching_topic_id", type_=sa.Integer)
_CATEGORY_ID = sa.bindparam("watching_category_id", type_=sa.Integer)


def params(topic: Topic, user_id: int | None = None) -> dict[str, int | None]:
    """Return the parameters of the statements built once here (and ``muted_clause``'s)."""
    return {
        "watching_user_id": user_id,
        "watching_topic_id": topic.id,
        "watching_category_id": topic.category_id,
    }


@functools.cache
def _adoption() -> sa.Update:
    # Core (table columns): the fan-out reads levels with queries, never through
    # loaded rows, so the ORM has nothing to match the UPDATE against.
    topic_users, settings = TopicUser.__table__.c, NotificationSetting.__table__.c
    default = sa.select(settings.topic_level).where(settings.user_id == _USER_ID).scalar_subquery()
    return (
        sa.update(TopicUser.__table__)
        .where(
            topic_users.user_id == _USER_ID,
            topic_users.topic_id == _TOPIC_ID,
            topic_users.notification_level.is_(None),
        )
        .values(notification_level=sa.func.coalesce(default, int(Level.TRACKING)))
    )


def adopt_topic(user_id: int, topic_id: int) -> None:
    """Give a topic the member wrote in their default level, unless they chose one
    (one statement; the read position row exists since they posted)."""
    db.session.execute(_adoption(), {"watching_user_id": user_id, "watching_topic_id": topic_id})


@functools.cache
def _watchers_and_adoption() -> sa.CompoundSelect:
    return _watchers_query().add_cte(_adoption().cte("adopted"))


def adopt_topic_and_watchers(user_id: int, topic: Topic) -> set[int]:
    """``adopt_topic``, then ``watchers``; one statement on PostgreSQL.

    There the watchers are read in the snapshot before the adoption (a
    data-modifying CTE's change is not seen by its statement): only the
    member's own row changes, and the fan-out never tells the member of
    their own post, so the answer is the same.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        adopt_topic(user_id, topic.id)
        return watchers(topic)
    return set(db.session.scalars(_watchers_and_adoption(), params(topic, user_id)))


def levels_of(user_ids: set[int], topic: Topic) -> dict[int, Level]:
    """Return the effective level of each of ``user_ids`` for the topic (one query)."""
    if not user_ids:
        return {}
    ids = sorted(user_ids)
    rows = db.session.execute(
        sa.union_all(
            sa.select(
                TopicUser.user_id, TopicUser.notification_level, sa.literal(True).label("chosen")
            ).where(
                TopicUser.topic_id == topic.id,
                TopicUser.user_id.in_(ids),
                TopicUser.notification_level.is_not(None),
            ),
            sa.select(CategoryUser.user_id, CategoryUser.level, sa.literal(False)).where(
                CategoryUser.category_id == topic.category_id, CategoryUser.user_id.in_(ids)
            ),
        )
    ).all()
    chosen = {user_id: level for user_id, level, by_topic in rows if by_topic}
    inherited = {user_id: level for user_id, level, by_topic in rows if not by_topic}
    return {
        user_id: Level(chosen.get(user_id, inherited.get(user_id, Level.NORMAL))) for user_id in ids
    }


def muted_clause(
    user_id: sa.ColumnElement[int], topic: Topic | None = None
) -> sa.ColumnElement[bool]:
    """A SQL condition: the member ``user_id`` names has muted the topic, by choice or
    through its category without having chosen a level for the topic (as ``levels_of``).

    Without ``topic``, the topic's id and category are parameters: for a statement
    built once and run with ``params``.
    """
    topic_id = _TOPIC_ID if topic is None else topic.id
    category_id = _CATEGORY_ID if topic is None else topic.category_id
    chosen = sa.select(TopicUser.notification_level).where(
        TopicUser.topic_id == topic_id,
        TopicUser.user_id == user_id,
        TopicUser.notification_level.is_not(None),
    )
    by_category = sa.exists().where(
        CategoryUser.category_id == category_id,
        CategoryUser.user_id == user_id,
        CategoryUser.level == int(Level.MUTED),
    )
    return sa.or_(
        chosen.where(TopicUser.notification_level == int(Level.MUTED)).exists(),
        sa.and_(by_category, ~chosen.exists()),
    )


def watchers(topic: Topic) -> set[int]:
    """Return who watches the topic: by choice, or through its category without
    having chosen another level for the topic (one query)."""
    return set(db.session.scalars(_watchers_query(), params(topic)))


@functools.cache
def _watchers_query() -> sa.CompoundSelect:
    topic_users, category_users = TopicUser.__table__.c, CategoryUser.__table__.c
    chose_topic = sa.select(topic_users.user_id).where(
        topic_users.topic_id == _TOPIC_ID, topic_users.notification_level.is_not(None)
    )
    by_topic = sa.select(topic_users.user_id).where(
        topic_users.topic_id == _TOPIC_ID,
        topic_users.notification_level == int(Level.WATCHING),
    )
    by_category = sa.select(category_users.user_id).where(
        category_users.category_id == _CATEGORY_ID,
        category_users.level == int(Level.WATCHING),
        category_users.user_id.not_in(chose_topic),
    )
    return sa.union(by_topic, by_category)


def muted_categories(user_id: int):
    """A subquery of the ids of the categories the member muted (for /latest)."""
    return sa.select(CategoryUser.category_id).where(
        CategoryUser.user_id == user_id, CategoryUser.level == int(Level.MUTED)
    )


def followed(user) -> dict[str, list]:
    """Return what the member watches, tracks or muted: topics and categories
    with a level other than normal (two queries)."""
    topics = db.session.execute(
        sa.select(Topic, TopicUser.notification_level)
        .join(TopicUser, TopicUser.topic_id == Topic.id)
        .join(Category, Category.id == Topic.category_id)
        .where(
            TopicUser.user_id == user.id,
            permissions.visible_topics_clause(user),
            TopicUser.notification_level.in_(
                [int(Level.WATCHING), int(Level.MUTED), int(Level.TRACKING)]
            ),
            Topic.deleted_at.is_(None),
        )
        .order_by(TopicUser.notification_level.desc(), Topic.bumped_at.desc())
        .limit(200)
    ).all()
    categories = db.session.execute(
        sa.select(Category, CategoryUser.level)
        .join(CategoryUser, CategoryUser.category_id == Category.id)
        .where(CategoryUser.user_id == user.id, permissions.readable_categories_clause(user))
        .order_by(CategoryUser.level.desc(), Category.position, Category.name)
    ).all()
    return {
        "topics": [(topic, Level(level)) for topic, level in topics],
        "categories": [(category, Level(level)) for category, level in categories],
    }
