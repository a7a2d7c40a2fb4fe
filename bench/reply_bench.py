"""Time replies through the test client: until the response, and its close.

    .venv/bin/python bench/reply_bench.py                   # 1,000 posts, 50 replies, Whoosh
    .venv/bin/python bench/reply_bench.py --posts 5000 --replies 100

Builds a fresh SQLite forum in bench/data/reply-bench/ (one category, 20 posts
per topic, reindexed), logs a member in and posts replies to one topic. The
search index is written after the response (``response.close()``, which a
WSGI server calls once the body is sent), so the two times are reported
apart: what the member waits for, and the work that follows. The CPU time of
this process hardly changes when other programs load the machine.
"""

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

WORDS = ("Tafel", "Gifhorn", "Fahrdienst", "Meinersen", "Jugendfeuerwehr", "Flohmarkt",
         "Wittingen", "Sommerfest", "Vereinsheim", "Nachbarschaft", "Hilfe", "Kleiderkammer",
         "Ehrenamt", "Bürgerbus", "Besuchsdienst")  # fmt: skip
PASSWORD = "bench-password"


def build_app(work: Path):
    from flask_migrate import upgrade

    from forum import create_app
    from forum.extensions import init_migrate

    config = {
        "SECRET_KEY": common.SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'forum.sqlite3'}",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "HOLD_FIRST_POSTS": 0,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SEARCH_BACKEND": "whoosh",
        "SEARCH_INDEX_DIR": str(work / "search-index"),
        "PLUGINS": [],
    }
    app = create_app(config, instance_path=str(work / "instance"))
    init_migrate(app)
    with app.app_context():
        upgrade(revision="heads")
    return app


def fill(app, posts: int) -> int:
    """Write ``posts`` posts in topics of 20, reindex; return the last topic's id."""
    from forum.auth.accounts import create_user
    from forum.boards.models import Category, Topic
    from forum.boards.services import create_category, create_post, create_topic
    from forum.extensions import db
    from forum.search import services
    from forum.users.models import Role, User

    with app.app_context():
        member = create_user("schreiber", "schreiber@example.org", PASSWORD,
                             role=Role.MEMBER, confirmed=True)  # fmt: skip
        category = create_category("Fragen", read_level="public")
        member_id, category_id = member.id, category.id
        topic_id = 0
        for number in range(max(1, posts // 20)):
            author = db.session.get(User, member_id)
            topic = create_topic(author, db.session.get(Category, category_id),
                                 f"Thema {number} {WORDS[number % len(WORDS)]}",
                                 "Erster Beitrag: " + " ".join(WORDS))  # fmt: skip
            topic_id = topic.id
            for reply in range(19):
                text = " ".join(WORDS[(reply + i) % len(WORDS)] for i in range(30))
                create_post(author, db.session.get(Topic, topic_id), f"Antwort {reply} {text}",
                            commit=False)  # fmt: skip
            db.session.commit()
        services.reindex(app)
        return topic_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--replies", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    work = common.DATA_DIR / "reply-bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    app = build_app(work)
    topic_id = fill(app, args.posts)
    client = app.test_client()
    login = client.post("/login", data={"login": "schreiber", "password": PASSWORD})
    assert login.status_code == 302, "the bench member could not log in"
    # name -> [(wall ms, CPU ms of this process)]
    times: dict[str, list[tuple[float, float]]] = {"until the response": [], "response.close()": []}
    for number in range(args.warmup + args.replies):
        reply = {"raw": f"Antwort Nummer {number} zum Sommerfest."}
        started, cpu = time.perf_counter(), time.process_time()
        response = client.post(f"/t/{topic_id}/reply", data=reply)
        answered, answered_cpu = time.perf_counter(), time.process_time()
        assert response.status_code == 302, response.status_code
        response.close()
        if number >= args.warmup:
            times["until the response"].append(
                ((answered - started) * 1000, (answered_cpu - cpu) * 1000)
            )
            times["response.close()"].append(
                (
                    (time.perf_counter() - answered) * 1000,
                    (time.process_time() - answered_cpu) * 1000,
                )
            )
    from forum.search import services

    with app.app_context():
        status = services.index_status()
    app.extensions["search"].close()
    assert status.in_step, f"the index is not in step after the replies: {status}"
    before = status.posts - args.warmup - args.replies
    print(f"{args.replies} replies to a forum of {before} posts (Whoosh, SQLite)")
    for name, pairs in times.items():
        wall, cpu = [w for w, _c in pairs], [c for _w, c in pairs]
        print(f"{name:>20}: median {statistics.median(wall):6.1f} ms, "
              f"p95 {statistics.quantiles(wall, n=20)[-1]:6.1f} ms, "
              f"CPU median {statistics.median(cpu):6.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
