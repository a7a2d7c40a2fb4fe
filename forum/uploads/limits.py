"""Requests that carry an upload may be as large as an upload may be.

The app-wide ``MAX_CONTENT_LENGTH`` stays the limit for every other request.
A view marked ``@accepts_uploads`` (right below its route) takes a body up to
the ``UPLOAD_MAX_MB`` setting plus room for the form's text, so a file over the
limit reaches the view, which refuses it next to what the member typed instead
of a 413 page that loses it.
"""

from flask import Flask, request

from forum.extensions import runtime_setting


def accepts_uploads(view):
    """Mark a view as taking uploads (put it right below ``@bp.route``)."""
    view.accepts_uploads = True
    return view


def upload_request_limit() -> int:
    """Return the largest body in bytes a request with an upload may have."""
    return (int(runtime_setting("UPLOAD_MAX_MB")) * 5 // 4 + 1) * 1024 * 1024


def init_app(app: Flask) -> None:
    """Register the larger limit; call before anything reads a form (CSRF does)."""

    @app.before_request
    def larger_bodies_for_uploads():
        view = app.view_functions.get(request.endpoint or "")
        if view is not None and getattr(view, "accepts_uploads", False):
            configured = app.config["MAX_CONTENT_LENGTH"] or 0
            request.max_content_length = max(upload_request_limit(), configured)
