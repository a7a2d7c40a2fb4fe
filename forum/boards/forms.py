"""Composer forms: starting a topic, replying, editing."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from forum.boards.models import HelpKind, HelpStatus, Municipality
from forum.forms import visible_text
from forum.routing import MAX_ID

HELP_KIND_LABELS = {HelpKind.REQUEST: _l("Request"), HelpKind.OFFER: _l("Offer")}
HELP_STATUS_LABELS = {
    HelpStatus.OPEN: _l("Open"),
    HelpStatus.ARRANGED: _l("Arranged"),
    HelpStatus.DONE: _l("Done"),
}
# Proper names of the county's municipalities; not translated.
MUNICIPALITY_LABELS = {
    Municipality.GIFHORN: "Stadt Gifhorn",
    Municipality.WITTINGEN: "Stadt Wittingen",
    Municipality.SASSENBURG: "Gemeinde Sassenburg",
    Municipality.BOLDECKER_LAND: "Samtgemeinde Boldecker Land",
    Municipality.BROME: "Samtgemeinde Brome",
    Municipality.HANKENSBUETTEL: "Samtgemeinde Hankensbüttel",
    Municipality.ISENBUETTEL: "Samtgemeinde Isenbüttel",
    Municipality.MEINERSEN: "Samtgemeinde Meinersen",
    Municipality.PAPENTEICH: "Samtgemeinde Papenteich",
    Municipality.WESENDORF: "Samtgemeinde Wesendorf",
}
#: The names without "Stadt", "Gemeinde" or "Samtgemeinde", for the help map's tiles.
MUNICIPALITY_SHORT_LABELS = {m: label.split(" ", 1)[-1] for m, label in MUNICIPALITY_LABELS.items()}


class _LengthFromConfig:
    """Length limits read from the app config at validation time."""

    def __init__(self, min_key: str, max_key: str) -> None:
        self.min_key, self.max_key = min_key, max_key

    def __call__(self, form, field) -> None:
        low = current_app.config[self.min_key]
        high = current_app.config[self.max_key]
        length = len((field.data or "").strip())
        if length < low:
            raise ValidationError(_l("Please write at least %(n)d characters.", n=low))
        if length > high:
            raise ValidationError(
                _l("Please write at most %(n)d characters (now %(m)d).", n=high, m=length)
            )


title_length = _LengthFromConfig("TOPIC_TITLE_MIN_LENGTH", "TOPIC_TITLE_MAX_LENGTH")


def _title_field():
    return StringField(_l("Title"), validators=[InputRequired(), title_length, visible_text()])


def _raw_field():
    return TextAreaField(
        _l("Text"),
        validators=[InputRequired(), _LengthFromConfig("POST_MIN_LENGTH", "POST_MAX_LENGTH")],
    )


def _optional_choice(labels: dict, placeholder) -> list[tuple[str, str]]:
    return [("", placeholder), *((key.value, label) for key, label in labels.items())]


class ComposerMixin:
    #: A second submit button: show the preview instead of saving (works without JS).
    preview = SubmitField(_l("Preview"))


class UploadMixin:
    """A picture or PDF sent with the composer (works without JavaScript)."""

    attachment = FileField(_l("Add a picture or PDF"))
    attachment_alt = StringField(
        _l("Describe the picture for people who cannot see it"),
        validators=[Length(max=200)],
    )
    #: Uploads the file and shows the composer again with it in the text.
    upload = SubmitField(_l("Upload"))


class TopicForm(UploadMixin, ComposerMixin, FlaskForm):
    category = SelectField(_l("Category"), coerce=int, validators=[DataRequired()])
    title = _title_field()
    raw = _raw_field()
    help_kind = SelectField(_l("Request or offer"), validators=[Optional()])
    municipality = SelectField(_l("Municipality"), validators=[Optional()])
    submit = SubmitField(_l("Create topic"))
    #: Shows the composer again with topics like the title (works without JS).
    similar = SubmitField(_l("Check for similar topics"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.help_kind.choices = _optional_choice(HELP_KIND_LABELS, _l("Please choose"))
        self.municipality.choices = _optional_choice(MUNICIPALITY_LABELS, _l("Please choose"))


class ReplyForm(UploadMixin, ComposerMixin, FlaskForm):
    raw = _raw_field()
    reply_to_post_number = IntegerField(
        validators=[Optional(), NumberRange(min=1, max=MAX_ID)], widget=HiddenInput()
    )
    submit = SubmitField(_l("Reply"))


class EditForm(UploadMixin, ComposerMixin, FlaskForm):
    # Required (with length limits) for first posts only; the view adds those rules.
    title = StringField(_l("Title"), validators=[visible_text()])
    raw = _raw_field()
    reason = StringField(_l("Reason for the edit (optional)"), validators=[Length(max=255)])
    help_kind = SelectField(_l("Request or offer"), validators=[Optional()])
    municipality = SelectField(_l("Municipality"), validators=[Optional()])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.help_kind.choices = _optional_choice(HELP_KIND_LABELS, _l("Please choose"))
        self.municipality.choices = _optional_choice(MUNICIPALITY_LABELS, _l("Please choose"))


class HelpFilterForm(FlaskForm):
    """The help list's filter; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Request or offer"), validators=[Optional()])
    municipality = SelectField(_l("Municipality"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = _optional_choice(HELP_KIND_LABELS, _l("All"))
        self.municipality.choices = _optional_choice(MUNICIPALITY_LABELS, _l("All"))
        self.status.choices = _optional_choice(HELP_STATUS_LABELS, _l("All"))
