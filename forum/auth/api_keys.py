"""API keys: made by admins, stored as digests, checked on every API request.

A request names its key in the ``Api-Key`` header and, for a key that may act
for every user, the user in ``Api-Username`` (as Discourse's API does).
"""

import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum.auth.accounts import get_user_by_username
from forum.auth.models import ApiKey
from forum.db import utcnow
from forum.extensions import db
from forum.users.models import User

#: How long last_used_at may lag behind: one write per key and minute at most.
_TOUCH_SECONDS = 60


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    *, description: str, user: User | None, read_only: bool, created_by: User | None
) -> tuple[ApiKey, str]:
    """Make a key; return it with its secret, which is shown this once only."""
    secret = secrets.token_hex(32)
    key = ApiKey(
        key_hash=_digest(secret),
        truncated=secret[:4],
        description=description.strip()[:200],
        user_id=user.id if user is not None else None,
        read_only=read_only,
        created_by_id=created_by.id if created_by is not None else None,
    )
    db.session.add(key)
    db.session.commit()
    return key, secret


def list_keys() -> list[ApiKey]:
    """Every key, the working ones first (newest first)."""
    return list(
        db.session.scalars(
            sa.select(ApiKey)
            .options(joinedload(ApiKey.user))
            .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id.desc())
        )
    )


def get_key(key_id: int) -> ApiKey | None:
    return db.session.get(ApiKey, key_id)


def revoke_key(key: ApiKey) -> bool:
    """Revoke a key; False when it was revoked already."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = utcnow()
    db.session.commit()
    return True


@dataclass
class KeyLogin:
    """Who a request acts as, by which key; ``error`` says why not."""

    user: User | None = None
    key: ApiKey | None = None
    error: str = ""


def authenticate(secret: str, username: str | None) -> KeyLogin:
    """Return the user a key and an Api-Username header stand for."""
    key = db.session.scalar(
        sa.select(ApiKey).where(ApiKey.key_hash == _digest(secret), ApiKey.revoked_at.is_(None))
    )
    if key is None:
        return KeyLogin(error="invalid_access")
    if key.user_id is not None:
        user = key.user
        if username and user is not None and username.lower() != user.username.lower():
            return KeyLogin(error="invalid_access")
    else:
        if not username:
            return KeyLogin(error="invalid_access")
        user = get_user_by_username(username.strip())
    if user is None or user.is_suspended:
        return KeyLogin(error="invalid_access")
    now = utcnow()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > _TOUCH_SECONDS:
        key.last_used_at = now
        db.session.commit()
    return KeyLogin(user=user, key=key)
