"""Forms for signing up, logging in and resetting a password."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import InputRequired, Length, Regexp, ValidationError

from forum.auth.accounts import username_taken
from forum.forms import PASSWORD_MAX_LENGTH, email_validators, new_password_fields

USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 20


class RegisterForm(FlaskForm):
    username = StringField(
        _l("Username"),
        description=_l("3 to 20 characters: letters, digits, dot, dash and underscore."),
        validators=[
            InputRequired(message=_l("Please choose a username.")),
            Length(
                min=USERNAME_MIN_LENGTH,
                max=USERNAME_MAX_LENGTH,
                message=_l("The username needs 3 to 20 characters."),
            ),
            Regexp(
                r"^[A-Za-z0-9_.-]+$",
                message=_l("Only letters, digits, dot, dash and underscore are allowed."),
            ),
        ],
    )
    email = EmailField(
        _l("E-mail address"),
        description=_l("We send a link to confirm it. It is never shown to others."),
        validators=email_validators(),
    )
    password, password_confirm = new_password_fields(_l("Password"), _l("Repeat password"))

    def validate_username(self, field: StringField) -> None:
        if username_taken(field.data):
            raise ValidationError(_l("This username is already taken."))


class LoginForm(FlaskForm):
    login = StringField(
        _l("Username or e-mail address"),
        validators=[
            InputRequired(message=_l("Please enter your username or e-mail address.")),
            Length(max=254),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(message=_l("Please enter your password.")),
            Length(max=PASSWORD_MAX_LENGTH),
        ],
    )
    remember = BooleanField(_l("Stay logged in on this device"))
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=email_validators())


class ResetPasswordForm(FlaskForm):
    password, password_confirm = new_password_fields()
