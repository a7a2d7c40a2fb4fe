"""Changing a member's mail choices from a link in a mail."""

from forum.extensions import db
from forum.mailing.tokens import CHOICES, read_unsubscribe_token
from forum.users.models import User


def user_and_choice(token: str) -> tuple[User, str] | None:
    """Return the member and the choice an unsubscribe token names, or None."""
    found = read_unsubscribe_token(token)
    if found is None:
        return None
    user = db.session.get(User, found[0])
    return None if user is None else (user, found[1])


def is_subscribed(user: User, choice: str) -> bool:
    value = getattr(user, CHOICES[choice])
    return value != "off" if choice == "digest" else bool(value)


def unsubscribe(user: User, choice: str) -> None:
    """Turn off exactly one choice."""
    setattr(user, CHOICES[choice], "off" if choice == "digest" else False)
    db.session.commit()
