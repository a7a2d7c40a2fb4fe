"""Time replies in a topic with 0 and with 500 watchers: the fan-out must not slow the reply.

    .venv/bin/python bench/notify_bench.py                  # 500 watchers, 40 replies each
    .venv/bin/python bench/notify_bench.py --watchers 2000 --replies 20

Builds a fresh SQLite forum in bench/data/notify-bench/, two topics (one
nobody watches, one watched by ``--watchers`` members) and posts replies to
them in turn through the test client. Reported apart, as in reply_bench.py:
until the response (what the writer waits for, and the SQL statements it
ran) and ``response.close()`` (the work after the response: the
notifications and the search index). Finally it checks every watcher got one
notification per reply.
"""

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import reply_bench


def fill(app, watchers: int) -> tuple[int, int]:
    """Create the writer, two topics and the watchers; return the topics' ids."""
    import sqlalchemy as sa

    from forum.auth.accounts import create_user
    from forum.boards.models import TopicUser
    from forum.boards.services import create_category, create_topic
    from forum.extensions import db
    from forum.notifications.models import Level
    from forum.users.models import Role, User

    with app.app_context():
        writer = create_user("schreiber", "schreiber@example.org", reply_bench.PASSWORD,
                             role=Role.MEMBER, confirmed=True)  # fmt: skip
        author = create_user("fragende", "fragende@example.org", reply_bench.PASSWORD,
                             role=Role.MEMBER, confirmed=True)  # fmt: skip
        category = create_category("Fragen", read_level="members")
        quiet = create_topic(author, category, "Ein Thema ohne Beobachter", "Wer weiß etwas?")
        watched = create_topic(author, category, "Ein Thema mit Beobachtern", "Wer weiß mehr?")
        quiet_id, watched_id = quiet.id, watched.id
        password_hash = db.session.get(User, writer.id).password_hash
        db.session.execute(
            sa.insert(User),
            [
                {
                    "username": f"watcher{n}",
                    "username_lower": f"watcher{n}",
                    "email": f"watcher{n}@example.org",
                    "email_lower": f"watcher{n}@example.org",
                    "password_hash": password_hash,
                    "role": Role.MEMBER,
                }
                for n in range(watchers)
            ],
        )
        ids = db.session.scalars(sa.select(User.id).where(User.username.like("watcher%")))
        db.session.execute(
            sa.insert(TopicUser),
            [
                {"user_id": i, "topic_id": watched_id, "notification_level": int(Level.WATCHING)}
                for i in ids
            ],
        )
        db.session.commit()
    return quiet_id, watched_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", type=int, default=500)
    parser.add_argument("--replies", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    work = common.DATA_DIR / "notify-bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    app = reply_bench.build_app(work)
    topics = dict(zip((0, args.watchers), fill(app, args.watchers), strict=True))
    client = app.test_client()
    login = client.post("/login", data={"login": "schreiber", "password": reply_bench.PASSWORD})
    assert login.status_code == 302, "the bench member could not log in"

    import sqlalchemy as sa

    from forum.extensions import db

    statements: list[str] = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute",
                        lambda *a: statements.append(a[2]))  # fmt: skip
    # watchers -> name -> [ms]
    times = {w: {"until the response": [], "response.close()": [], "statements": []}
             for w in topics}  # fmt: skip
    for number in range(args.warmup + args.replies):
        for watchers, topic_id in topics.items():
            statements.clear()
            started = time.perf_counter()
            response = client.post(f"/t/{topic_id}/reply", data={"raw": f"Antwort {number}."})
            answered = time.perf_counter()
            during = len(statements)
            assert response.status_code == 302, response.status_code
            response.close()
            if number >= args.warmup:
                times[watchers]["until the response"].append((answered - started) * 1000)
                times[watchers]["response.close()"].append((time.perf_counter() - answered) * 1000)
                times[watchers]["statements"].append(during)

    from forum.notifications.models import Notification

    background = app.extensions.get("notifications.background")
    if background is not None:  # NOTIFY_IN_BACKGROUND: the thread may still be at the last ones
        background.finish(timeout=60)
    with app.app_context():
        told = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.topic_id == topics[args.watchers], Notification.kind == "posted")
        )
    app.extensions["search"].close()
    expected = args.watchers * (args.warmup + args.replies)
    assert told == expected, f"{told} notifications, expected {expected}"
    print(f"{args.replies} replies per topic (SQLite), each watcher told once per reply")
    for watchers, measured in times.items():
        for name in ("until the response", "response.close()"):
            values = measured[name]
            print(f"{watchers:>4} watchers, {name:>20}: median {statistics.median(values):6.1f} ms,"
                  f" p95 {statistics.quantiles(values, n=20)[-1]:6.1f} ms")  # fmt: skip
        print(f"{watchers:>4} watchers, statements until the response: "
              f"{sorted(set(measured['statements']))}")  # fmt: skip


if __name__ == "__main__":
    main()
