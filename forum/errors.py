"""Friendly error pages in the user's language; no input ever yields a 500."""

from flask import Flask, abort, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

# Form fields that carry what the user wrote and must survive a failed submit.
_CSRF_FIELD = "csrf_token"
_SUBMIT_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def register(app: Flask) -> None:
    @app.before_request
    def refuse_json_bodies():
        # Every form reads form data, and no endpoint takes JSON; but Flask-WTF
        # hands a JSON body to a form as its data, where a list, a number or a
        # value that is not a string breaks the fields. Refused here once, for
        # the plugins' forms too.
        if request.method in _SUBMIT_METHODS and request.is_json:
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
            413: _("What you sent is too large. Please shorten it or send smaller files."),
            415: _("This page takes form data only. Please use the form to send it."),
            429: _("Too many attempts in a short time. Please wait a moment and try again."),
        }
        code = error.code or 500
        message = messages.get(code, _("Something went wrong."))
        return render_template("errors/error.html", code=code, message=message), code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error on %s", request.path)
        message = _("Something went wrong on our side. Please try again later.")
        return render_template("errors/error.html", code=500, message=message), 500
