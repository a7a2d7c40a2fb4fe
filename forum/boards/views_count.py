"""Topic view counts, buffered so that reading a page never waits on a write.

Views are added up in memory per process and written in one statement per
topic at most every ``VIEW_FLUSH_INTERVAL`` seconds, after a response has been
sent. A crash loses at most one interval's views, which is fine for a counter.
"""

import threading
import time
from collections import Counter

from flask import Flask

from forum.boards import counters
from forum.boards.models import Topic
from forum.extensions import db


class ViewBuffer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.pending: Counter[int] = Counter()
        self.lock = threading.Lock()
        self.last_flush = time.monotonic()

    def add(self, topic_id: int) -> None:
        with self.lock:
            self.pending[topic_id] += 1

    def flush_if_due(self) -> None:
        interval = self.app.config["VIEW_FLUSH_INTERVAL"]
        if time.monotonic() - self.last_flush >= interval:
            self.flush()

    def flush(self) -> None:
        """Write the buffered counts; called after responses and at exit."""
        with self.lock:
            pending, self.pending = self.pending, Counter()
            self.last_flush = time.monotonic()
        if not pending:
            return
        with self.app.app_context():
            for topic_id, count in pending.items():
                counters.add(Topic, topic_id, views=count)
            db.session.commit()


def init_app(app: Flask) -> None:
    app.extensions["forum.views"] = ViewBuffer(app)


def record_view(app: Flask, topic_id: int) -> None:
    """Count one view of a topic; the write happens after the response."""
    buffer: ViewBuffer = app.extensions["forum.views"]
    buffer.add(topic_id)
