"""Forms for the settings page and the language switch."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from forum.auth.accounts import email_taken
from forum.forms import email_validators, new_password_fields, visible_text
from forum.users.removal import DELETE_POSTS, KEEP_POSTS

LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}
BIO_MAX_LENGTH = 3000


class TooLong(Length):
    """``Length(max=...)`` without the HTML ``maxlength``: a browser silently cuts
    what was pasted; the form says so instead and keeps the whole text."""

    def __init__(self, max: int, message=None) -> None:
        super().__init__(max=max, message=message)
        self.field_flags = {}


def _language_choices() -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in current_app.config["LANGUAGES"]]


DISPLAY_NAME_TOO_LONG = _l("A display name has at most 80 characters; this one has %(length)d.")


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("Display name"),
        description=_l("Shown instead of your username, e.g. your full name. Optional."),
        validators=[TooLong(80, message=DISPLAY_NAME_TOO_LONG), visible_text()],
    )
    bio = TextAreaField(
        _l("About me"),
        description=_l("Shown on your profile. You can use Markdown."),
        validators=[Length(max=BIO_MAX_LENGTH, message=_l("At most 3000 characters."))],
    )
    language = SelectField(_l("Language"), validate_choice=True)
    email_on_reply = BooleanField(_l("Someone replies to me or quotes me"))
    email_on_mention = BooleanField(_l("Someone mentions me with @name"))
    email_on_message = BooleanField(_l("Someone sends me a personal message"))
    email_on_watched = BooleanField(_l("Someone writes in a topic or category I watch"))
    digest_frequency = SelectField(
        _l("Summary of popular topics"),
        description=_l("Only sent when you have not visited the forum for that long."),
        # A missing or unknown value keeps the saved one (users.services.update_profile).
        validate_choice=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = _language_choices()
        # Set after construction: WTForms 3.3 deprecates tuple choices in the constructor.
        self.digest_frequency.choices = [
            ("off", _l("Never")),
            ("daily", _l("Daily")),
            ("weekly", _l("Weekly")),
            ("biweekly", _l("Every two weeks")),
        ]


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(message=_l("Please enter your current password."))],
    )
    password, password_confirm = new_password_fields()


class EmailChangeForm(FlaskForm):
    email = EmailField(
        _l("New e-mail address"),
        description=_l("We send a link to the new address to confirm it."),
        validators=email_validators(),
    )
    current_password = PasswordField(
        _l("Current password"),
        # The password form on the same page has a field of the same name.
        id="email_current_password",
        validators=[InputRequired(message=_l("Please enter your current password."))],
    )

    def validate_email(self, field: EmailField) -> None:
        if email_taken(field.data):
            raise ValidationError(_l("This e-mail address is already in use."))


class LanguageForm(FlaskForm):
    language = SelectField(validate_choice=True)
    next = HiddenField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = _language_choices()


class DeleteOwnAccountForm(FlaskForm):
    """A member deletes her own account: what happens to her posts, her password, a yes."""

    posts = RadioField(
        _l("Your posts"),
        validators=[InputRequired(message=_l("Please choose what happens to your posts."))],
    )
    delete_password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(message=_l("Please enter your current password."))],
    )
    confirm = BooleanField(
        _l("Yes, delete my account. This cannot be undone."),
        validators=[DataRequired(message=_l("Please confirm."))],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.posts.choices = [
            (KEEP_POSTS, _l('Keep them, shown as by "Gelöschtes Mitglied"')),
            (DELETE_POSTS, _l("Delete them, and the topics I started")),
        ]


class AvatarForm(FlaskForm):
    """An uploaded picture as one's avatar (cropped to the middle square)."""

    avatar = FileField(_l("Your picture"))
