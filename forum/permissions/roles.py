"""Who someone is: guest, applicant, member or staff, and what their account allows
(writing, logging in, moderating members, administrating)."""

from typing import Any

from forum.users.models import User


def _account(user: Any) -> User | None:
    """Return a real account, or None for guests (Flask-Login's anonymous user)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def is_staff(user: Any) -> bool:
    account = _account(user)
    return account is not None and account.is_staff


def is_member(user: Any) -> bool:
    account = _account(user)
    return account is not None and account.is_member


def can_write(user: Any) -> bool:
    """Members may write unless silenced; applicants and guests may not."""
    return _writes(_account(user))


def _writes(account: User | None) -> bool:
    return account is not None and account.is_member and not account.is_silenced


def can_moderate(user: Any) -> bool:
    """Moderators and admins work the review queue and use moderator tools."""
    return is_staff(user)


def can_administrate(user: Any) -> bool:
    account = _account(user)
    return account is not None and account.is_admin


def can_moderate_member(user: Any, member: User) -> bool:
    """Moderators silence and suspend members; only admins act on staff; nobody on themselves."""
    account = _account(user)
    return (
        account is not None
        and account.is_staff
        and account.id != member.id
        and (not member.is_staff or account.is_admin)
    )


def can_log_in(user: User) -> bool:
    """A suspended member may not log in (and is logged out) until the suspension ends."""
    return not user.is_suspended
