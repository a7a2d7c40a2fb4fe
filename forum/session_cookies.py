"""The session cookie, checked once per process rather than once per request.

Flask's cookie session verifies the signature and decodes the JSON of every
request's cookie: a signing serializer built anew, an HMAC key derived and
compared, base64 and JSON undone — about a twentieth of a kept member page
(forum/member_pages/). A member sends the same cookie with every request until
something in it changes. So a cookie whose signature was verified is kept, by
its exact text, with what it held and when it was signed; the next request
with the same text gets a copy of that content after the age check alone
(``PERMANENT_SESSION_LIFETIME``, as itsdangerous checks it). A different text,
forged or not, is verified as before: nothing is trusted that was not verified
once. Only sessions of plain values (text, numbers, booleans) are kept, so no
request can change what the next one reads; a session holding a list (flashed
messages) is decoded each time.
"""

import threading
import time
from collections import OrderedDict

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

#: Verified cookies kept per process, one per recently active session (~0.6 KB
#: each with its content: a member's cookie is 200-300 characters).
MAX_KEPT = 1024
#: A longer cookie is decoded each time: with it, the kept ones stay under ~2 MB.
MAX_KEPT_LENGTH = 1024
_PLAIN = (str, int, float, bool, type(None))


class KeptCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, each verified cookie decoded once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: The key set, its serializer and the cookies it verified: a request
        #: still verifying with an old key keeps its cookie where the new key's
        #: requests never look.
        self._serializer: tuple[tuple, URLSafeTimedSerializer, OrderedDict] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        serializer, _kept = self._serializer_and_kept(app)
        return serializer

    def _serializer_and_kept(self, app: Flask) -> tuple[URLSafeTimedSerializer | None, OrderedDict]:
        # Built once per key set (Flask builds one per request); a changed key
        # or fallback list builds it anew, with no cookie kept.
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        built = self._serializer
        if built is not None and built[0] == keys:
            return built[1], built[2]
        serializer = super().get_signing_serializer(app)
        kept: OrderedDict[str, tuple[dict, float]] = OrderedDict()
        if serializer is not None:
            with self._lock:
                self._serializer = (keys, serializer, kept)
        return serializer, kept

    @property
    def kept(self) -> OrderedDict:
        """The cookies verified with the current key set (none before the first)."""
        built = self._serializer
        return built[2] if built is not None else OrderedDict()

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer, cookies = self._serializer_and_kept(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = app.permanent_session_lifetime.total_seconds()
        with self._lock:
            kept = cookies.get(value)
            if kept is not None:
                cookies.move_to_end(value)
        if kept is not None:
            data, signed_at = kept
            if 0 <= time.time() - signed_at <= max_age:
                return self.session_class(data)
        try:
            data, signed = serializer.loads(value, max_age=int(max_age), return_timestamp=True)
        except BadSignature:
            return self.session_class()
        plain = isinstance(data, dict) and all(type(item) in _PLAIN for item in data.values())
        if plain and len(value) <= MAX_KEPT_LENGTH:
            with self._lock:
                cookies[value] = (dict(data), signed.timestamp())
                while len(cookies) > MAX_KEPT:
                    cookies.popitem(last=False)
        return self.session_class(data)


def init_app(app: Flask) -> None:
    app.session_interface = KeptCookieSessionInterface()
