"""Forms of personal messages: a new conversation, adding someone, the preferences."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from forum.boards.forms import ComposerMixin, UploadMixin, _raw_field, _title_field


class MessageForm(UploadMixin, ComposerMixin, FlaskForm):
    to = StringField(
        _l("To"),
        validators=[Length(max=1000)],
        description=_l("Usernames, separated by commas."),
    )
    office = BooleanField(_l("To the coordination office"))
    title = _title_field()
    raw = _raw_field()
    submit = SubmitField(_l("Send message"))

    def usernames(self) -> list[str]:
        text = (self.to.data or "").replace(";", ",").replace("\n", ",")
        return [name.strip() for name in text.split(",") if name.strip()]


class AddParticipantForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=40)])
    submit = SubmitField(_l("Add"))


class PreferencesForm(FlaskForm):
    from_members = BooleanField(_l("Members may send me personal messages"))
    submit = SubmitField(_l("Save"))


class ConfirmForm(FlaskForm):
    """A plain button (leave, ignore); ``next`` says where to go back to."""

    next = HiddenField()
