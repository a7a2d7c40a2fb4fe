"""Signing up, logging in, confirming e-mail addresses and resetting passwords."""

import functools
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash

from forum import permissions, plugins
from forum.auth import throttle
from forum.auth.accounts import (
    change_email,
    create_user,
    email_taken,
    get_user,
    get_user_by_email,
    get_user_by_login,
    hash_password,
    load_account,
    username_taken,
    verify_password,
)
from forum.auth.models import LoginRecord
from forum.db import utcnow
from forum.errors import AccountTaken
from forum.extensions import db
from forum.mail import absolute_url, after_response, send_template_mail
from forum.users.models import User

_CONFIRM_SALT = "forum.auth.confirm-email"
_RESET_SALT = "forum.auth.reset-password"


def load_user(user_id: str) -> User | None:
    """Return the account for Flask-Login's session id ("<id>:<token>"), or None.

    A session from before the last password change carries an old token and
    loads nobody, which logs that device out; so does a suspension.
    """
    account_id, _, token = (user_id or "").partition(":")
    try:
        user = load_account(int(account_id))
    except ValueError:
        return None
    if user is None or not hmac.compare_digest(user.session_token, token):
        return None
    if not permissions.can_log_in(user):
        return None
    _note_seen(user)
    return user


#: last_seen_at is written at most this often per member (seconds).
SEEN_INTERVAL = 60


def _note_seen(user: User) -> None:
    """Keep ``last_seen_at`` current (mails wait while a member is on the forum).

    Written after the response, in a transaction of its own, so the request's
    transaction is left alone and the page does not wait.
    """
    now = utcnow()
    if user.last_seen_at is not None and now - user.last_seen_at < timedelta(seconds=SEEN_INTERVAL):
        return
    after_response(functools.partial(_write_seen, user.id, now))


def _write_seen(user_id: int, now) -> None:
    db.session.execute(sa.update(User).where(User.id == user_id).values(last_seen_at=now))
    db.session.commit()


class Confirmation(NamedTuple):
    """An account whose address a link confirmed, and whether this link was the first."""

    user: User
    first_time: bool


def sign_up(username: str, email: str, password: str, locale: str | None = None) -> None:
    """Register an account; the same to the caller, even in time, if the address is taken.

    A taken username is said (``AccountTaken("username")``: names are public).
    For a taken address the owner gets a mail instead of a new account, and the
    person signing up reads "check your mail" as with a new one.
    """
    try:
        register_user(username, email, password, locale=locale)
    except AccountTaken as taken:
        if taken.field == "username":
            raise
        hash_password(password)  # costs what creating the account would have cost
        after_response(functools.partial(_tell_owner_of_sign_up, email))


def _tell_owner_of_sign_up(email: str) -> None:
    owner = get_user_by_email(email)
    if owner is None:  # pragma: no cover - the account was deleted meanwhile
        return
    send_template_mail(
        owner,
        "sign_up_attempt",
        _l("Someone tried to sign up with your e-mail address"),
        login_url=absolute_url("auth.login"),
        forgot_url=absolute_url("auth.forgot_password"),
    )


def register_user(username: str, email: str, password: str, locale: str | None = None) -> User:
    """Create an applicant account; the confirmation mail goes out after the response."""
    if username_taken(username):
        raise AccountTaken("username")
    if email_taken(email):
        raise AccountTaken("email")
    try:
        user = create_user(username, email, password, locale=locale)
    except sa.exc.IntegrityError as error:
        # Another request took the name between our check and the commit.
        db.session.rollback()
        raise AccountTaken("username" if username_taken(username) else "email") from error
    plugins.notify_event("user_registered", user=user)
    after_response(functools.partial(_send_confirmation_to, user.id))
    return user


def _send_confirmation_to(user_id: int) -> None:
    user = get_user(user_id)
    if user is not None:
        send_confirmation(user)


class LockedOut(Exception):
    """Too many failed log-ins for this account or name; ``until`` says when to try again."""

    def __init__(self, until) -> None:
        super().__init__(until)
        self.until = until


def log_in(login: str, password: str) -> User | None:
    """Return the account for these credentials, None if they are wrong.

    Raises ``LockedOut`` while the account (or the name, if it has no account)
    is locked after repeated failures, even for the right password; the failure
    that starts a lockout raises it too, and the account's owner gets a mail.
    """
    user = get_user_by_login(login)
    key = throttle.key_for(login, user)
    until = throttle.locked_until(key)
    if until is not None:
        raise LockedOut(until)
    if user is None:
        check_password_hash(_dummy_hash(), password)  # as long as a wrong password
    elif verify_password(user, password):
        throttle.forget(key)
        return user
    until = throttle.record_failure(key)
    if until is not None:
        if user is not None:
            after_response(functools.partial(_tell_owner_of_lockout, user.id, until))
        raise LockedOut(until)
    return None


def _tell_owner_of_lockout(user_id: int, until) -> None:
    user = get_user(user_id)
    if user is None:  # pragma: no cover - deleted meanwhile
        return
    send_template_mail(
        user,
        "login_locked",
        _l("Failed log-ins to your account"),
        failures=current_app.config["LOGIN_LOCKOUT_FAILURES"],
        until=until,
        forgot_url=absolute_url("auth.forgot_password"),
    )


