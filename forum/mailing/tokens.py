"""Signed tokens in mails: one-click unsubscribe links and reply addresses.

An unsubscribe token names a member and one choice and never expires (an
old mail's link must still work). A reply token names a member and a topic
and the day it was made; it is short, lower-case and safe in the local part
of an address (``antwort+<token>@forum.example``), because some mail
servers change the case of addresses.
"""

import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from forum.db import utcnow

#: Each choice a link can turn off, and the User column it changes.
CHOICES = {
    "reply": "email_on_reply",
    "mention": "email_on_mention",
    "message": "email_on_message",
    "watched": "email_on_watched",
    "digest": "digest_frequency",
}
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
_REPLY_TOKEN = re.compile(r"^u([0-9a-z]+)t([0-9a-z]+)d([0-9a-z]+)s([0-9a-f]{20})$")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="mail-unsubscribe")


def unsubscribe_token(user_id: int, choice: str) -> str:
    if choice not in CHOICES:
        raise ValueError(choice)
    return _serializer().dumps([user_id, choice])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """Return (user id, choice) from a valid token, else None."""
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    match value:
        case [int(user_id), str(choice)] if choice in CHOICES:
            return user_id, choice
    return None


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def _signature(body: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"reply-by-mail:" + body.encode(), hashlib.sha256).hexdigest()[:20]


def reply_token(user_id: int, topic_id: int, now: datetime | None = None) -> str:
    day = ((now or utcnow()) - _EPOCH).days
    body = f"u{_base36(user_id)}t{_base36(topic_id)}d{_base36(max(day, 0))}"
    return body + "s" + _signature(body)


def read_reply_token(token: str) -> tuple[int, int, bool] | None:
    """Return (user id, topic id, expired) from a genuine token, else None."""
    match = _REPLY_TOKEN.match(token.lower())
    if match is None:
        return None
    body = token.lower().rsplit("s", 1)[0]
    if not hmac.compare_digest(_signature(body), match.group(4)):
        return None
    user_id, topic_id, day = (int(match.group(i), 36) for i in (1, 2, 3))
    made = _EPOCH + timedelta(days=day)
    max_age = timedelta(days=current_app.config["REPLY_BY_EMAIL_MAX_AGE_DAYS"])
    return user_id, topic_id, utcnow() - made > max_age


def reply_address(user_id: int, topic_id: int) -> str | None:
    """Return the Reply-To address for a member's mail about a topic, or None when off."""
    address = current_app.config["REPLY_BY_EMAIL_ADDRESS"]
    if not address or "@" not in address:
        return None
    local, domain = address.rsplit("@", 1)
    return f"{local}+{reply_token(user_id, topic_id)}@{domain}"


def token_in_address(address: str) -> str | None:
    """Return the token of ``local+token@domain`` when it is our reply address."""
    ours = current_app.config["REPLY_BY_EMAIL_ADDRESS"].lower()
    if "@" not in ours or "@" not in address:
        return None
    local, domain = ours.rsplit("@", 1)
    their_local, their_domain = address.strip().strip("<>").lower().rsplit("@", 1)
    prefix = local + "+"
    if their_domain != domain or not their_local.startswith(prefix):
        return None
    return their_local[len(prefix) :]
