"""Generate the benchmark data set: categories, users, topics, posts, likes,
organisations and their volunteering opportunities.

    python bench/generate.py                  # 100,000 posts into bench/data/bench.sqlite3
    python bench/generate.py --small          # 5,000 posts, for a quick try
    python bench/generate.py --url postgresql+psycopg://forum@localhost/forum_bench --reset

The whole data set is planned in memory first (who wrote which post when, who
replied to and liked what), so every counter on a row is known before it is
inserted; the rows then go in with SQLAlchemy Core executemany in batches, and
the counters are checked against aggregate queries at the end.
"""

import argparse
import multiprocessing
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import organisations
import sqlalchemy as sa
from planning import FIRST_MODERATOR_ID, MEMBER_ID, Plan, PlannedPost, Sizes, plan
from vocabulary import CATEGORIES, COLORS, MUNICIPALITIES, Text

BATCH = 2000

# --- Cooking --------------------------------------------------------------------------

_cooker = None


def _init_cooker() -> None:
    global _cooker  # one Cooker per worker process
    from forum.markdown import Cooker

    _cooker = Cooker()


def _cook_batch(raws: list[str]) -> tuple[list[str], float]:
    started = time.perf_counter()
    return [_cooker.cook(raw) for raw in raws], time.perf_counter() - started


# --- Database ---------------------------------------------------------------------------


@contextmanager
def timed(label: str, timings: dict[str, float]) -> Iterator[None]:
    started = time.perf_counter()
    print(f"  {label} ...", end="", flush=True)
    yield
    elapsed = time.perf_counter() - started
    timings[label] = elapsed
    print(f" {elapsed:.1f} s", flush=True)


def prepare_database(url: str, reset: bool) -> None:
    """Start from an empty database: remove the bench SQLite file, or drop tables on --reset."""
    engine_url = sa.engine.make_url(url)
    if engine_url.get_backend_name() == "sqlite":
        path = Path(engine_url.database or "")
        if not engine_url.database or not path.exists():
            return
        if common.DATA_DIR not in path.resolve().parents and not reset:
            raise SystemExit(f"{path} exists and is not in bench/data/; pass --reset to replace it")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        tables = sa.inspect(connection).get_table_names()
        if tables and not reset:
            raise SystemExit(f"{common.safe_url(url)} has tables; pass --reset to drop them")
        if tables:
            metadata = sa.MetaData()
            metadata.reflect(connection)
            metadata.drop_all(connection)
    engine.dispose()


def build_schema(app, how: str) -> str:
    """Create the tables with the migrations (``flask db upgrade``), else create_all()."""
    from forum.extensions import db, init_migrate

    # The app leaves Flask-Migrate to the command line; the generator needs it here.
    init_migrate(app)
    migrations = Path(app.extensions["migrate"].directory)
    has_migrations = any((migrations / "versions").glob("*.py"))
    if how == "migrations" and not has_migrations:
        raise SystemExit(f"no migrations in {migrations}")
    if how != "create_all" and has_migrations:
        import flask_migrate

        flask_migrate.upgrade(revision="heads")
        drift = common.schema_drift(app)
        if not drift:
            return f"flask db upgrade ({migrations.relative_to(common.ROOT)})"
        if how == "migrations":
            raise SystemExit(f"the migrations are behind the models: missing {drift}")
        # Someone changed a model and has not written its migration yet: measure
        # the models as they are, and say so loudly.
        print(f"\n  WARNING: the migrations are behind the models (missing {', '.join(drift)});")
        print("  dropping the migrated tables and using db.create_all() instead.")
        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.create_all()
        return "db.create_all() (the migrations are behind the models)"
    db.create_all()
    if not has_migrations:
        return "db.create_all() (forum/migrations has no versions yet)"
    return "db.create_all() (--schema create_all)"


#: Tables of plain values (no enums) that PostgreSQL gets by COPY: the big ones.
COPY_TABLES = {"posts", "post_likes", "topic_users", "bookmarks"}


