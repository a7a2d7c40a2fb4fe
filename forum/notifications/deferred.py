"""Work that waits until the response has gone out: the fan-out of notifications.

Like ``forum.mail.after_response``, with one difference: a request context
that never produces a response (``test_request_context``, as the demo loader
and scripts use; or a request that ended in an exception) still runs its
tasks, when the context ends. Tasks get an app context (and so a database
session) of their own: pass ids, not rows. Outside a request a task runs at
once (in its own app context too).

With ``NOTIFY_IN_BACKGROUND`` (the default outside tests) the response's close
hands the tasks to one thread of the process instead of running them: a
gunicorn sync worker serves its next request meanwhile. A worker stopping
gracefully waits for the thread (up to ``_Background.finish``'s timeout).
"""

import atexit
import os
import queue
import threading
import time
from collections.abc import Callable

from flask import Flask, after_this_request, current_app, g, has_request_context

_PENDING = "notifications_deferred"


def defer(task: Callable[[], object]) -> None:
    if not has_request_context():
        # At once, but in a session of its own: a failure cannot spoil the caller's.
        _runner(current_app._get_current_object(), [task])()
        return
    pending = g.get(_PENDING)
    if pending is None:
        pending = g.setdefault(_PENDING, [])

        @after_this_request
        def hand_to_response(response):
            tasks = g.pop(_PENDING, [])
            app = current_app._get_current_object()
            run = _runner(app, tasks)
            if app.config["NOTIFY_IN_BACKGROUND"]:
                response.call_on_close(lambda: _background(app).put(run))
            else:
                response.call_on_close(run)
            return response

    pending.append(task)


def run_left_over(_error: BaseException | None = None) -> None:
    """Run the tasks of a request context that ends without a response."""
    tasks = g.pop(_PENDING, None) if has_request_context() else None
    if tasks:
        _runner(current_app._get_current_object(), tasks)()


def _runner(app, tasks: list[Callable[[], object]]) -> Callable[[], None]:
    def run() -> None:
        for task in tasks:
            with app.app_context():
                try:
                    task()
                except Exception:  # the response is gone; only the log would see it
                    app.logger.exception("Notifying after the response failed")

    return run


class _Background:
    """One thread per process that runs the handed-over fan-outs in order."""

    def __init__(self) -> None:
        self.queue: queue.Queue[Callable[[], None]] = queue.Queue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pid = 0

    def put(self, run: Callable[[], None]) -> None:
        self.queue.put(run)
        with self.lock:
            # A fork (gunicorn --preload) does not copy threads: start one per process.
            if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._run, name="notify", daemon=True)
                self.thread.start()

    def _run(self) -> None:
        while True:
            run = self.queue.get()
            try:
                run()  # logs its own failures
            finally:
                self.queue.task_done()

    def finish(self, timeout: float = 10.0) -> None:
        """At exit (and in tests): wait until every handed-over fan-out has run."""
        deadline = time.monotonic() + timeout
        while self.queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)


def _background(app: Flask) -> _Background:
    background = app.extensions.get("notifications.background")
    if background is None:
        background = app.extensions.setdefault("notifications.background", _Background())
        atexit.register(background.finish)
    return background
