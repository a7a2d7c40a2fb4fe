"""The shared new-password fields: sign-up, reset and change follow one set of rules."""

import pytest
from werkzeug.datastructures import MultiDict

from forum.auth.forms import RegisterForm, ResetPasswordForm
from forum.users.forms import PasswordChangeForm


@pytest.mark.parametrize("form_class", [RegisterForm, ResetPasswordForm, PasswordChangeForm])
@pytest.mark.parametrize(
    ("password", "confirm", "field", "message"),
    [
        ("kurz", "kurz", "password", "The password needs at least 10 characters."),
        ("", "", "password", "Please enter a password."),
        ("x" * 201, "x" * 201, "password", "The password needs at least 10 characters."),
        ("lang genug 1", "lang genug 2", "password_confirm", "The passwords do not match."),
        ("lang genug 1", "", "password_confirm", "Please repeat the password."),
    ],
)
def test_new_password_rules(app, form_class, password, confirm, field, message):
    data = MultiDict({"password": password, "password_confirm": confirm})
    with app.test_request_context(headers={"Accept-Language": "en"}):
        form = form_class(formdata=data, meta={"csrf": False})
        form.validate()
        assert [str(error) for error in form.errors.get(field, [])] == [message]


@pytest.mark.parametrize("form_class", [RegisterForm, ResetPasswordForm, PasswordChangeForm])
def test_a_good_new_password_passes(app, form_class):
    data = MultiDict({"password": "lang genug 1", "password_confirm": "lang genug 1"})
    with app.test_request_context():
        form = form_class(formdata=data, meta={"csrf": False})
        form.validate()
        assert "password" not in form.errors
        assert "password_confirm" not in form.errors
