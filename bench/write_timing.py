"""The forum for gunicorn, with each POST's wall time, CPU time and SQL time logged.

``bench/write_bench.py --timing`` serves this instead of ``forum:create_app()``:
every POST appends "wall cpu sql statements" (seconds, seconds, seconds, count)
to the file in $BENCH_TIMING_FILE. Wall minus CPU is what the request waited
for: locks, fsyncs, the database server, or a CPU busy with other processes.
SQL is the wall time inside the driver's execute (a SQLite write lock's busy
wait is spent there, and the wait in forum/sqlite_writers.py's queue; a
commit is not).
"""

import ctypes
import os
import sys
import threading
import time

import sqlalchemy as sa

from forum import create_app
from forum.extensions import db

_local = threading.local()


class _Body(list):
    """The response's bytes, closing the original response when the server closes it
    (that is where the forum's work after the response runs)."""

    def __init__(self, chunks, original) -> None:
        super().__init__(chunks)
        self.original = original

    def close(self) -> None:
        if hasattr(self.original, "close"):
            self.original.close()


def _before(_conn, _cursor, _statement, _parameters, context, _many) -> None:
    context._bench_started = time.perf_counter()


def _after(_conn, _cursor, _statement, _parameters, context, _many) -> None:
    if getattr(_local, "on", False):
        _local.sql += time.perf_counter() - context._bench_started
        _local.statements += 1


def _name_os_threads() -> None:
    """Give each Python thread its name in the kernel too (Linux, 15 characters), so
    write_bench.py can read each thread's CPU from /proc/<pid>/task/<tid>/{comm,stat}:
    the request thread (the worker's main thread), search-outbox, notify."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (AttributeError, OSError):
        return
    run = threading.Thread.run

    def named_run(self) -> None:
        prctl(15, ctypes.c_char_p(self.name.encode()[:15]), 0, 0, 0)  # PR_SET_NAME
        run(self)

    threading.Thread.run = named_run


def build():
    _name_os_threads()
    if os.environ.get("BENCH_SWITCH_INTERVAL"):
        # How soon a thread that waited for I/O gets the GIL back from the
        # worker's search and notification threads (Python's default: 5 ms).
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH_INTERVAL"]))
    forum = create_app()
    with forum.app_context():
        # First, so a SQLite writer's wait in forum/sqlite_writers.py's queue counts too.
        sa.event.listen(db.engine, "before_cursor_execute", _before, insert=True)
        sa.event.listen(db.engine, "after_cursor_execute", _after)
    path = os.environ["BENCH_TIMING_FILE"]

    def app(environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST":
            return forum(environ, start_response)
        _local.on, _local.sql, _local.statements = True, 0.0, 0
        wall, cpu = time.perf_counter(), time.thread_time()
        response = None
        try:
            response = forum(environ, start_response)
            # The body is a short redirect page, built in full here.
            chunks = list(response)
        finally:
            line = (f"{time.perf_counter() - wall:.5f} {time.thread_time() - cpu:.5f} "
                    f"{_local.sql:.5f} {_local.statements}\n")  # fmt: skip
            _local.on = False
            with open(path, "a") as out:
                out.write(line)
        return _Body(chunks, response)

    return app


app = build()
