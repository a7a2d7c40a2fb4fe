"""Personal feed addresses: a signed token naming the member and a generation.

A feed reader sends no cookies, so the token in the address says whose
feed it is; asking for a new address bumps the generation and every older
address stops working (the pattern of the events plugin's calendar feed).
"""

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError

from forum import permissions
from forum.api.models import FeedKey
from forum.db import utcnow
from forum.extensions import db
from forum.users.models import User

_SALT = "forum-feed"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _generation(user_id: int) -> int:
    return db.session.scalar(sa.select(FeedKey.generation).where(FeedKey.user_id == user_id)) or 0


def feed_token(user: User) -> str:
    """Return the secret part of the member's personal feed addresses."""
    return _serializer().dumps([user.id, _generation(user.id)])


def renew_feed_token(user: User) -> str:
    """Give the member new feed addresses; every older one stops working."""

    def bump() -> int:
        return db.session.execute(
            sa.update(FeedKey)
            .where(FeedKey.user_id == user.id)
            .values(generation=FeedKey.generation + 1, renewed_at=utcnow())
        ).rowcount

    if not bump():
        db.session.add(FeedKey(user_id=user.id, generation=1, renewed_at=utcnow()))
    try:
        db.session.commit()
    except IntegrityError:  # a second click inserted the first row at the same time
        db.session.rollback()
        bump()
        db.session.commit()
    return feed_token(user)


def feed_user(token: str) -> User | None:
    """Return the member a personal feed token belongs to, or None (unknown, renewed)."""
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return None
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and all(type(value) is int for value in payload)
    ):
        return None
    user_id, generation = payload
    user = db.session.get(User, user_id)
    if user is None or generation != _generation(user_id):
        return None
    # A suspended member's feeds stop with their log-in.
    if not permissions.can_log_in(user):
        return None
    return user
