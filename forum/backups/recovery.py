"""Rebuild a Whoosh index that is missing (a lost folder, an instance restored without it).

The index is derived data, but a forum without it answers every search with
nothing. The first request of each process looks at the index folder (a
directory listing: no SQL, no Whoosh import); when the index was never
written, the process rebuilds it from the database in a background thread
while the forum serves. A lock file lets one gunicorn worker do it and the
others skip. ``SEARCH_REBUILD_MISSING = False`` turns this off.
"""

import fcntl
import logging
import threading
from pathlib import Path

from flask import Flask

log = logging.getLogger(__name__)

LOCK_NAME = "search-rebuild.lock"


def index_directory(app: Flask) -> Path:
    """Return the Whoosh index folder (the rule of ``search.services.make_backend``)."""
    # Not asked of the backend: building it imports Whoosh into every worker.
    return Path(app.config["SEARCH_INDEX_DIR"] or f"{app.instance_path}/search-index")


def index_missing(app: Flask) -> bool:
    """Whether the Whoosh index was never written: no folder, or created and left empty."""
    directory = index_directory(app)
    if not directory.is_dir():
        return True
    # Whoosh writes _posts_0.toc when it creates an index and a file of the next
    # generation at each commit; generation 0 alone means nothing was ever added
    # (or a rebuild died before its commit).
    tables = sorted(path.name for path in directory.glob("_posts_*.toc"))
    return tables in ([], ["_posts_0.toc"])


def init_app(app: Flask) -> None:
    """Check the index at the first request of each process; rebuild it if missing."""
    if not app.config["SEARCH_REBUILD_MISSING"] or app.config["SEARCH_BACKEND"] != "whoosh":
        return
    checked = threading.Event()
    guard = threading.Lock()

    def check_search_index() -> None:
        if checked.is_set():
            return
        with guard:
            if checked.is_set():
                return
            checked.set()
        if index_missing(app):
            threading.Thread(
                target=rebuild_if_missing, args=(app,), name="search-rebuild", daemon=True
            ).start()

    app.before_request(check_search_index)


def rebuild_if_missing(app: Flask) -> int | None:
    """Rebuild a missing index that should hold posts; return their number, else None.

    None also when another process holds the rebuild lock (it is rebuilding).
    """
    with open(Path(app.instance_path) / LOCK_NAME, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        try:
            with app.app_context():
                from forum.search.services import post_count, reindex

                if not index_missing(app) or post_count() == 0:
                    return None
                log.warning(
                    "The search index in %s is missing; rebuilding it from the database.",
                    index_directory(app),
                )
                count = reindex(app)
                log.warning("Rebuilt the search index: %s posts.", count)
                return count
        except Exception:
            log.exception(
                "Rebuilding the search index failed; run `flask --app forum search reindex`."
            )
            return None
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
