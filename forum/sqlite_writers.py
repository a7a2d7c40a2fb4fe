"""SQLite: writers queue for the write lock on a file lock, tried every 0.2 to 2 ms.

SQLite lets one transaction write at a time. A second writer does not wait in
a queue: its busy handler sleeps and tries again, in steps growing to 100 ms
(1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms), so under 8 writers a reply
often slept 50 to 100 ms after the lock was free again (the p95 of
bench/write_bench.py on SQLite).

Here each connection takes an exclusive ``flock`` on a file beside the
database (``<database>-writers``) just before the first write statement of a
transaction, the statement that takes SQLite's write lock, and gives it back
right after that transaction's commit or rollback. Whoever waits for the
file's lock tries again every 0.2 to 2 ms (a blocking ``flock`` would wake at
once but cannot time out), so it goes in at most 2 ms after the lock is
free, not up to 100 ms. The file lock is
taken only where SQLite's would be wanted anyway and never while SQLite's is
held by the same connection, so it cannot deadlock; a writer that does not
take it (another program, ``sqlite3`` on the command line) is waited for by
SQLite's busy handler as before. The wait for the file lock is bounded by the
busy timeout too: after ``timeout`` seconds the writer goes on without it and
SQLite's busy handler decides, as without the queue.
"""

import fcntl
import os
import threading
import time
from typing import Any

import sqlalchemy as sa

#: Statements before which pysqlite opens a transaction (and SQLite takes its write lock).
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
#: Seconds between tries while another process holds the file lock; short, as
#: most write transactions of a reply last a few milliseconds.
_POLL = (0.0002, 0.0005, 0.001, 0.002)


class WriterQueue:
    """The file lock of one SQLite database, shared by the engine's connections."""

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        # id(dbapi connection) -> open file of that connection (an flock belongs
        # to an open file: each connection needs its own to queue against the others).
        self.files: dict[int, int] = {}
        self.held: set[int] = set()
        self.lock = threading.Lock()

    def _file(self, key: int) -> int:
        with self.lock:
            fd = self.files.get(key)
            if fd is None:
                fd = self.files[key] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            return fd

    def acquire(self, key: int) -> None:
        fd = self._file(key)
        deadline = time.monotonic() + self.timeout
        step = 0
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return  # SQLite's busy handler decides, as without the queue
                time.sleep(_POLL[min(step, len(_POLL) - 1)])
                step += 1
                continue
            self.held.add(key)
            return

    def release(self, key: int) -> None:
        if key in self.held:
            self.held.discard(key)
            fcntl.flock(self.files[key], fcntl.LOCK_UN)

    def forget(self, key: int) -> None:
        self.release(key)
        with self.lock:
            fd = self.files.pop(key, None)
        if fd is not None:
            os.close(fd)


def _key(dbapi_connection: Any) -> int:
    # The pool's reset passes its wrapper (the "fairy"), the dialect the connection.
    return id(getattr(dbapi_connection, "dbapi_connection", dbapi_connection))


def install(engine: sa.Engine, database: str, timeout: float) -> WriterQueue:
    """Queue ``engine``'s writers to the SQLite file ``database``."""
    queue = WriterQueue(f"{database}-writers", timeout)
    dialect = engine.dialect

    def before_write(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        if statement.lstrip()[:7].upper().startswith(_WRITES):
            dbapi_connection = conn.connection.dbapi_connection
            key = id(dbapi_connection)
            if key not in queue.held and not dbapi_connection.in_transaction:
                queue.acquire(key)

    def after_write(conn, *_rest) -> None:
        # A statement in autocommit, or a failed one that ended its transaction.
        dbapi_connection = conn.connection.dbapi_connection
        if id(dbapi_connection) in queue.held and not dbapi_connection.in_transaction:
            queue.release(id(dbapi_connection))

    def failed(context) -> None:
        if context.connection is not None and not context.connection.invalidated:
            after_write(context.connection)

    def ending(original):
        def end(dbapi_connection) -> None:
            try:
                original(dbapi_connection)
            finally:
                queue.release(_key(dbapi_connection))

        return end

    # After the commit or rollback itself, not before (the engine's "commit"
    # event comes before it): the next writer must find SQLite's lock free.
    dialect.do_commit = ending(dialect.do_commit)
    dialect.do_rollback = ending(dialect.do_rollback)
    sa.event.listen(engine, "before_cursor_execute", before_write)
    sa.event.listen(engine, "after_cursor_execute", after_write)
    sa.event.listen(engine, "handle_error", failed)
    sa.event.listen(engine.pool, "close", lambda dbapi, _record: queue.forget(_key(dbapi)))
    sa.event.listen(engine.pool, "invalidate", lambda dbapi, *_: queue.release(_key(dbapi)))
    return queue
