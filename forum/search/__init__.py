"""Full-text search: German analysis, permission-aware queries, an outbox.

Public API for the rest of the forum and for plugins:

- ``init_app(app)``: build the backend SEARCH_BACKEND names, listen for changes;
- ``enqueue(kind, id)``: record index work for a change made with Core SQL;
- ``register_filter(name, handler)``: add a filter word (``status:solved``).
"""

from flask import Flask

from forum.search.outbox import enqueue
from forum.search.query import QueryError, register_filter, unregister_filter

__all__ = ["QueryError", "enqueue", "init_app", "register_filter", "unregister_filter"]


def init_app(app: Flask) -> None:
    """Attach the search backend to ``app`` and follow changes (applied after responses)."""
    from forum.search import outbox
    from forum.search.services import make_backend

    app.extensions["search"] = make_backend(app)
    outbox.init_app(app)
