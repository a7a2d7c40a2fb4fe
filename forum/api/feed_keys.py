"""Personal feed addresses: a signed token naming the member and a generation.

A feed reader sends no cookies, so the token in the address says whose
feed it is; asking for a new address bumps the generation and every older
address stops working. ``FeedKeys`` is the one implementation: the forum's
feeds use ``FORUM`` (table feed_keys), the events plugin's calendar feed
its own instance (its own salt and table, so its addresses stay as they were).
"""

from typing import Any

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError

from forum import permissions
from forum.api.models import FeedKey
from forum.db import utcnow
from forum.extensions import db
from forum.users.models import User


class FeedKeys:
    """Renewable personal feed tokens for one kind of feed.

    ``model`` is a table with ``user_id`` (primary key), ``generation`` and
    ``renewed_at``; ``salt`` keeps one kind's tokens from opening another's.
    With ``plain_first``, generation 0 is signed as the bare user id (the form
    of addresses handed out before they could be renewed).
    """

    def __init__(self, model: Any, salt: str, *, plain_first: bool = False) -> None:
        self.model, self.salt, self.plain_first = model, salt, plain_first

    def _serializer(self) -> URLSafeSerializer:
        return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=self.salt)

    def generation(self, user_id: int) -> int:
        model = self.model
        return db.session.scalar(sa.select(model.generation).where(model.user_id == user_id)) or 0

    def token(self, user: User) -> str:
        """Return the secret part of the member's personal feed addresses."""
        generation = self.generation(user.id)
        if self.plain_first and generation == 0:
            return self._serializer().dumps(user.id)
        return self._serializer().dumps([user.id, generation])

    def renew(self, user: User) -> str:
        """Give the member new feed addresses; every older one stops working."""
        model = self.model

        def bump() -> int:
            return db.session.execute(
                sa.update(model)
                .where(model.user_id == user.id)
                .values(generation=model.generation + 1, renewed_at=utcnow())
            ).rowcount

        if not bump():
            db.session.add(model(user_id=user.id, generation=1, renewed_at=utcnow()))
        try:
            db.session.commit()
        except IntegrityError:  # a second click inserted the first row at the same time
            db.session.rollback()
            bump()
            db.session.commit()
        return self.token(user)

    def user(self, token: str) -> User | None:
        """Return the member a token belongs to, or None: unknown, renewed since,
        no longer a member, or suspended (a feed stops with the log-in)."""
        try:
            payload = self._serializer().loads(token)
        except BadSignature:
            return None
        if self.plain_first and type(payload) is int:
            user_id, generation = payload, 0
        elif (
            isinstance(payload, list)
            and len(payload) == 2
            and all(type(value) is int for value in payload)
        ):
            user_id, generation = payload
        else:
            return None
        if generation != self.generation(user_id):
            return None
        user = db.session.get(User, user_id)
        if user is None or not permissions.is_member(user) or not permissions.can_log_in(user):
            return None
        return user


#: The forum's own feeds (latest, categories, topics, activity).
FORUM = FeedKeys(FeedKey, "forum-feed")


def feed_token(user: User) -> str:
    return FORUM.token(user)


def renew_feed_token(user: User) -> str:
    return FORUM.renew(user)


def feed_user(token: str) -> User | None:
    return FORUM.user(token)
