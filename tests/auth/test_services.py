"""Tokens and log-in look-ups, below the pages."""

import pytest

from forum.auth import accounts, services
from forum.extensions import db


@pytest.fixture
def berta(app, make):
    make.user("berta")
    with app.app_context():
        yield accounts.get_user_by_username("berta")


@pytest.mark.parametrize("user_id", ["999999:abc", "abc", "", ":", None])
def test_load_user_unknown(app, user_id):
    with app.app_context():
        assert services.load_user(user_id) is None


def test_load_user(app, berta):
    assert services.load_user(berta.get_id()) is berta
    # A bare id, or a token from before the last password change, loads nobody.
    assert services.load_user(str(berta.id)) is None
    old_id = berta.get_id()
    accounts.change_password(berta, "ein anderes Passwort")
    assert services.load_user(old_id) is None
    assert services.load_user(berta.get_id()) is berta


def test_authenticate(app, berta, make):
    assert services.authenticate("Berta", make.password) is berta
    assert services.authenticate("berta@EXAMPLE.org", make.password) is berta
    assert services.authenticate("berta", "wrong password") is None
    assert services.authenticate("nobody", make.password) is None


def test_reset_token_dies_with_a_password_change(app, berta):
    token = services.make_reset_token(berta)
    assert services.user_for_reset_token(token) is berta
    accounts.change_password(berta, "ein anderes Passwort")
    assert services.user_for_reset_token(token) is None


def test_reset_token_does_not_carry_the_hash(app, berta):
    from itsdangerous import URLSafeTimedSerializer

    payload = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="forum.auth.reset-password")
    data = payload.loads(services.make_reset_token(berta))
    assert data["pw"] not in berta.password_hash


def test_tokens_are_not_interchangeable(app, berta):
    assert services.confirm_email(services.make_reset_token(berta)) is None
    assert services.user_for_reset_token(services.make_confirmation_token(berta)) is None


def test_tokens_from_another_secret_are_refused(app, berta):
    token = services.make_confirmation_token(berta)
    app.config["SECRET_KEY"] = "something else"
    assert services.confirm_email(token) is None


def test_confirmation_is_for_one_address(app, berta, mailbox):
    berta.email_confirmed_at = None
    db.session.commit()
    token = services.make_confirmation_token(berta)
    services.change_email_address(berta, "berta.neu@example.org")
    assert services.confirm_email(token) is None
    # The new address got its own link, the old one a notice.
    assert len(mailbox.to("berta.neu@example.org")) == 1
    assert len(mailbox.to("berta@example.org")) == 1


def test_register_refuses_taken_names(app, berta):
    with pytest.raises(services.AccountTaken) as taken:
        services.register_user("BERTA", "other@example.org", "lange genug 123")
    assert taken.value.field == "username"
    with pytest.raises(services.AccountTaken) as taken:
        services.register_user("other", "Berta@example.org", "lange genug 123")
    assert taken.value.field == "email"
