"""The domain's errors and the friendly error pages; no input ever yields a 500.

Services raise the errors below with a message in the user's language; views
show it next to the form (400), or answer 403/404 for ``NotAllowed``.
"""

import math
from datetime import UTC, datetime

from flask import Flask, abort, render_template, request
from flask_babel import format_time, ngettext
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from forum.extensions import limiter


class BoardError(Exception):
    """A write the user asked for cannot be done; ``message`` says why."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class NotAllowed(BoardError):
    """The user may not do this (views answer 403 or 404)."""


class MembershipError(Exception):
    """A request that cannot be carried out; the message is shown to the user."""


class AdminError(Exception):
    """A change that cannot be made; the message is shown next to the form."""


class AccountTaken(Exception):
    """The username or e-mail address belongs to another account."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


# Form fields that carry what the user wrote and must survive a failed submit.
_CSRF_FIELD = "csrf_token"
_SUBMIT_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def try_again_text(until: datetime) -> str:
    """Say, in the reader's language, when a limit or lockout ends: in how long and at what time."""
    minutes = max(1, math.ceil((until - datetime.now(UTC)).total_seconds() / 60))
    return ngettext(
        "Please try again in %(num)d minute (at %(time)s).",
        "Please try again in %(num)d minutes (at %(time)s).",
        minutes,
        time=format_time(until, "short"),
    )


def rate_limit_message() -> str:
    """Say that a rate limit was hit and when to try again (pages and JSON alike)."""
    text = _("Too many attempts in a short time.")
    current = limiter.current_limit
    if current is None or not current.breached:
        return f"{text} {_('Please wait a moment and try again.')}"
    return f"{text} {try_again_text(datetime.fromtimestamp(current.reset_at, UTC))}"


#: Blueprints whose views read JSON bodies themselves (the API: forum/api/responses.py).
JSON_BODY_BLUEPRINTS: set[str] = set()


def register(app: Flask) -> None:
    @app.before_request
    def refuse_json_bodies():
        # Every form reads form data, and no endpoint takes JSON; but Flask-WTF
        # hands a JSON body to a form as its data, where a list, a number or a
        # value that is not a string breaks the fields. Refused here once, for
        # the plugins' forms too.
        if (
            request.method in _SUBMIT_METHODS
            and request.is_json
            and request.blueprint not in JSON_BODY_BLUEPRINTS
        ):
            abort(415)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        # A stale or missing token: show what was typed in a fresh form, so
        # one click sends it again and nothing is lost.
        fields = [
            (key, value) for key, value in request.form.items(multi=True) if key != _CSRF_FIELD
        ]
        return (
            render_template(
                "errors/csrf.html",
                fields=fields,
                action=request.full_path if request.query_string else request.path,
            ),
            400,
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = {
            400: _("The request could not be understood."),
            403: _("You are not allowed to do this."),
            404: _("This page does not exist, or you may not see it."),
            405: _("This action is not possible here."),
            409: _("This form is being sent already. Please wait a moment, then reload the page."),
            413: _("What you sent is too large. Please shorten it or send smaller files."),
            415: _("This page takes form data only. Please use the form to send it."),
        }
        code = error.code or 500
        message = (
            rate_limit_message() if code == 429 else messages.get(code, _("Something went wrong."))
        )
        return render_template("errors/error.html", code=code, message=message), code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error on %s", request.path)
        message = _("Something went wrong on our side. Please try again later.")
        return render_template("errors/error.html", code=500, message=message), 500
