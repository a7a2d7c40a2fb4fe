"""What every benchmarked search finds, as JSON, to compare two versions of the code.

    .venv/bin/python bench/search_hits.py --url postgresql+psycopg://... --out new.json
    (cd <old checkout> && .venv/bin/python bench/search_hits.py --url ... --out old.json)
    cmp old.json new.json

For every query of search_bench.py (guest and member, the backend of
``--backend``): the query searched (a correction's), the topics found and
whether "more than", the hits' topic and post ids with their marked title and
excerpt; for similar topics the topics' ids and titles. A change that is
meant to make search faster must leave the file as it was.
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import search_bench
import sqlalchemy as sa


def found(app, queries) -> dict:
    from forum.extensions import db
    from forum.search import services
    from forum.search.similar import find_similar
    from forum.users.models import User

    result = {}
    with app.test_request_context():
        member = db.session.scalar(
            sa.select(User).where(User.username_lower == common.BENCH_MEMBER)
        )
        for who, person in (("guest", None), ("member", member)):
            for kind, items in queries.items():
                for text in items:
                    key = f"{who} | {kind} | {text}"
                    if kind == "similar":
                        result[key] = [(t.id, t.title) for t in find_similar(person, text)]
                    else:
                        page = services.search(person, text)
                        result[key] = {
                            "query": page.query,
                            "corrected_from": page.corrected_from,
                            "total": page.total,
                            "more_than": page.more_than,
                            "hits": [
                                (r.topic.id, r.post.id, str(r.title_html), str(r.excerpt_html))
                                for r in page.results
                            ],
                        }
                    db.session.rollback()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="database URL (default: $BENCH_DATABASE_URL)")
    parser.add_argument("--backend", choices=("whoosh", "postgres"), default="postgres")
    parser.add_argument("--out", required=True, help="the JSON file to write")
    args = parser.parse_args(argv)
    os.environ["FORUM_PLUGINS"] = "[]"
    url = search_bench.prepare_database(common.database_url(args.url), fresh=False)
    app = common.make_app(
        url,
        {
            "SEARCH_BACKEND": args.backend,
            "SEARCH_INDEX_DIR": str(search_bench.INDEX_DIR),
            "PLUGINS": [],
        },
    )
    result = found(app, search_bench.resolve_slug(app, search_bench.QUERIES))
    Path(args.out).write_text(json.dumps(result, indent=1, ensure_ascii=False, sort_keys=True))
    print(f"{len(result)} searches written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
