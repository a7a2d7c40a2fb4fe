"""Routes answer with and without ``.json``, as Discourse's do.

A GET of ``/posts/5``, ``/session/current``, ``/t/5/posts`` or ``/c/3/show``
(paths Discourse answers with JSON whoever asks; no page here has them) is
answered as its ``.json`` twin. Every other API path without ``.json``
(``/latest``, ``/t/…/5``, ``/u/anna``, ``/notifications``, ``/review``, many of
them pages here too) answers JSON when the request prefers JSON to HTML in its
``Accept`` header or carries an ``Api-Key``, as Discourse's clients do, and
is the page (or the page's 404) otherwise. Such answers say
``Vary: Accept, Api-Key``, so no cache hands one to the other.

A WSGI middleware, so the API blueprint's own checks (the key, the errors'
shape) apply as for the ``.json`` path itself.
"""

from flask import Flask
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header

#: Answered as JSON without ``.json`` whatever the request accepts, as in Discourse.
ALWAYS_JSON = frozenset({"api.post", "api.session_current", "api.topic_posts", "api.category_show"})
#: API endpoints that have no twin without ``.json`` (they are not Discourse's).
NO_TWIN = frozenset({"api.openapi"})
VARY = ("Accept", "Api-Key")


def _match(adapter, path: str) -> str | None:
    """The endpoint a GET of ``path`` reaches, or None."""
    try:
        return adapter.match(path, method="GET")[0]
    except HTTPException:  # not found, another method, a redirect
        return None


def prefers_json(environ) -> bool:
    if environ.get("HTTP_API_KEY"):
        return True
    given = parse_accept_header(environ.get("HTTP_ACCEPT"), MIMEAccept)
    # "application/json; charset=utf-8" (pydiscourse) is JSON: parameters do not count.
    accept = MIMEAccept([(value.split(";")[0].strip(), quality) for value, quality in given])
    return accept.best_match(["text/html", "application/json"]) == "application/json"


def json_twin(app: Flask, environ) -> tuple[str, bool] | None:
    """The ``.json`` path a GET of this path may answer as, and whether it must;
    None when the path has no JSON twin."""
    path = environ.get("PATH_INFO", "")
    if not path or path.endswith((".json", "/")):
        return None
    adapter = app.url_map.bind("localhost")
    twin = path + ".json"
    endpoint = _match(adapter, twin)
    if not endpoint or not endpoint.startswith("api.") or endpoint in NO_TWIN:
        return None
    return twin, endpoint in ALWAYS_JSON and _match(adapter, path) is None


def _with_vary(start_response):
    def start(status, headers, exc_info=None):
        present = [v for k, v in headers if k.lower() == "vary"]
        names = [n.strip() for value in present for n in value.split(",") if n.strip()]
        names += [n for n in VARY if n.lower() not in {x.lower() for x in names}]
        headers = [(k, v) for k, v in headers if k.lower() != "vary"]
        headers.append(("Vary", ", ".join(names)))
        return start_response(status, headers, exc_info)

    return start


class JsonTwins:
    """Answer a GET as its ``.json`` twin where Discourse would answer JSON."""

    def __init__(self, wsgi_app, app: Flask) -> None:
        self.wsgi_app, self.app = wsgi_app, app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            found = json_twin(self.app, environ)
            if found is not None:
                twin, always = found
                if always or prefers_json(environ):
                    environ["PATH_INFO"] = twin
                start_response = _with_vary(start_response)
        return self.wsgi_app(environ, start_response)
