"""Forms of the admin area (membership forms live in forum.membership.forms)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from forum.moderation.models import WatchedWordAction
from forum.routing import MAX_ID

NOTIFY_CHOICES = [
    ("each", _l("An e-mail for each join request")),
    ("daily", _l("One summary a day")),
    ("none", _l("No e-mail")),
]

WATCHED_WORD_ACTION_LABELS = {
    WatchedWordAction.BLOCK.value: _l("Block: the post cannot be sent"),
    WatchedWordAction.HOLD.value: _l("Hold: the post waits for review"),
    WatchedWordAction.CENSOR.value: _l("Censor: the word is blacked out"),
}


def _count_field(label, description, low: int, range_message) -> IntegerField:
    """Return a setting that counts something, from ``low`` to 100."""
    return IntegerField(
        label,
        description=description,
        validators=[
            InputRequired(message=_l("Please enter a number.")),
            NumberRange(min=low, max=100, message=range_message),
        ],
    )


class SettingsForm(FlaskForm):
    approval_required = BooleanField(
        _l("New members need a moderator's approval"),
        description=_l("Off: everyone who confirms their e-mail address becomes a member at once."),
    )
    hold_first_posts = _count_field(
        _l("Hold the first posts of new members"),
        _l("This many posts of a new member wait for review; 0 turns it off."),
        0,
        _l("Please enter a number from 0 to 100."),
    )
    flags_to_hide = _count_field(
        _l("Flags that hide a post"),
        _l("A post flagged by this many different members is hidden until reviewed."),
        1,
        _l("Please enter a number from 1 to 100."),
    )
    join_request_notify = SelectField(
        _l("Tell moderators about join requests"), validators=[InputRequired()]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Set after construction: WTForms 3.3 deprecates tuple choices in the constructor.
        self.join_request_notify.choices = list(NOTIFY_CHOICES)


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