def insert_batches(connection, table: sa.Table, rows: list[dict]) -> None:
    # Columns the schema does not have (yet, or any more) are left out, and new
    # ones get their defaults, so the generator survives model changes.
    # Filtered batch by batch: a filtered copy of a million rows at once was
    # a third of the generator's peak memory.
    names = {c.name for c in table.columns}
    if not rows:
        return
    if connection.dialect.name == "postgresql" and table.name in COPY_TABLES:
        _copy(connection, table, rows, [k for k in rows[0] if k in names])
        return
    for start in range(0, len(rows), BATCH):
        batch = [{k: row[k] for k in row if k in names} for row in rows[start : start + BATCH]]
        connection.execute(sa.insert(table), batch)


def _copy(connection, table: sa.Table, rows: list[dict], columns: list[str]) -> None:
    """PostgreSQL's COPY through psycopg: several times faster than INSERTs.
    The rows of one table all have the same keys (the planner writes them so)."""
    driver = connection.connection.driver_connection
    names = ", ".join(f'"{name}"' for name in columns)
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row([row[name] for name in columns])


#: Tables whose secondary indexes PostgreSQL builds after the load, not row by row.
DEFERRED_INDEX_TABLES = ("topics", "posts", "post_likes", "topic_users", "bookmarks")


