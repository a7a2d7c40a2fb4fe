"""What any member page can reach in this stack: two floors beside the bare ceiling.

    .venv/bin/python bench/member_floor.py                 # in-process and over HTTP (needs wrk)
    .venv/bin/python bench/member_floor.py --mode inprocess

Issue 15 asks for a member's topic page at half the bare ceiling's rate
(bench/bare.py). Before more of the page is cached, this measures what is
left when nearly all of it is: two routes added to the bench app, each
answering with the topic page's bytes kept from its first request.

- **signed in**: Flask-Login loads the member (the session cookie, the user
  loader's one statement, the ORM object every permission question reads);
  nothing else.
- **shared page**: what a member page kept whole for everyone who may see it
  would still do per request: the member loaded, the topic loaded and its
  permission asked (``readable_topic``, the one decision in forum/permissions),
  and the two statements that only this reader's answers can fill in (their
  likes, bookmarks and flags on the page; the header's counts). No template,
  no context processors, no personal part filled in: a lower bound.
- **topic kept per generation + 1 statement**: the topic and its category kept
  while the guests' page generation stands (read per request, as the page
  cache does), the permission asked of them in Python, the reader's part in
  one statement, 30 slots filled in: the least a member page could do here.

Both are compared with the bare page and with the real member topic page, as
req/s ratios in the same run: in-process (CPU ms per request) and through
gunicorn with 2 sync workers driven by ``wrk -t2 -c8``, as bench/wrk_pages.py.
"""

import argparse
import gc
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bare
import common
import run
import wrk_pages

SIGNED_IN_PATH = "/_floor/signed-in"
SHARED_PATH = "/_floor/shared/<int:topic_id>"
ONE_STATEMENT_PATH = "/_floor/one-statement/<int:topic_id>"


def create_floor_app():
    """Gunicorn entry point: the forum (as bench/common.py serves it) with the two floors."""
    from flask_login import current_user

    from forum import permissions
    from forum.boards import topic_page
    from forum.boards.loaders import readable_topic
    from forum.extensions import db
    from forum.messages.queries import header_counts

    app = common.create_forum_app()
    targets = common.find_targets(app)
    topic_path = dict(targets.pages())["topic first page"]
    kept: dict[str, str] = {}

    def page() -> str:
        if "page" not in kept:
            client = app.test_client()
            kept["page"] = client.get(topic_path, headers=run.HEADERS).get_data(as_text=True)
        return kept["page"]

    def signed_in():
        return page() if current_user.is_authenticated else ("not signed in", 403)

    def shared(topic_id: int):
        topic = readable_topic(topic_id)
        user = current_user._get_current_object()
        if not user.is_authenticated:
            return "not signed in", 403
        marks = {"user_id": user.id, "ids": list(range(1, 21)), "topic_id": topic.id}
        db.session.execute(topic_page._READER_MARKS, marks).all()
        header_counts(user, with_ignored=True)
        return page()

    def one_statement(topic_id: int):
        # The topic and its category kept while the guests' page generation
        # stands (read per request, as the page cache does), the permission
        # asked of the kept objects, the reader's part in one statement, and
        # slots filled in: what a member page kept per role would do at best.
        store = app.extensions["forum.page_cache"]
        generation = store.generation()
        topic = kept.get(("topic", topic_id, generation))
        if topic is None:
            topic = readable_topic(topic_id)
            topic.category.read_level  # noqa: B018 (loaded before the session lets it go)
            db.session.expunge_all()
            kept[("topic", topic_id, generation)] = topic
        user = current_user._get_current_object()
        if not user.is_authenticated or not permissions.can_read_topic(user, topic):
            return "not allowed", 403
        counts = header_counts(user, with_ignored=True)
        parts = kept.get("parts")
        if parts is None:
            # A kept page is split at its slots once; each request joins it.
            body = page()
            step = len(body) // 31
            parts = kept["parts"] = [body[i * step : (i + 1) * step] for i in range(30)]
            parts.append(body[30 * step :])
        filled = [parts[0]]
        for part in parts[1:]:
            filled += (str(counts.notifications), part)
        return "".join(filled)

    app.add_url_rule(ONE_STATEMENT_PATH, "bench_floor_one_statement", one_statement)
    app.add_url_rule(SIGNED_IN_PATH, "bench_floor_signed_in", signed_in)
    app.add_url_rule(SHARED_PATH, "bench_floor_shared", shared)
    return app


