"""Form fields every domain shares: e-mail addresses, new passwords and names, one set of rules."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import Email, EqualTo, InputRequired, Length, StopValidation

from forum.text import hidden_characters, without_hidden_characters

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


def new_password_fields(
    label: str = _l("New password"), confirm_label: str = _l("Repeat new password")
) -> tuple[PasswordField, PasswordField]:
    """Return a new password and its repetition: ``password, password_confirm = ...``."""
    password = PasswordField(
        label, description=_l("At least 10 characters."), validators=password_validators()
    )
    password_confirm = PasswordField(
        confirm_label,
        validators=[
            InputRequired(message=_l("Please repeat the password.")),
            EqualTo("password", message=_l("The passwords do not match.")),
        ],
    )
    return password, password_confirm


class VisibleText:
    """Refuse a single-line name or title with hidden characters (forum/text.py's
    ``HIDDEN_IN_A_LINE``), and leave it in the field without them: the writer
    sees what was typed, checks it and sends it again."""

    field_flags = {}

    def __call__(self, form, field) -> None:
        if not isinstance(field.data, str):
            return
        codes = hidden_characters(field.data)
        if codes:
            field.data = without_hidden_characters(field.data)
            raise StopValidation(
                _l(
                    "This field held invisible characters that can change how the text reads "
                    "(%(codes)s). They are removed now: please check the text and send it "
                    "again.",
                    codes=", ".join(codes),
                )
            )


def visible_text() -> VisibleText:
    """Return the rule every single-line name and title follows (see ``VisibleText``)."""
    return VisibleText()
