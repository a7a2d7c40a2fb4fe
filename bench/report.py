"""bench/run.py's report: the table of every page's figures and the run's environment."""

import contextlib
import os
import platform
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import common
import sqlalchemy as sa


@dataclass
class Result:
    page: str
    who: str
    mode: str
    requests: int = 0
    seconds: float = 0.0
    #: CPU time of this process (in-process mode): robust when the machine is busy.
    cpu_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    sql: list[int] = field(default_factory=list)
    sql_after: list[int] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    size: int = 0
    rss_kb: int | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(int(q * len(ordered)), len(ordered) - 1)] * 1000

    @property
    def ok(self) -> bool:
        return set(self.statuses) == {200}

    def count(self, status: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1


def table(results: list[Result], with_sql: bool) -> str:
    ceilings = {(r.who, r.mode): r.rps for r in results if r.page == "ceiling"}
    bares = {(r.who, r.mode): r.rps for r in results if r.page == "bare"}
    # CPU time per request, bare over page: the ratio a busy machine hardly moves.
    bare_cpus = {
        (r.who, r.mode): r.cpu_seconds / r.requests * 1000
        for r in results
        if r.page == "bare" and r.requests and r.cpu_seconds
    }
    head = "| page | who | req/s | x bare | x ceiling | median ms | p95 ms | KB |"
    rule = "|---|---|---:|---:|---:|---:|---:|---:|"
    if with_sql:
        head += " CPU ms | x bare CPU | SQL | SQL after response |"
        rule += "---:|---:|---:|---:|"
    else:
        head += " worker RSS MB |"
        rule += "---:|"
    lines = [head, rule]
    for r in results:
        ceiling = ceilings.get((r.who, r.mode))
        ratio = f"{r.rps / ceiling:.2f}" if ceiling else "-"
        bare_rps = bares.get((r.who, r.mode))
        bare_ratio = f"{r.rps / bare_rps:.2f}" if bare_rps else "-"
        row = (
            f"| {r.page} | {r.who} | {r.rps:,.0f} | {bare_ratio} | {ratio} | "
            f"{r.quantile(0.5):.1f} | "
            f"{r.quantile(0.95):.1f} | {r.size / 1024:.0f} |"
        )
        if with_sql:
            cpu = r.cpu_seconds / r.requests * 1000 if r.requests else 0.0
            bare_cpu = bare_cpus.get((r.who, r.mode))
            cpu_ratio = f"{bare_cpu / cpu:.2f}" if bare_cpu and cpu else "-"
            row += f" {cpu:.1f} | {cpu_ratio} | {_spread(r.sql)} | {_spread(r.sql_after)} |"
        else:
            row += f" {r.rss_kb / 1024:.0f} |" if r.rss_kb else " - |"
        if not r.ok:
            row += f" **status {r.statuses}**"
        lines.append(row)
    return "\n".join(lines)


def _spread(values: list[int]) -> str:
    if not values:
        return "-"
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}-{high}"


def environment(app, url: str, targets: common.Targets, args) -> str:
    from forum.extensions import db

    with app.app_context():
        counts = {
            table: db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("categories", "users", "topics", "posts", "post_likes")
        }
        dialect = db.engine.dialect.name
    commit = subprocess.run(
        ["git", "-C", str(common.ROOT), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    data = ", ".join(f"{n:,} {t}" for t, n in counts.items())
    return "\n".join(
        [
            f"- when: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; code: {commit or 'unknown'}",
            f"- machine: {cpu}, {os.cpu_count()} CPUs; Python {platform.python_version()}; "
            # Other programs' share of the CPUs: wall-clock figures shrink with it.
            f"load average at the start {' / '.join(f'{x:.1f}' for x in os.getloadavg())}",
            f"- database: {dialect}, {common.safe_url(url)}",
            f"- data: {data}",
            f"- topic: /t/{targets.topic_slug}/{targets.topic_id} ({targets.topic_pages} pages); "
            f"member: {targets.member_username}; profile: {targets.profile_username}",
            f"- in-process: {args.requests} requests per page and person after "
            f"{args.warmup} warm-up, then gc.freeze() as in a worker; gunicorn: "
            f"{args.http_requests} requests per page and person, {args.concurrency} client "
            f"threads, `-w 1 -c gunicorn.conf.py {args.gunicorn_args}`".rstrip(),
        ]
    )