def _paths(targets) -> list[tuple[str, str]]:
    topic_path = dict(targets.pages())["topic first page"]
    topic_id = int(topic_path.split("?")[0].rstrip("/").split("/")[-1])
    shared_path = SHARED_PATH.replace("<int:topic_id>", str(topic_id))
    return [
        ("signed in, page kept", SIGNED_IN_PATH),
        ("shared page + 2 personal statements", shared_path),
        ("topic kept per generation + 1 statement", shared_path.replace("shared", "one-statement")),
        ("topic first page (member)", topic_path),
    ]


def _cpu_ms(client, path: str, requests: int) -> float:
    for _ in range(20):
        client.get(path, headers=run.HEADERS).close()
    run.freeze_like_a_worker()
    started = time.process_time()
    for _ in range(requests):
        response = client.get(path, headers=run.HEADERS)
        response.get_data()
        response.close()
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    return (time.process_time() - started) / requests * 1000


def inprocess(requests: int) -> None:
    url = common.database_url(None)
    os.environ.setdefault("FORUM_SQLALCHEMY_DATABASE_URI", url)
    app = create_floor_app()
    targets = common.find_targets(app)
    member = run.inprocess_clients(app, targets)["member"]
    bare_app = bare.make_bare_app(bare.load_posts(url, app.config["POSTS_PER_PAGE"]))
    bare_ms = _cpu_ms(bare_app.test_client(), bare.BARE_PATH, requests)
    print("## In-process, CPU ms per request\n")
    print("| page | CPU ms | x bare |\n|---|---:|---:|")
    print(f"| bare | {bare_ms:.2f} | 1.00 |")
    for name, path in _paths(targets):
        ms = _cpu_ms(member, path, requests)
        print(f"| {name} | {ms:.2f} | {bare_ms / ms:.2f} |", flush=True)
    gc.unfreeze()


def _wrk(port: int, path: str, cookie: str | None, seconds: int) -> float:
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "-H",
               f"Accept-Language: {run.HEADERS['Accept-Language']}"]  # fmt: skip
    if cookie:
        command += ["-H", f"Cookie: session={cookie}"]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=False
    ).stdout
    if re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        raise SystemExit(f"{path} answered errors under wrk:\n{out}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(found.group(1)) if found else 0.0


def http(seconds: int) -> None:
    with wrk_pages.forum_and_bare("member_floor:create_floor_app()") as served:
        targets, cookie, forum_port, bare_port = served
        print("\n## Gunicorn, 2 sync workers, wrk -t2 -c8, req/s\n")
        print("| round | page | req/s | x bare |\n|---|---|---:|---:|")
        for round_number in (1, 2):
            bare_rps = _wrk(bare_port, bare.BARE_PATH, None, seconds)
            print(f"| {round_number} | bare | {bare_rps:.0f} | 1.00 |", flush=True)
            for name, path in _paths(targets):
                rps = _wrk(forum_port, path, cookie, seconds)
                print(f"| {round_number} | {name} | {rps:.0f} | {rps / bare_rps:.2f} |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("both", "inprocess", "http"), default="both")
    parser.add_argument("--requests", type=int, default=500, help="in-process, per page")
    parser.add_argument("--seconds", type=int, default=8, help="wrk, per page and round")
    args = parser.parse_args(argv)
    print(f"load average at the start: {Path('/proc/loadavg').read_text().split()[:3]}\n")
    if args.mode in ("both", "inprocess"):
        inprocess(args.requests)
    if args.mode in ("both", "http"):
        http(args.seconds)
    print(f"\nload average at the end: {Path('/proc/loadavg').read_text().split()[:3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
