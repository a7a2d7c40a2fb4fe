"""Who an API request acts as: an ``Api-Key`` header, else the browser session.

A request with ``Api-Key`` acts as the key's user (or, for a key of all
users, the one ``Api-Username`` names) whatever session cookie it carries,
and needs no CSRF token. A write by a browser session needs its CSRF token
(the ``X-CSRF-Token`` header, or a form's ``csrf_token``). A read-only key is
refused on writes. The API blueprint is exempt from CSRFProtect; this check
replaces it there.
"""

from flask import Response, current_app, g, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from forum.api.responses import error_response
from forum.auth import api_keys
from forum.extensions import csrf

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def current_key():
    """The API key the current request came with, or None."""
    return g.get("api_key")


def authenticate_request() -> Response | None:
    """A before_request hook of the API blueprint."""
    secret = request.headers.get("Api-Key")
    if secret:  # an empty header (a client without a key) counts as none
        login = api_keys.authenticate(secret, request.headers.get("Api-Username"))
        if login.user is None:
            return error_response(
                403, _("You are not permitted to view the requested resource."), "invalid_access"
            )
        # Flask-Login's per-request user: the key's user, never the session's.
        g._login_user = login.user
        g.api_key = login.key
        if login.key.read_only and request.method not in SAFE_METHODS:
            return error_response(403, _("This API key may only read."), "invalid_access")
        return None
    if request.method not in SAFE_METHODS and current_app.config["WTF_CSRF_ENABLED"]:
        if not request.path.endswith(".json"):
            # A page's form (new feed addresses): the forum's usual check and page.
            csrf.protect()
            return None
        token = (
            request.headers.get("X-CSRF-Token")
            or request.headers.get("X-CSRFToken")
            or request.form.get("csrf_token")
        )
        try:
            validate_csrf(token)
        except (ValidationError, CSRFError):
            return error_response(
                403, _("A CSRF token (X-CSRF-Token header) or an API key is needed."), "csrf"
            )
    return None
