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


#: Shorter secret keys are refused in production; `make run` and the docs make 64.
MIN_SECRET_KEY_LENGTH = 32


def check_settings(app: Flask) -> None:
    """Refuse (in production) or warn about settings that would leave the forum open."""
    _check_secret_key(app)
    _check_rate_limit_storage(app)
    _follow_https(app)


def serves_https(app: Flask) -> bool:
    """Return whether the forum's public address (BASE_URL) is an https:// one."""
    return str(app.config["BASE_URL"]).lower().startswith("https://")


def _check_secret_key(app: Flask) -> None:
    key = app.config.get("SECRET_KEY")
    advice = (
        "put a random one into instance/config.py (SECRET_KEY = '...') or FORUM_SECRET_KEY, "
        "e.g. python3 -c 'import secrets; print(secrets.token_hex(32))' "
        "(`make run` generates one)."
    )
    if not key:
        raise RuntimeError(f"SECRET_KEY is not set: {advice}")
    if is_production(app) and len(str(key)) < MIN_SECRET_KEY_LENGTH:
        # Sessions, CSRF tokens and mailed links are only as safe as this key.
        raise RuntimeError(
            f"SECRET_KEY is too short ({len(str(key))} characters, at least "
            f"{MIN_SECRET_KEY_LENGTH} in production): {advice}"
        )


def _follow_https(app: Flask) -> None:
    # Cookies over https only when the forum is served over https; an explicit
    # True or False in the settings wins.
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config.get(name) is None:
            app.config[name] = serves_https(app)


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
