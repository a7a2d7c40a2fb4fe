"""How the API answers: JSON with ``charset=utf-8``, errors in Discourse's shape.

``{"errors": ["…"], "error_type": "…"}`` with 400, 403, 404, 422; a 429 carries
``Retry-After`` and ``extras.wait_seconds``. Request bodies may be form data
(as pydiscourse sends) or JSON, with Discourse's nested names (``post[raw]``).
"""

import math
import time

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from werkzeug.datastructures import MultiDict

from forum.errors import JSON_BODY_BLUEPRINTS
from forum.extensions import limiter

JSON_TYPE = "application/json; charset=utf-8"


class ApiError(Exception):
    """An answer in Discourse's error shape; raise it from an API view."""

    def __init__(self, status: int, message, error_type: str, **extras) -> None:
        super().__init__(str(message))
        self.status, self.message, self.error_type, self.extras = (
            status,
            str(message),
            error_type,
            extras,
        )


def error_response(status: int, message, error_type: str, **extras) -> Response:
    body = {"errors": [str(message)], "error_type": error_type}
    if extras:
        body["extras"] = extras
    response = jsonify(body)
    response.status_code = status
    return response


def not_found() -> ApiError:
    return ApiError(404, _("The requested URL or resource could not be found."), "not_found")


def forbidden() -> ApiError:
    return ApiError(
        403, _("You are not permitted to view the requested resource."), "invalid_access"
    )


def invalid(message) -> ApiError:
    return ApiError(422, message, "invalid_parameters")


def payload() -> MultiDict:
    """The request's parameters: a JSON object's values as text, else the form."""
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ApiError(400, _("The request could not be understood."), "invalid_parameters")
        flat = MultiDict()
        for key, value in data.items():
            if isinstance(value, dict):  # {"post": {"raw": ...}} is post[raw]
                for inner, item in value.items():
                    flat.add(f"{key}[{inner}]", _text(item))
            elif isinstance(value, list):
                for item in value:
                    flat.add(f"{key}[]", _text(item))
            else:
                flat.add(key, _text(value))
        return flat
    return MultiDict(request.form)


def _text(value) -> str:
    """A JSON value as the form's text would be: NUL dropped, as ForumRequest drops
    it from every form and query (forum/routing.py): PostgreSQL's text cannot hold
    it, and kept pages use it to mark their slots (forum/post_blocks.py)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).replace("\x00", "") if isinstance(value, str | int | float) else ""


def register(bp: Blueprint) -> None:
    JSON_BODY_BLUEPRINTS.add(bp.name)

    @bp.errorhandler(ApiError)
    def api_error(error: ApiError):
        return error_response(error.status, error.message, error.error_type, **error.extras)

    @bp.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        current = limiter.current_limit
        wait = max(1, math.ceil(current.reset_at - time.time())) if current else 60
        response = error_response(
            429,
            _("You have done this too many times. Please wait before trying again."),
            "rate_limit",
            wait_seconds=wait,
            time_left=f"{wait} seconds",
        )
        response.headers["Retry-After"] = str(wait)
        return response

    @bp.after_request
    def json_charset(response: Response) -> Response:
        if response.mimetype == "application/json":
            response.headers["Content-Type"] = JSON_TYPE
        return response
