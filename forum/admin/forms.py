"""Forms of the admin area (membership forms live in forum.membership.forms)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation

from forum.admin.settings_catalog import RUNTIME, RuntimeSetting, words_of
from forum.forms import visible_text
from forum.moderation.models import WatchedWordAction
from forum.routing import MAX_ID

WATCHED_WORD_ACTION_LABELS = {
    WatchedWordAction.BLOCK.value: _l("Block: the post cannot be sent"),
    WatchedWordAction.HOLD.value: _l("Hold: the post waits for review"),
    WatchedWordAction.CENSOR.value: _l("Censor: the word is blacked out"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _check(entry: RuntimeSetting):
    """A validator that asks the catalog whether the value may be stored."""

    def check(_form, field) -> None:
        problem = entry.problem(field.data)
        if problem:
            raise StopValidation(problem)

    return check


def _setting_field(entry: RuntimeSetting):
    common = {"label": entry.label, "description": entry.explanation}
    if entry.kind == "bool":
        return BooleanField(**common)
    if entry.kind == "int":
        message = _l(
            "Please enter a number from %(low)d to %(high)d.", low=entry.low, high=entry.high
        )
        return IntegerField(
            **common,
            validators=[
                InputRequired(message=_l("Please enter a number.")),
                NumberRange(min=entry.low, max=entry.high, message=message),
            ],
        )
    if entry.kind == "choice":
        return SelectField(**common, validators=[InputRequired(), _check(entry)])
    if entry.kind == "words":
        return TextAreaField(
            **common,
            filters=[lambda value: words_of(value) if isinstance(value, str) else value],
            validators=[Optional(), _check(entry)],
        )
    required = entry.low > 0 or entry.kind == "rate"
    return StringField(
        **common,
        filters=[_strip],
        validators=[
            InputRequired(message=_l("Please fill in this field.")) if required else Optional(),
            _check(entry),
            visible_text(),
        ],
    )


class SettingsForm(FlaskForm):
    """Every run-time setting (forum/admin/settings_catalog.py), one field each."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Set after construction: WTForms 3.3 deprecates tuple choices in the constructor.
        for entry in RUNTIME:
            if entry.kind == "choice":
                self[entry.name].choices = list(entry.choices.items())

    def values(self) -> dict:
        """Return the entered values by setting key."""
        return {entry.key: self[entry.name].data for entry in RUNTIME}

    def fill(self, values: dict) -> None:
        for entry in RUNTIME:
            self[entry.name].data = values[entry.key]


for _entry in RUNTIME:
    setattr(SettingsForm, _entry.name, _setting_field(_entry))


class WatchedWordForm(FlaskForm):
    word = StringField(
        _l("Word"),
        description=_l(
            'Matched as a whole word, upper or lower case alike; "*" stands for any letters.'
        ),
        validators=[InputRequired(message=_l("Please enter a word.")), Length(max=100)],
    )
    action = SelectField(_l("Action"), validators=[InputRequired()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.action.choices = list(WATCHED_WORD_ACTION_LABELS.items())


class LogFilterForm(FlaskForm):
    """The audit log's filter (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validators=[Optional()])
    actor = StringField(_l("Done by (username)"), validators=[Optional(), Length(max=40)])
    before_id = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
