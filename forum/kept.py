"""Text a guest typed, kept on the server until they may use it.

A guest's message to an organisation ("Ich bin interessiert", up to 2,000
characters) and the question typed into the landing page's search are kept
through registering and joining. The text itself never goes into the session
cookie: a browser drops a cookie over 4 KB without a word, and Flask writes
non-Latin text into it as ``\\uXXXX`` escapes (twelve bytes for an emoji), so
2,000 characters of Chinese would have been lost on the way. The row lives in
``kept_texts`` under a random key; the session holds only that key, one per
kind (``session["kept.<kind>"]``). A row lasts as long as a permanent session
(``PERMANENT_SESSION_LIFETIME``); older rows are deleted whenever one is kept.
Logging in makes the session a browser session again (``init_app``).
"""

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import Flask, current_app, session
from flask_login import user_logged_in
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, utcnow
from forum.extensions import db


class KeptText(Base):
    """What a guest typed, waiting for its writer (see the module's docstring)."""

    __tablename__ = "kept_texts"

    #: Random (secrets.token_urlsafe(32)): the signed session cookie holds it.
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    data: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(index=True)


def _session_key(kind: str) -> str:
    return f"kept.{kind}"


def _oldest_kept() -> datetime:
    return utcnow() - current_app.permanent_session_lifetime


def keep(kind: str, data: dict) -> None:
    """Keep ``data`` (JSON) for this session under ``kind``, replacing an earlier one."""
    db.session.execute(sa.delete(KeptText).where(KeptText.created_at < _oldest_kept()))
    earlier = session.get(_session_key(kind))
    if isinstance(earlier, str):
        db.session.execute(sa.delete(KeptText).where(KeptText.key == earlier))
    key = secrets.token_urlsafe(32)
    db.session.add(KeptText(key=key, kind=kind, data=data, created_at=utcnow()))
    db.session.commit()
    session[_session_key(kind)] = key
    session.permanent = True


def has(kind: str) -> bool:
    """Whether this session keeps something of ``kind`` (asks no database)."""
    return isinstance(session.get(_session_key(kind)), str)


def _row(kind: str, key) -> KeptText | None:
    if not isinstance(key, str):
        return None
    row = db.session.get(KeptText, key)
    if row is None or row.kind != kind or row.created_at < _oldest_kept():
        return None
    return row


def peek(kind: str) -> dict | None:
    """Return what this session keeps under ``kind`` (None if nothing or expired)."""
    if not has(kind):
        return None
    row = _row(kind, session.get(_session_key(kind)))
    return dict(row.data) if row is not None and isinstance(row.data, dict) else None


def take(kind: str) -> dict | None:
    """Return what this session keeps under ``kind`` and forget it."""
    key = session.pop(_session_key(kind), None)
    row = _row(kind, key)
    if not isinstance(key, str):
        return None
    data = dict(row.data) if row is not None and isinstance(row.data, dict) else None
    db.session.execute(sa.delete(KeptText).where(KeptText.key == key))
    db.session.commit()
    return data


def discard(kind: str) -> None:
    """Forget what this session keeps under ``kind``."""
    take(kind)


def _browser_session_again(_app, **_extra) -> None:
    # Only a guest's kept text made the session permanent. Kept on, a member
    # who logged in without "stay logged in" on a shared computer would still
    # be logged in for the next person, for a month: staying logged in is the
    # remember-me cookie's choice. What is still kept lasts until the browser closes.
    session.permanent = False


def init_app(app: Flask) -> None:
    user_logged_in.connect(_browser_session_again, app)