def authenticate(login: str, password: str) -> User | None:
    """Return the account for a username or e-mail address and its password."""
    user = get_user_by_login(login)
    if user is None:
        # Costs as long as a wrong password, so timing does not reveal accounts.
        check_password_hash(_dummy_hash(), password)
        return None
    if not verify_password(user, password):
        return None
    return user


def record_login(user: User, ip_address: str | None = None) -> None:
    """Note when the user last signed in, and from where (see ``LOGIN_RECORD_DAYS``).

    Records older than the retention are deleted in the same transaction, so
    the table never holds more than the privacy policy promises.
    """
    now = utcnow()
    user.last_seen_at = now
    days = current_app.config["LOGIN_RECORD_DAYS"]
    prune_login_records(now - timedelta(days=max(days, 0)))
    if days > 0 and ip_address:
        db.session.add(LoginRecord(user_id=user.id, ip_address=ip_address[:45], created_at=now))
    db.session.commit()


def prune_login_records(before: datetime | None = None) -> int:
    """Delete log-in records older than ``before`` (default: the retention); no commit."""
    if before is None:
        before = utcnow() - timedelta(days=max(current_app.config["LOGIN_RECORD_DAYS"], 0))
    result = db.session.execute(sa.delete(LoginRecord).where(LoginRecord.created_at < before))
    return result.rowcount or 0


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_hex(16))


# --- E-mail confirmation --------------------------------------------------------


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_confirmation_token(user: User) -> str:
    """Return a signed token that confirms the user's current e-mail address."""
    return _serializer(_CONFIRM_SALT).dumps({"id": user.id, "email": user.email_lower})


def send_confirmation(user: User) -> bool:
    """Mail the confirmation link to the user's current address."""
    link = absolute_url("auth.confirm_email", token=make_confirmation_token(user))
    days = max(current_app.config["EMAIL_CONFIRM_MAX_AGE"] // 86400, 1)
    return send_template_mail(
        user, "confirm_email", _l("Please confirm your e-mail address"), link=link, days=days
    )


def confirm_email(token: str) -> Confirmation | None:
    """Mark the address in ``token`` as confirmed; None if the link is bad or expired."""
    data = _load(token, _CONFIRM_SALT, current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    if data is None:
        return None
    user = get_user(data.get("id"))
    # A link for an address the user has changed since confirms nothing.
    if user is None or user.email_lower != data.get("email"):
        return None
    first_time = user.email_confirmed_at is None
    if first_time:
        user.email_confirmed_at = utcnow()
        db.session.commit()
    return Confirmation(user, first_time)


def change_email_address(user: User, email: str) -> None:
    """Switch to a new address: it needs confirming, and the old one is told."""
    try:
        old_email = change_email(user, email)
    except sa.exc.IntegrityError as error:
        db.session.rollback()
        raise AccountTaken("email") from error
    send_confirmation(user)
    send_template_mail(
        user,
        "email_changed",
        _l("Your e-mail address was changed"),
        to=old_email,
        new_email=user.email,
    )


# --- Password reset ---------------------------------------------------------------


def _password_fingerprint(user: User) -> str:
    # A digest of the current hash: the token dies when the password changes,
    # and no part of the hash itself travels in the (readable) token.
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, user.password_hash.encode(), hashlib.sha256).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    """Return a signed token that lets the user set a new password once."""
    return _serializer(_RESET_SALT).dumps({"id": user.id, "pw": _password_fingerprint(user)})


def request_password_reset(email: str) -> None:
    """Mail a reset link if an account has this address, after the response.

    Looking the address up after the response too keeps the answer the same,
    in content and in time, whether or not an account uses it.
    """
    after_response(functools.partial(_send_reset_link, email))


def _send_reset_link(email: str) -> None:
    user = get_user_by_email(email)
    if user is None:
        current_app.logger.info("Password reset requested for an unknown address")
        return
    link = absolute_url("auth.reset_password", token=make_reset_token(user))
    hours = max(current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600, 1)
    send_template_mail(user, "reset_password", _l("Reset your password"), link=link, hours=hours)


def user_for_reset_token(token: str) -> User | None:
    """Return the account a valid, unused reset token belongs to."""
    data = _load(token, _RESET_SALT, current_app.config["PASSWORD_RESET_MAX_AGE"])
    if data is None:
        return None
    user = get_user(data.get("id"))
    if user is None or not hmac.compare_digest(_password_fingerprint(user), str(data.get("pw"))):
        return None
    return user


def reset_password(token: str, password: str) -> User | None:
    """Set a new password through a reset token; None if the token is bad, expired or used."""
    user = user_for_reset_token(token)
    if user is None:
        return None
    user.password_hash = hash_password(password)
    # The link arrived at the address, which proves it belongs to the user.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    db.session.commit()
    return user


def _load(token: str, salt: str, max_age: int) -> dict[str, Any] | None:
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    return data
