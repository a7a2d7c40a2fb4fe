"""Fixtures for the joining and admin tests: English pages, mail helpers."""

import re

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.users.models import User


@pytest.fixture(autouse=True)
def english(english):
    """Every test here reads English pages (tests/conftest.py sets the header)."""
    return english


def body(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


def link_in(message, path: str) -> str:
    """Return the path of the forum link in the mail that starts with ``path``."""
    match = re.search(rf"http://forum\.test({re.escape(path)}\S*)", body(message))
    assert match, body(message)
    return match.group(1)


def load_user(app, username: str) -> User:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username_lower == username.lower()))
        db.session.expunge(user)
        return user
