"""Forms for signing up, logging in and resetting a password."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Regexp, ValidationError

from forum.users.services import username_taken

USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 20
PASSWORD_MIN_LENGTH = 10
# Long enough for any passphrase, short enough that hashing stays cheap.
PASSWORD_MAX_LENGTH = 200


def password_validators() -> list:
    """Return the rules every new password follows."""
    return [
        InputRequired(message=_l("Please enter a password.")),
        Length(
            min=PASSWORD_MIN_LENGTH,
            max=PASSWORD_MAX_LENGTH,
            message=_l("The password needs at least %(min)d characters.", min=PASSWORD_MIN_LENGTH),
        ),
    ]


def email_validators() -> list:
    """Return the rules every e-mail address follows."""
    return [
        InputRequired(message=_l("Please enter your e-mail address.")),
        Length(max=254, message=_l("This e-mail address is too long.")),
        Email(message=_l("Please enter a valid e-mail address.")),
    ]


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
    password = PasswordField(
        _l("Password"),
        description=_l("At least 10 characters."),
        validators=password_validators(),
    )
    password_confirm = PasswordField(
        _l("Repeat password"),
        validators=[
            InputRequired(message=_l("Please repeat the password.")),
            EqualTo("password", message=_l("The passwords do not match.")),
        ],
    )

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
    password = PasswordField(
        _l("New password"),
        description=_l("At least 10 characters."),
        validators=password_validators(),
    )
    password_confirm = PasswordField(
        _l("Repeat new password"),
        validators=[
            InputRequired(message=_l("Please repeat the password.")),
            EqualTo("password", message=_l("The passwords do not match.")),
        ],
    )
