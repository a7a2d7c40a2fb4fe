"""What PostgreSQL spends on each benchmarked search: the statements the search
service really sent, run again under ``EXPLAIN (ANALYZE, BUFFERS)``.

    .venv/bin/python bench/search_sql.py --url postgresql+psycopg://... --rounds 3
    .venv/bin/python bench/search_sql.py --url ... --kind typo --plans 2

For every query of search_bench.py (the same sets, guest and member) the
search runs once to warm up and once more while its statements are recorded;
they are then replayed in a transaction that is rolled back: ``SET``
statements as sent (the search's ``SET LOCAL``), each ``SELECT`` under
``EXPLAIN (ANALYZE, BUFFERS, TIMING OFF)``. A query's figure is the sum of its
statements' planning and execution time, the median of ``--rounds`` replays.
Unlike the wall time this hardly depends on what else the 2-core machine runs
(the database's own CPU and reads), so old and new code compare in one run.
Prints, per kind and reader, the median and p95 of those sums, the statements
per query, and with ``--plans N`` the plans of the N slowest statements.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import search_bench
import sqlalchemy as sa


def replay(raw, statements, rounds: int) -> list[tuple[float, dict, str, object]]:
    """Return, per SELECT of ``statements``, its median planning + execution ms,
    a plan and the statement (SET statements are run as they were)."""
    timings: dict[int, list[tuple[float, dict]]] = {}
    for _ in range(rounds):
        cursor = raw.cursor()
        for number, (statement, params) in enumerate(statements):
            head = statement.lstrip().upper()
            if head.startswith("SET"):
                cursor.execute(statement, params)
            elif head.startswith(("SELECT", "WITH")):
                cursor.execute(
                    "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) " + statement, params
                )
                plan = cursor.fetchone()[0][0]
                ms = plan["Execution Time"] + plan["Planning Time"]
                timings.setdefault(number, []).append((ms, plan))
        raw.rollback()
    result = []
    for number, samples in timings.items():
        samples.sort(key=lambda sample: sample[0])
        ms, plan = samples[len(samples) // 2]
        statement, params = statements[number]
        result.append((ms, plan, statement, params))
    return result


def text_plan(raw, statements, target: int) -> str:
    """The EXPLAIN (ANALYZE, BUFFERS) text of statement ``target``, after the SETs before it."""
    cursor = raw.cursor()
    for statement, params in statements[:target]:
        if statement.lstrip().upper().startswith("SET"):
            cursor.execute(statement, params)
    statement, params = statements[target]
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
    text = "\n".join(row[0] for row in cursor.fetchall())
    raw.rollback()
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="SQLAlchemy URL (default: $BENCH_DATABASE_URL)")
    parser.add_argument("--rounds", type=int, default=3, help="replays of each query's statements")
    parser.add_argument("--kind", action="append", help="query kinds (default: all)")
    parser.add_argument("--who", choices=search_bench.WHO, action="append")
    parser.add_argument("--plans", type=int, default=0, help="print the N slowest plans")
    args = parser.parse_args(argv)
    url = common.database_url(args.url)
    if sa.engine.make_url(url).get_backend_name() != "postgresql":
        parser.error("EXPLAIN ANALYZE as measured here needs PostgreSQL")
    app = common.make_app(url, {"SEARCH_BACKEND": "postgres", "PLUGINS": []})
    queries = search_bench.resolve_slug(app, search_bench.QUERIES)

    from forum.extensions import db
    from forum.search import services
    from forum.search.similar import find_similar
    from forum.users.models import User

    recorded: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, params, _context, _many) -> None:
        recorded.append((statement, params))

    engine = sa.create_engine(url)
    raw = engine.raw_connection()
    slowest: list[tuple[float, str, str, list, int]] = []
    lines = [
        "| queries | who | n | DB median ms | DB p95 ms | statements | wall median ms |",
        "|---|---|---:|---:|---:|---|---:|",
    ]
    try:
        with app.test_request_context():
            sa.event.listen(db.engine, "before_cursor_execute", record)
            member = db.session.scalar(
                sa.select(User).where(User.username_lower == common.BENCH_MEMBER)
            )
            people = {"guest": None, "member": member}
            for kind, items in queries.items():
                if args.kind and kind not in args.kind:
                    continue
                run = find_similar if kind == "similar" else services.search
                for who in args.who or search_bench.WHO:
                    sums, counts, walls = [], [], []
                    for text in items:
                        run(people[who], text)
                        db.session.rollback()
                        recorded.clear()
                        started = time.perf_counter()
                        run(people[who], text)
                        walls.append((time.perf_counter() - started) * 1000)
                        db.session.rollback()
                        statements = [
                            (s, p)
                            for s, p in recorded
                            if not s.lstrip().upper().startswith("ROLLBACK")
                        ]
                        timed = replay(raw, statements, args.rounds)
                        sums.append(sum(row[0] for row in timed))
                        counts.append(
                            sum(
                                1
                                for s, _p in statements
                                if not s.lstrip().upper().startswith("SET")
                            )
                        )
                        for ms, _plan, statement, _params in timed:
                            number = next(
                                i for i, (s, _p) in enumerate(statements) if s is statement
                            )
                            slowest.append(
                                (ms, f"{kind}/{who}: {text}", statement, statements, number)
                            )
                        print(
                            f"  {kind:9} {who:6} {sums[-1]:7.1f} ms  "
                            f"{counts[-1]:2} statements  {text}",
                            flush=True,
                        )
                    lines.append(
                        f"| {kind} | {who} | {len(sums)} | {statistics.median(sums):.1f} | "
                        f"{search_bench.p95(sums):.1f} | {min(counts)}-{max(counts)} | "
                        f"{statistics.median(walls):.1f} |"
                    )
        print("\n".join(lines))
        slowest.sort(key=lambda row: -row[0])
        for ms, label, statement, statements, number in slowest[: args.plans]:
            print(f"\n--- {ms:.1f} ms, {label}: {' '.join(statement.split())[:600]}")
            print(text_plan(raw, statements, number))
    finally:
        raw.close()
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
