"""Start-up checks of the settings a production forum depends on.

"Production" is any app that is neither in debug mode (``flask --debug``,
``FLASK_DEBUG=1``) nor testing: gunicorn, uWSGI, or ``flask run`` without
``--debug``. There a setting that would leave the forum open refuses start-up
with a message that says which setting to change; in development it is a
warning at most.
"""

import os

from flask import Flask


def is_production(app: Flask) -> bool:
    """Return whether ``app`` runs for real: neither in debug mode nor testing."""
    return not (app.debug or app.testing)


def check_settings(app: Flask) -> None:
    """Refuse (in production) or warn about settings that would leave the forum open."""
    _check_rate_limit_storage(app)


def _check_rate_limit_storage(app: Flask) -> None:
    # memory:// counts per process: with four gunicorn workers a client gets four
    # times the limits, and the per-address login limit becomes a quarter as strict.
    config = app.config
    if not config["RATELIMIT_ENABLED"] or config["RATELIMIT_SINGLE_PROCESS"]:
        return
    if not str(config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
        return
    message = (
        "RATELIMIT_STORAGE_URI is memory://, which counts rate limits per process: "
        "several workers would each count alone. Set FORUM_RATELIMIT_STORAGE_URI="
        "redis://127.0.0.1:6379 (or RATELIMIT_STORAGE_URI in instance/config.py); "
        "if exactly one process serves the forum, set RATELIMIT_SINGLE_PROCESS = True."
    )
    if is_production(app):
        raise RuntimeError(message)
    if os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn"):
        # gunicorn's arbiter sets this before it loads the app; `flask run` is one process.
        app.logger.warning(message)
