"""Lockout after repeated failed log-ins, per account and per unknown login name.

After ``LOGIN_LOCKOUT_FAILURES`` failures in a row the account is locked for
``LOGIN_LOCKOUT_SECONDS``; each further lockout in the same streak lasts twice
as long, up to ``LOGIN_LOCKOUT_MAX_SECONDS``. A successful log-in ends the
streak, and so does a day without failures. Names without an account are
locked the same way, so a lockout does not tell which addresses have accounts.
The per-address limit (``LOGIN_RATE_LIMIT``) is Flask-Limiter's, in views.
"""

import hashlib
import hmac
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from forum.auth.models import LoginThrottle
from forum.db import dialect_insert, utcnow
from forum.extensions import db
from forum.users.models import User

#: A streak is forgotten after this long without a failure.
FORGET_AFTER = timedelta(days=1)


def key_for(login: str, user: User | None) -> str:
    """Return the throttle key: the account's, whichever name it was reached by."""
    if user is not None:
        return f"user:{user.id}"
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, login.strip().lower().encode(), hashlib.sha256).hexdigest()
    return f"name:{digest[:64]}"


def locked_until(key: str) -> datetime | None:
    """Return when the lockout on ``key`` ends, or None if it is not locked."""
    until = db.session.scalar(sa.select(LoginThrottle.locked_until).where(LoginThrottle.key == key))
    if until is not None and until > utcnow():
        return until
    return None


def record_failure(key: str) -> datetime | None:
    """Count a failed log-in; return the end of the lockout it starts, if it starts one."""
    config = current_app.config
    now = utcnow()
    stale = now - FORGET_AFTER
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.last_failure_at < stale))
    insert = dialect_insert(db.engine.dialect.name)
    counted = db.session.execute(
        insert(LoginThrottle)
        .values(key=key, failures=1, lockouts=0, last_failure_at=now)
        .on_conflict_do_update(
            index_elements=[LoginThrottle.key],
            set_={"failures": LoginThrottle.failures + 1, "last_failure_at": now},
        )
        .returning(LoginThrottle.failures, LoginThrottle.lockouts)
    ).one()
    until = None
    if counted.failures >= config["LOGIN_LOCKOUT_FAILURES"]:
        seconds = min(
            config["LOGIN_LOCKOUT_SECONDS"] * 2**counted.lockouts,
            config["LOGIN_LOCKOUT_MAX_SECONDS"],
        )
        # The condition on failures lets one of two simultaneous failures start it.
        until = db.session.execute(
            sa.update(LoginThrottle)
            .where(LoginThrottle.key == key, LoginThrottle.failures >= counted.failures)
            .values(
                failures=0,
                lockouts=LoginThrottle.lockouts + 1,
                locked_until=now + timedelta(seconds=seconds),
            )
            .returning(LoginThrottle.locked_until)
        ).scalar()
    db.session.commit()
    return until


def forget(key: str) -> None:
    """End the streak of ``key`` after a successful log-in."""
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == key))
    db.session.commit()
