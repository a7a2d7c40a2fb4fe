"""gunicorn's settings for the forum: read from the directory gunicorn starts in
(the checkout, as docs/operations.md's systemd unit does), or with ``-c gunicorn.conf.py``.

Command-line flags (``-w 4 -b 127.0.0.1:8000``) still win over this file.

It imports nothing of the forum: the master process would keep the imported
modules, and the workers a reload (``systemctl reload``, HUP) starts would run
the old code.
"""

import gc

#: The worker's first requests warm it (templates compiled, statements cached);
#: then what is alive is frozen once more.
FREEZE_AGAIN_AFTER = 100


def _freeze() -> None:
    # Python's cyclic garbage collector walks every container object alive, so a
    # worker holding the whole app (modules, SQLAlchemy's mappers, compiled
    # templates: hundreds of thousands of objects, all kept until the worker ends)
    # paid 0.2-0.8 ms of CPU per member page for walks that never found anything
    # to free there. gc.freeze() moves what is alive now out of the collector's
    # sight; objects made later (a request's) are collected as before, and
    # reference counting still frees frozen ones. Collect first so that no
    # garbage is frozen with them.
    gc.collect()
    gc.freeze()


def post_worker_init(worker) -> None:
    """The worker has loaded the app (gunicorn loads it in each worker unless --preload)."""
    _freeze()
    worker.forum_requests = 0


def post_request(worker, req, environ, resp) -> None:
    """Freeze once more when the worker is warm; a counter is all it costs afterwards."""
    # The local count, not the attribute, is compared: gthread workers call this
    # from several threads at once.
    count = getattr(worker, "forum_requests", 0) + 1
    worker.forum_requests = count
    if count == FREEZE_AGAIN_AFTER:
        _freeze()