@contextmanager
def bulk_load(connection, timings: dict[str, float]) -> Iterator[None]:
    """Load faster on PostgreSQL: secondary indexes built once after the load
    (one sort each instead of a million inserts into a B-tree) and no
    foreign-key triggers while loading (the plan's ids are consistent, and the
    counter checks at the end join every row to what it points at).

    The indexes that back a constraint (primary keys, unique constraints) stay:
    they check what they promise. Foreign keys are skipped with
    ``session_replication_role = replica``, which needs a superuser; without
    one they stay on and the load is slower, nothing else.
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    deferred = connection.exec_driver_sql(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_class t ON t.oid = i.indrelid "
        "WHERE t.relname = ANY(%(tables)s) AND t.relnamespace = 'public'::regnamespace "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
        {"tables": list(DEFERRED_INDEX_TABLES)},
    ).all()
    for name, _definition in deferred:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    superuser = connection.exec_driver_sql(
        "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
    ).scalar()
    if superuser:
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
    yield
    if superuser:
        connection.exec_driver_sql("SET LOCAL session_replication_role = DEFAULT")
    with timed(f"{len(deferred)} indexes built after the load", timings):
        connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in deferred:
            connection.exec_driver_sql(definition)


def load(app, the_plan: Plan, args, now: datetime, timings: dict[str, float]) -> dict[str, int]:
    from forum.auth.accounts import hash_password
    from forum.boards.models import (
        Bookmark,
        Category,
        CategoryKind,
        HelpKind,
        HelpStatus,
        Municipality,
        Post,
        PostLike,
        ReadLevel,
        Topic,
        TopicUser,
        WriteLevel,
    )
    from forum.extensions import db
    from forum.text import slugify
    from forum.users.models import Role, User

    rng = random.Random(args.seed + 1)
    text = Text(rng)
    categories = CATEGORIES[: args.categories]
    topics, posts = the_plan.topics, the_plan.posts

    # Counters, from the plan.
    user_posts, user_topics, user_published = Counter(), Counter(), Counter()
    received, given = Counter(), Counter()
    by_id = {p.id: p for p in posts}
    for post in posts:
        user_published[post.user] += 1
        if not post.deleted:
            user_posts[post.user] += 1
    for topic in topics:
        user_topics[topic.user] += 1
    for post_id, user_id, _at in the_plan.likes:
        received[by_id[post_id].user] += 1
        given[user_id] += 1
    cat_topics, cat_posts, cat_last = Counter(), Counter(), {}
    for topic in topics:
        visible = sum(not p.deleted for p in topic.posts)
        cat_topics[topic.category] += 1
        cat_posts[topic.category] += visible
        last = topic.posts[-1].created_at
        cat_last[topic.category] = max(cat_last.get(topic.category, last), last)

    counts: dict[str, int] = {}
    engine = db.engine
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            # Bulk load: nothing to lose if the machine crashes half-way.
            connection.exec_driver_sql("PRAGMA synchronous=OFF")

        with bulk_load(connection, timings):
            with timed("categories", timings):
                ids = {c[1]: i + 1 for i, c in enumerate(categories)}
                rows = []
                for i, (name, slug, parent, read, write, kind, _share) in enumerate(categories):
                    rows.append(
                        {
                            "id": i + 1,
                            "parent_id": ids.get(parent) if parent else None,
                            "name": name,
                            "slug": slug,
                            "description": text.paragraph(1),
                            "color": COLORS[i % len(COLORS)],
                            "position": i + 1,
                            "kind": CategoryKind(kind),
                            "read_level": ReadLevel(read),
                            "write_level": WriteLevel(write),
                            "topic_count": cat_topics[i],
                            "post_count": cat_posts[i],
                            "last_posted_at": cat_last.get(i),
                            "created_at": now - timedelta(days=1300),
                        }
                    )
                insert_batches(connection, Category.__table__, rows)
                counts["categories"] = len(rows)

            with timed("users", timings):
                # One real hash (password "bench-password") shared by every account:
                # hashing 2,000 passwords would take minutes and measure nothing.
                password_hash = hash_password("bench-password")
                rows = []
                for user in the_plan.users:
                    uid = user["id"]
                    rows.append(
                        {
                            "id": uid,
                            "username": user["username"],
                            "username_lower": user["username"].lower(),
                            "email": f"{user['username']}@example.org",
                            "email_lower": f"{user['username'].lower()}@example.org",
                            "password_hash": password_hash,
                            "display_name": user["display_name"],
                            "bio_raw": "",
                            "bio_cooked": "",
                            "role": Role(user["role"]),
                            "locale": None,
                            "email_confirmed_at": user["created_at"],
                            "email_on_reply": True,
                            "email_on_mention": True,
                            "email_digest": False,
                            "created_at": user["created_at"],
                            "last_seen_at": now - timedelta(hours=rng.random() * 24 * 60),
                            "topic_count": user_topics[uid],
                            "post_count": user_posts[uid],
                            # Everything in the data set was published (nothing awaits
                            # review), the posts deleted later too.
                            "published_post_count": user_published[uid],
                            "likes_received": received[uid],
                            "likes_given": given[uid],
                        }
                    )
                insert_batches(connection, User.__table__, rows)
                counts["users"] = len(rows)

            with timed("topics", timings):
                rows = []
                pinned = set()
                for index, topic in enumerate(topics):
                    if categories[topic.category][1] == "willkommen" and not pinned:
                        pinned.add(index)
                for index in rng.sample(range(len(topics)), min(8, len(topics))):
                    pinned.add(index)
                for index, topic in enumerate(topics):
                    category = categories[topic.category]
                    last = topic.posts[-1]
                    is_help = category[5] == "help"
                    is_pinned = index in pinned
                    rows.append(
                        {
                            "id": topic.id,
                            "category_id": topic.category + 1,
                            "user_id": topic.user,
                            "title": (title := text.title()),
                            "slug": slugify(title, 100),
                            "created_at": topic.created_at,
                            "bumped_at": last.created_at,
                            "last_posted_at": last.created_at,
                            "last_post_user_id": last.user,
                            "posts_count": sum(not p.deleted for p in topic.posts),
                            "highest_post_number": len(topic.posts),
                            "like_count": sum(p.like_count for p in topic.posts),
                            "views": len(topic.posts) * rng.randint(3, 30),
                            "pinned_at": topic.created_at if is_pinned else None,
                            "pinned_globally": is_pinned and category[1] == "willkommen",
                            "closed": rng.random() < 0.02,
                            "deleted_at": None,
                            "deleted_by_id": None,
                            "help_kind": rng.choice(list(HelpKind)) if is_help else None,
                            "municipality": Municipality(rng.choice(MUNICIPALITIES))
                            if is_help
                            else None,
                            "help_status": rng.choice(list(HelpStatus)) if is_help else None,
                        }
                    )
                insert_batches(connection, Topic.__table__, rows)
                counts["topics"] = len(rows)

            with timed("post text", timings):
                if args.cook_pool:
                    pool_texts = [text.post(first=i % 4 == 0) for i in range(args.cook_pool)]
                    raws = [pool_texts[rng.randrange(len(pool_texts))] for _ in posts]
                    distinct = pool_texts
                else:
                    raws = [text.post(first=p.number == 1) for p in posts]
                    distinct = raws
                counts["raw characters"] = sum(map(len, raws))

            print(
                f"  cooking {len(distinct):,} texts with {args.workers} process(es) "
                "while inserting posts ...",
                flush=True,
            )
            cook_seconds = 0.0
            started = time.perf_counter()
            chunks = [distinct[i : i + 250] for i in range(0, len(distinct), 250)]
            with multiprocessing.Pool(args.workers, initializer=_init_cooker) as pool:
                cooked_chunks = pool.imap(_cook_batch, chunks)
                if args.cook_pool:
                    cooked_pool = []
                    for cooked, seconds in cooked_chunks:
                        cooked_pool.extend(cooked)
                        cook_seconds += seconds
                    lookup = dict(zip(pool_texts, cooked_pool, strict=True))
                    cooked_all = iter([lookup[raw] for raw in raws])
                else:
                    cooked_all = _CookStream(cooked_chunks)
                topic_ids = [t.id for t in topics]
                batch = []
                for post, raw in zip(posts, raws, strict=True):
                    cooked = next(cooked_all)
                    batch.append(
                        {
                            "id": post.id,
                            "topic_id": topic_ids[post.topic],
                            "user_id": post.user,
                            "post_number": post.number,
                            "reply_to_post_number": post.reply_to,
                            "raw": raw,
                            "cooked": cooked,
                            "created_at": post.created_at,
                            "updated_at": post.created_at,
                            "version": 1,
                            "like_count": post.like_count,
                            "reply_count": post.reply_count,
                            "deleted_at": post.created_at + timedelta(hours=1)
                            if post.deleted
                            else None,
                            "deleted_by_id": FIRST_MODERATOR_ID if post.deleted else None,
                        }
                    )
                    if len(batch) == BATCH:
                        insert_batches(connection, Post.__table__, batch)
                        batch = []
                if batch:
                    insert_batches(connection, Post.__table__, batch)
                if not args.cook_pool:
                    cook_seconds = cooked_all.seconds
            elapsed = time.perf_counter() - started
            timings["posts (cook + insert)"] = elapsed
            timings["cooking CPU (sum over workers)"] = cook_seconds
            counts["posts"] = len(posts)
            print(
                f"  posts: {elapsed:.1f} s wall; cooking took {cook_seconds:.1f} s CPU "
                f"({cook_seconds / max(len(distinct), 1) * 1000:.2f} ms per text)",
                flush=True,
            )

            with timed("likes, read positions, bookmarks", timings):
                rows = [
                    {"post_id": post_id, "user_id": user_id, "created_at": at}
                    for post_id, user_id, at in the_plan.likes
                ]
                insert_batches(connection, PostLike.__table__, rows)
                counts["likes"] = len(rows)
                del rows  # before the next million rows are built
                # Writing a post marks the topic read up to it (as create_post does).
                read: dict[tuple[int, int], PlannedPost] = {}
                for post in posts:
                    key = (post.user, topics[post.topic].id)
                    if key not in read or read[key].number < post.number:
                        read[key] = post
                # The bench member has also read parts of some topics without writing.
                for topic in rng.sample(topics, min(300, len(topics))):
                    key = (MEMBER_ID, topic.id)
                    if key not in read:
                        read[key] = topic.posts[rng.randrange(len(topic.posts))]
                rows = [
                    {
                        "user_id": user_id,
                        "topic_id": topic_id,
                        "last_read_post_number": post.number,
                        "first_visited_at": topics[post.topic].created_at,
                        "last_visited_at": post.created_at,
                    }
                    for (user_id, topic_id), post in read.items()
                ]
                del read
                insert_batches(connection, TopicUser.__table__, rows)
                counts["read positions"] = len(rows)
                del rows
                marks: dict[tuple[int, int], datetime] = {}
                alive = [p for p in posts if not p.deleted]
                for post in rng.sample(alive, min(len(alive), len(posts) // 40)):
                    user = the_plan.users[rng.randrange(len(the_plan.users))]["id"]
                    marks[(user, post.id)] = post.created_at + timedelta(days=1)
                for post in rng.sample(alive, min(len(alive), 40)):
                    marks[(MEMBER_ID, post.id)] = post.created_at + timedelta(days=1)
                rows = [
                    {"user_id": u, "post_id": p, "created_at": min(at, now)}
                    for (u, p), at in marks.items()
                ]
                insert_batches(connection, Bookmark.__table__, rows)
                counts["bookmarks"] = len(rows)

            with timed("organisations", timings):
                counts.update(
                    organisations.load(
                        connection, insert_batches, rng, now, [u["id"] for u in the_plan.users],
                        args.organisations, args.opportunities,
                    )
                )  # fmt: skip

        if engine.dialect.name == "postgresql":
            # Ids were given explicitly; move the sequences past them.
            for table in ("categories", "users", "topics", "posts"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
    return counts


class _CookStream:
    """Iterate cooked texts from the pool's batches, adding up the workers' time."""

    def __init__(self, chunks) -> None:
        self.chunks = iter(chunks)
        self.current: Iterator[str] = iter(())
        self.seconds = 0.0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        while True:
            try:
                return next(self.current)
            except StopIteration:
                cooked, seconds = next(self.chunks)
                self.seconds += seconds
                self.current = iter(cooked)


# --- Checks -----------------------------------------------------------------------------

CHECKS = {
    "topics.posts_count": """
        SELECT count(*) FROM topics t WHERE t.posts_count !=
          (SELECT count(*) FROM posts p WHERE p.topic_id = t.id AND p.deleted_at IS NULL)""",
    "topics.highest_post_number": """
        SELECT count(*) FROM topics t WHERE t.highest_post_number !=
          (SELECT max(post_number) FROM posts p WHERE p.topic_id = t.id)""",
    "topics.last_post_user_id / bumped_at": """
        SELECT count(*) FROM topics t JOIN posts p
          ON p.topic_id = t.id AND p.post_number = t.highest_post_number
        WHERE p.user_id != t.last_post_user_id OR p.created_at != t.bumped_at""",
    "topics.like_count": """
        SELECT count(*) FROM topics t WHERE t.like_count !=
          (SELECT coalesce(sum(like_count), 0) FROM posts p WHERE p.topic_id = t.id)""",
    "posts.like_count": """
        SELECT count(*) FROM posts p WHERE p.like_count !=
          (SELECT count(*) FROM post_likes l WHERE l.post_id = p.id)""",
    "posts.reply_count": """
        SELECT count(*) FROM posts p WHERE p.reply_count !=
          (SELECT count(*) FROM posts r WHERE r.topic_id = p.topic_id
             AND r.reply_to_post_number = p.post_number AND r.deleted_at IS NULL)""",
    "categories.topic_count / post_count": """
        SELECT count(*) FROM categories c WHERE c.topic_count !=
          (SELECT count(*) FROM topics t WHERE t.category_id = c.id AND t.deleted_at IS NULL)
        OR c.post_count != (SELECT coalesce(sum(posts_count), 0) FROM topics t
                            WHERE t.category_id = c.id AND t.deleted_at IS NULL)""",
    "users.post_count / topic_count": """
        SELECT count(*) FROM users u WHERE u.post_count !=
          (SELECT count(*) FROM posts p WHERE p.user_id = u.id AND p.deleted_at IS NULL)
        OR u.topic_count != (SELECT count(*) FROM topics t WHERE t.user_id = u.id)""",
    "users.likes_received / likes_given": """
        SELECT count(*) FROM users u WHERE u.likes_given !=
          (SELECT count(*) FROM post_likes l WHERE l.user_id = u.id)
        OR u.likes_received != (SELECT count(*) FROM post_likes l
                                JOIN posts p ON p.id = l.post_id WHERE p.user_id = u.id)""",
    "posts.reply_to_post_number exists": """
        SELECT count(*) FROM posts r WHERE r.reply_to_post_number IS NOT NULL AND NOT EXISTS
          (SELECT 1 FROM posts p WHERE p.topic_id = r.topic_id
             AND p.post_number = r.reply_to_post_number)""",
}


def check_counters(connection) -> list[str]:
    """Return the counters that disagree with the rows they count (none, we hope)."""
    failures = []
    for name, query in CHECKS.items():
        wrong = connection.exec_driver_sql(query).scalar()
        if wrong:
            failures.append(f"{name}: {wrong} rows")
    return failures


# --- Main --------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="SQLAlchemy URL (default: $BENCH_DATABASE_URL or SQLite)")
    parser.add_argument("--reset", action="store_true", help="drop existing tables first")
    parser.add_argument("--small", action="store_true", help="5,000 posts for a quick try")
    parser.add_argument("--categories", type=int, default=len(CATEGORIES))
    parser.add_argument("--users", type=int)
    parser.add_argument("--topics", type=int)
    parser.add_argument("--posts", type=int)
    parser.add_argument("--long-topic-posts", type=int, default=400)
    parser.add_argument("--likes-per-post", type=float, default=0.6)
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--opportunities", type=int, default=5000)
    parser.add_argument(
        "--cook-pool",
        type=int,
        default=0,
        help="reuse N distinct texts instead of cooking every post (faster, less realistic)",
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE on SQLite too")
    parser.add_argument(
        "--schema",
        choices=("auto", "migrations", "create_all"),
        default="auto",
        help="auto: migrations, or create_all() when they are missing or behind the models",
    )
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args(argv)
    small = {"users": 200, "topics": 500, "posts": 5000}
    full = {"users": 2000, "topics": 10000, "posts": 100000}
    for key, value in (small if args.small else full).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.categories = max(1, min(args.categories, len(CATEGORIES)))
    if args.users < MEMBER_ID + 2:
        parser.error(f"--users must be at least {MEMBER_ID + 2}")
    if args.posts < args.topics:
        parser.error("--posts must be at least --topics (every topic has a first post)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = common.database_url(args.url)
    sizes = Sizes(
        args.categories,
        args.users,
        args.topics,
        args.posts,
        args.long_topic_posts,
        args.likes_per_post,
    )
    print(f"Generating {sizes} into {common.safe_url(url)}")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    common.DATA_DIR.mkdir(parents=True, exist_ok=True)
    prepare_database(url, args.reset)
    app = common.make_app(url)
    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context():
        from forum.extensions import db

        schema_started = time.perf_counter()
        how = build_schema(app, args.schema)
        timings["schema"] = time.perf_counter() - schema_started
        print(f"  schema built with {how}: {timings['schema']:.1f} s")
        with timed("plan", timings):
            the_plan = plan(sizes, random.Random(args.seed), now)
        counts = load(app, the_plan, args, now, timings)
        with db.engine.begin() as connection:
            if db.engine.dialect.name == "postgresql" or args.analyze:
                with timed("ANALYZE", timings):
                    connection.exec_driver_sql("ANALYZE")
            with timed("counter checks", timings):
                failures = check_counters(connection)
        db.engine.dispose()
    total = time.perf_counter() - started
    print()
    print(" | ".join(f"{name}: {value:,}" for name, value in counts.items()))
    print(f"Total {total:.1f} s.")
    if failures:
        print("COUNTERS INCONSISTENT:\n  " + "\n  ".join(failures))
        return 1
    print("All counters agree with the rows they count.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
