"""Time the Whoosh engine alone (``Evaluator.run``) on the search benchmark's index.

    .venv/bin/python bench/search_bench.py --fresh-copy     # builds bench/data/search-index once
    .venv/bin/python bench/engine_bench.py                  # this checkout's engine
    .venv/bin/python bench/engine_bench.py --old /tmp/old   # alternating with another checkout's

On a shared machine wall times say little: this measures the CPU time of
the thread, per query, for one and two words as a guest and as a member,
and the peak of Python objects (tracemalloc) of a member's most common word.
With ``--old``, the engine modules of that checkout (``whoosh_engine``,
``whoosh_scores``, ``whoosh_segments``) run on the same requests and reader,
alternating with this checkout's round by round, and every result is
compared: both must find the same totals and windows.
"""

import argparse
import importlib.util
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import search_bench

ENGINE_MODULES = ("whoosh_scores", "whoosh_segments", "whoosh_engine")
KINDS = ("one word", "two words")


def load_old(directory: Path):
    """Return the ``whoosh_engine`` module of another checkout, under other names
    (with its own ``whoosh_scores`` and ``whoosh_segments``)."""
    loaded = None
    for name in ENGINE_MODULES:
        source = (directory / "forum" / "search" / f"{name}.py").read_text()
        for other in ENGINE_MODULES:
            source = source.replace(f"forum.search.{other}", f"_old_{other}")
        spec = importlib.util.spec_from_loader(f"_old_{name}", loader=None)
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = loaded
        exec(compile(source, str(directory / name), "exec"), loaded.__dict__)
    return loaded


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old", type=Path, help="another checkout to alternate with")
    parser.add_argument("--rounds", type=int, default=20, help="0: the peaks only")
    parser.add_argument("--peak-words", default="Hilfe", help="comma-separated queries")
    args = parser.parse_args(argv)
    os.environ["FORUM_PLUGINS"] = "[]"
    url = f"sqlite:///{search_bench.COPY}"
    index_dir = str(search_bench.INDEX_DIR)
    app = common.make_app(url, {"SEARCH_INDEX_DIR": index_dir, "PLUGINS": []})

    import sqlalchemy as sa

    from forum.extensions import db
    from forum.search import services, whoosh_engine
    from forum.search.query import parse
    from forum.users.models import User

    engines = {"new": whoosh_engine}
    if args.old:
        engines["old"] = load_old(args.old)
    with app.test_request_context():
        member = db.session.scalar(
            sa.select(User).where(User.username_lower == common.BENCH_MEMBER)
        )
        backend = services.get_backend()
        searcher = backend._searcher()
        per_page = 20
        requests = {}
        for kind in KINDS:
            for who, user in (("guest", None), ("member", member)):
                requests[(kind, who)] = [
                    backend._request(services._criteria(user, parse(text)), None)
                    for text in search_bench.QUERIES[kind]
                ]
        caches = {name: module.TableCache() for name, module in engines.items()}

        def run(name, request):
            return engines[name].Evaluator(searcher, caches[name]).run(request, 0, per_page)

        for name in engines:  # warm-up: tables, lengths, permissions
            for batch in requests.values():
                for request in batch:
                    run(name, request)
        if args.old:  # every kind of query (but the composer's), once: the same results
            for kind, texts in search_bench.resolve_slug(app, search_bench.QUERIES).items():
                for user in (None, member) if kind != "similar" else ():
                    for text in texts:
                        request = backend._request(services._criteria(user, parse(text)), None)
                        old, new = run("old", request), run("new", request)
                        assert (old.total, old.window) == (new.total, new.window), text
            print("The same results for every query of search_bench.py (but similar).\n")
        times: dict = {(name, key): [] for name in engines for key in requests}
        for _round in range(args.rounds):
            for name in engines:
                for key, batch in requests.items():
                    for request in batch:
                        started = time.thread_time()
                        found = run(name, request)
                        times[(name, key)].append((time.thread_time() - started) * 1000)
                        if name != "new":
                            again = run("new", request)
                            assert (found.total, found.window) == (again.total, again.window)
        peaks = {}
        for text in args.peak_words.split(","):
            peak_request = backend._request(services._criteria(member, parse(text)), None)
            for name in engines:
                tracemalloc.start()
                run(name, peak_request)
                peaks[(text, name)] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
                tracemalloc.stop()
    print("Peak of Python objects of a member's search (tracemalloc), MB:\n")
    print("| query | " + " | ".join(engines) + " |")
    print("|---|" + "---:|" * len(engines))
    for text in args.peak_words.split(","):
        print(f"| {text} | " + " | ".join(f"{peaks[(text, n)]:.2f}" for n in engines) + " |")
    if not args.rounds:
        return 0
    print(f"\n# Engine alone, CPU ms median / p95 of Evaluator.run, {args.rounds} rounds\n")
    print("| queries | who | " + " | ".join(engines) + " |")
    print("|---|---|" + "---:|" * len(engines))
    for kind, who in requests:
        cells = [
            f"{statistics.median(times[(n, (kind, who))]):.1f} / {p95(times[(n, (kind, who))]):.1f}"
            for n in engines
        ]
        print(f"| {kind} | {who} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
