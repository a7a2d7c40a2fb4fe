"""What the database spends on each benchmarked page: EXPLAIN ANALYZE of the
statements the page really ran.

    FORUM_PAGE_CACHE_ENABLED=false .venv/bin/python bench/page_sql.py --url postgresql+psycopg://...
    .venv/bin/python bench/page_sql.py --url ... --who member --plans "category deep"

Every page of bench/run.py is requested once to warm up and once more while
its statements are recorded; each SELECT is then run again under ``EXPLAIN
(ANALYZE)`` (best of ``--repeat``, inside a transaction that is rolled back)
and the page's line gives the number of statements (writes after the response
included) and the sum of PostgreSQL's planning and execution time. Unlike the
request's wall time this hardly depends on what else the machine runs, and it
shows which statement grows with the data (``--plans`` prints the plans of the
slowest two). PostgreSQL only. Turn the page cache off to see guests' pages'
statements (a warm guest page runs none).
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import run
import sqlalchemy as sa


def explain(raw, statement: str, params, repeat: int) -> tuple[float, dict]:
    """Return the best planning + execution ms of ``repeat`` runs and that plan."""
    best: tuple[float, dict] | None = None
    for _ in range(repeat):
        cursor = raw.cursor()
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params)
        plan = cursor.fetchone()[0][0]
        raw.rollback()
        ms = plan["Execution Time"] + plan["Planning Time"]
        if best is None or ms < best[0]:
            best = (ms, plan)
    assert best is not None
    return best


def text_plan(raw, statement: str, params) -> str:
    cursor = raw.cursor()
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
    rows = [row[0] for row in cursor.fetchall()]
    raw.rollback()
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="SQLAlchemy URL (default: $BENCH_DATABASE_URL)")
    parser.add_argument("--who", choices=run.WHO, action="append", help="default: both")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--plans", action="store_true", help="print the two slowest plans")
    parser.add_argument("pages", nargs="*", help="page names (default: all)")
    args = parser.parse_args(argv)
    url = common.database_url(args.url)
    if sa.engine.make_url(url).get_backend_name() != "postgresql":
        parser.error("EXPLAIN ANALYZE as measured here needs PostgreSQL")
    app = common.make_app(url)
    targets = common.find_targets(app)

    from forum.extensions import db

    recorded: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, params, _context, _many) -> None:
        recorded.append((statement, params))

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", record)
    clients = run.inprocess_clients(app, targets)
    engine = sa.create_engine(url)
    raw = engine.raw_connection()
    try:
        for who in args.who or run.WHO:
            for name, path in targets.pages():
                if name == "ceiling" or (args.pages and name not in args.pages):
                    continue
                clients[who].get(path, headers=run.HEADERS).close()
                recorded.clear()
                response = clients[who].get(path, headers=run.HEADERS)
                response.close()  # the writes after the response run now
                statements = list(recorded)
                timed = sorted(
                    (
                        (*explain(raw, statement, params, args.repeat), statement, params)
                        for statement, params in statements
                        if statement.lstrip().upper().startswith("SELECT")
                    ),
                    key=lambda row: -row[0],
                )
                total = sum(row[0] for row in timed)
                top = " ".join(timed[0][2].split())[:70] if timed else ""
                print(
                    f"{who:6} {name:26} {response.status_code} statements={len(statements):2} "
                    f"server={total:6.1f} ms  slowest={timed[0][0] if timed else 0:.1f} ms: {top}",
                    flush=True,
                )
                if args.plans:
                    for ms, _plan, statement, params in timed[:2]:
                        print(f"--- {ms:.1f} ms: {' '.join(statement.split())[:400]}")
                        print(text_plan(raw, statement, params))
    finally:
        raw.close()
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
