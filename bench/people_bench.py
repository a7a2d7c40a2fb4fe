"""Time the admin's list of people (/admin/users) at 10,000 accounts.

    .venv/bin/python bench/people_bench.py                      # SQLite, 10,000 users
    .venv/bin/python bench/people_bench.py --users 50000 --runs 30
    BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/people_bench.py --reset

Builds a fresh forum (SQLite in bench/data/people-bench/, or the database in
$BENCH_DATABASE_URL, whose tables ``--reset`` drops first) from the
migrations, inserts the accounts with Core executemany (one shared password
hash), logs the admin in through the test client and requests the list with
each filter; prints the median and 95th percentile of the wall time and the
median CPU time of this process per filter.
"""

import argparse
import random
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

PASSWORD = "bench-password"
FIRST = ("Anna", "Bernd", "Claudia", "Dieter", "Elke", "Frank", "Gisela", "Hans", "Ilse",
         "Jürgen", "Karin", "Lothar", "Monika", "Norbert", "Petra", "Rainer", "Sabine")  # fmt: skip
LAST = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
        "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Neumann")  # fmt: skip
CASES = [
    ("everyone, newest first", {}),
    ("page 100 of everyone", {"page": "100"}),
    ("last seen first, page 150", {"sort": "seen", "page": "150"}),
    ("most posts first", {"sort": "posts"}),
    ("search a surname", {"q": "schmidt"}),
    ("search an e-mail domain", {"q": "@beispiel.de"}),
    ("search, nobody matches", {"q": "zzzzzz"}),
    ("moderators", {"role": "moderator"}),
    ("applicants", {"status": "applicant"}),
    ("silenced", {"status": "silenced"}),
    ("not confirmed", {"status": "unconfirmed"}),
    ("inactive for a year, by posts", {"status": "inactive", "sort": "posts"}),
    ("members named Anna, last seen", {"q": "anna", "status": "member", "sort": "seen"}),
]


def build_app(url: str, work: Path, reset: bool):
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from forum import create_app
    from forum.extensions import db, init_migrate

    config = {
        "SECRET_KEY": common.SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SEARCH_REBUILD_MISSING": False,
        "PLUGINS": [],
    }
    app = create_app(config, instance_path=str(work / "instance"))
    init_migrate(app)
    with app.app_context():
        if reset:
            db.session.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade(revision="heads")
    return app


def fill(app, count: int) -> None:
    """Insert ``count`` accounts: mostly members, some staff, applicants, restricted."""
    import sqlalchemy as sa

    from forum.auth.accounts import hash_password
    from forum.extensions import db
    from forum.users.models import User

    rng = random.Random(7)
    now = datetime.now(UTC)
    with app.app_context():
        password = hash_password(PASSWORD)
        rows = []
        for n in range(count):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            username = "admin" if n == 0 else f"{first.lower()}.{n}"
            role = "admin" if n == 0 else rng.choices(
                ["member", "applicant", "moderator"], weights=[90, 8, 2]
            )[0]  # fmt: skip
            joined = now - timedelta(days=rng.uniform(0, 1500))
            seen = None if rng.random() < 0.1 else joined + (now - joined) * rng.random()
            domain = rng.choice(["example.org", "beispiel.de", "gifhorn.de", "posteo.de"])
            rows.append({
                "username": username, "username_lower": username,
                "email": f"{username}@{domain}", "email_lower": f"{username}@{domain}",
                "password_hash": password, "display_name": f"{first} {last}",
                "bio_raw": "", "bio_cooked": "", "role": role,
                "email_confirmed_at": None if rng.random() < 0.05 else joined,
                "email_on_reply": True, "email_on_mention": True, "email_digest": False,
                "silenced_until": now + timedelta(days=3) if rng.random() < 0.01 else None,
                "silence_reason": "", "suspend_reason": "",
                "suspended_until": now + timedelta(days=3) if rng.random() < 0.005 else None,
                "published_post_count": 0, "created_at": joined, "last_seen_at": seen,
                "topic_count": 0, "post_count": int(rng.paretovariate(1.2)) - 1,
                "likes_received": 0, "likes_given": 0,
            })  # fmt: skip
        for start in range(0, len(rows), 2000):
            db.session.execute(sa.insert(User), rows[start : start + 2000])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE users"))
            db.session.commit()


def measure(app, runs: int) -> list[tuple[str, float, float, float, int]]:
    client = app.test_client()
    response = client.post("/login", data={"login": "admin", "password": PASSWORD})
    assert response.status_code == 302, "the admin could not log in"
    results = []
    for name, args in CASES:
        times, cpu = [], []
        for _ in range(runs):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get("/admin/users", query_string=args)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            assert response.status_code == 200, (name, response.status_code)
        body = response.get_data(as_text=True)
        found = body.count('class="people-card"')
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        results.append((name, statistics.median(times), p95, statistics.median(cpu), found))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reset", action="store_true", help="drop every table first (PostgreSQL)")
    options = parser.parse_args()
    work = common.DATA_DIR / "people-bench"
    url = common.database_url()
    if url == common.DEFAULT_DATABASE_URL:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        url = f"sqlite:///{work / 'forum.sqlite3'}"
    else:
        work.mkdir(parents=True, exist_ok=True)
    app = build_app(url, work, options.reset)
    started = time.perf_counter()
    fill(app, options.users)
    seconds = time.perf_counter() - started
    print(f"{options.users:,} users in {common.safe_url(url)} ({seconds:.1f} s)")
    # CPU time of this process hardly changes when other programs load the machine
    # (SQLite runs in-process; on PostgreSQL the server's time is in "median ms" only).
    print(f"{'filter':<36} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>7} {'shown':>6}")
    for name, median, p95, cpu, found in measure(app, options.runs):
        print(f"{name:<36} {median:>10.1f} {p95:>8.1f} {cpu:>7.1f} {found:>6}")


if __name__ == "__main__":
    main()
