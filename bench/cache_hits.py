"""What the caches' bounds cost in hits: hot pages read among a crawler's, in-process.

    python bench/cache_hits.py                       # the bounds of forum/config.py
    FORUM_PAGE_CACHE_KB=8192 python bench/cache_hits.py --crawl 3
    python bench/cache_hits.py --crawl 1 --member-crawl

Each round a guest and a member read one of 16 hot pages (home, latest, a
category, the long topic's first page, the 12 most recently bumped public topics;
Zipf-weighted), then a crawler reads ``--crawl`` new topics as a guest (and the
member reads them too with ``--member-crawl``). Prints the share of the guests'
hot pages served from the page cache and the member's CPU per hot page (what the
kept pages and post blocks save). The first 100 rounds warm up.
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import run
import worker_memory

ROUNDS = 900
WARMUP = 100


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--crawl", type=int, default=1, help="new topics a guest reads a round")
    parser.add_argument("--member-crawl", action="store_true", help="the member reads them too")
    args = parser.parse_args(argv)
    app = common.make_app(common.database_url(None))
    targets = common.find_targets(app)
    clients = run.inprocess_clients(app, targets)
    guest, member = clients["guest"], clients["member"]
    pages = dict(targets.pages())
    topics = [path for path, _title in worker_memory.recent_public_topics(app, 1200)]
    hot = [pages["home"], pages["latest"], pages["category"], pages["topic first page"]]
    hot += topics[:12]
    crawled = topics[12:]
    weights = [1 / rank for rank in range(1, len(hot) + 1)]
    random.seed(1)
    hits = misses = 0
    member_cpu, member_reads = 0.0, 0
    started = time.perf_counter()
    for number in range(ROUNDS):
        response = guest.get(random.choices(hot, weights)[0], headers=run.HEADERS)
        if number >= WARMUP:
            if response.headers.get("X-Page-Cache") == "hit":
                hits += 1
            else:
                misses += 1
        response.close()
        path = random.choices(hot, weights)[0]
        cpu = time.process_time()
        member.get(path, headers=run.HEADERS).close()
        if number >= WARMUP:
            member_cpu += time.process_time() - cpu
            member_reads += 1
        for step in range(args.crawl):
            path = crawled[(number * args.crawl + step) % len(crawled)]
            guest.get(path, headers=run.HEADERS).close()
            if args.member_crawl:
                member.get(path, headers=run.HEADERS).close()
    config = app.config
    print(
        f"PAGE_CACHE_KB {config['PAGE_CACHE_KB']}, KEPT_PAGES_CACHE_KB "
        f"{config['KEPT_PAGES_CACHE_KB']}, POST_BLOCKS_CACHE_KB {config['POST_BLOCKS_CACHE_KB']}; "
        f"crawl {args.crawl}{' (member too)' if args.member_crawl else ''}: guests' hot pages "
        f"from the cache {hits / (hits + misses):.2f}; member's hot page CPU "
        f"{member_cpu / member_reads * 1000:.2f} ms; {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
