"""Forms of the review queue, flags and moderator tools."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional

from forum import plugins
from forum.moderation.models import FlagReason
from forum.moderation.queries import KINDS, STATUS_FILTERS

REASON_MAX_LENGTH = 500

KIND_LABELS = {
    "join_request": _l("Join requests"),
    "flagged_post": _l("Flagged posts"),
    "held_post": _l("Held posts"),
}
STATUS_LABELS = {
    "pending": _l("Pending"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "ignored": _l("Ignored"),
    "all": _l("All"),
}
FLAG_REASON_LABELS = {
    FlagReason.OFF_TOPIC: _l("Off topic"),
    FlagReason.INAPPROPRIATE: _l("Inappropriate"),
    FlagReason.SPAM: _l("Spam"),
    FlagReason.OTHER: _l("Something else"),
}
FLAG_REASON_HINTS = {
    FlagReason.OFF_TOPIC: _l("It does not belong in this topic or category."),
    FlagReason.INAPPROPRIATE: _l("It is rude, hurtful or breaks the netiquette."),
    FlagReason.SPAM: _l("It is an advertisement or otherwise unwanted."),
    FlagReason.OTHER: _l("Tell the moderators what is wrong."),
}
FLAG_DECISIONS = ("agree_hide", "agree_delete", "disagree", "ignore")


class ReviewFilterForm(FlaskForm):
    """The queue's filter; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind"), validators=[Optional()])
    status = SelectField(_l("Status"), default="pending", validators=[Optional()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        plugin_kinds = plugins.review_kinds()
        self.kind.choices = [
            ("", _l("All kinds")),
            *((k, KIND_LABELS[k]) for k in KINDS),
            *((name, kind.label) for name, kind in plugin_kinds.items()),
        ]
        self.status.choices = [(s, STATUS_LABELS[s]) for s in STATUS_FILTERS]


class DecisionForm(FlaskForm):
    """A plain decision button (approve); carries where to go back to."""

    next = HiddenField()


class RejectForm(DecisionForm):
    """Reject a join request or a held post with a reason the person will read."""

    template = SelectField(_l("Use a prepared reason"), coerce=int, validators=[Optional()])
    reason = TextAreaField(
        _l("Reason"),
        description=_l(
            "The person reads this. If you leave it empty, the prepared reason is used."
        ),
        validators=[Length(max=REASON_MAX_LENGTH)],
    )
    submit = SubmitField(_l("Reject"))

    def __init__(self, *args, templates=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.templates = {t.id: t for t in templates}
        self.template.choices = [
            (0, _l("None, I write my own")),
            *((t.id, t.title) for t in self.templates.values()),
        ]

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not (self.reason.data or "").strip():
            chosen = self.templates.get(self.template.data or 0)
            if chosen is None:
                self.reason.errors.append(
                    _l("Please give a reason or pick a prepared one; the person will read it.")
                )
                return False
            self.reason.data = chosen.body
        return True


class FlagDecisionForm(DecisionForm):
    """Agree (hide or delete), disagree or ignore; optionally silence the author."""

    decision = StringField(validators=[InputRequired(), AnyOf(FLAG_DECISIONS)])
    silence_days = IntegerField(
        _l("Silence the author for (days)"),
        description=_l("Only when you agree. Leave empty or 0 to not silence."),
        validators=[Optional(), NumberRange(min=0, max=365)],
    )
    reason = TextAreaField(
        _l("Note (optional)"),
        description=_l("Kept in the log; also the reason the author reads if you silence them."),
        validators=[Length(max=REASON_MAX_LENGTH)],
    )


class FlagForm(FlaskForm):
    reason = RadioField(
        _l("Why should a moderator look at this post?"),
        validators=[InputRequired(message=_l("Please choose a reason."))],
    )
    message = TextAreaField(
        _l("Message to the moderators"),
        description=_l("Required for “Something else”, optional otherwise."),
        validators=[Length(max=REASON_MAX_LENGTH)],
    )
    submit = SubmitField(_l("Flag post"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reason.choices = [(r.value, FLAG_REASON_LABELS[r]) for r in FlagReason]

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.reason.data == FlagReason.OTHER and not (self.message.data or "").strip():
            self.message.errors.append(_l("Please tell the moderators what is wrong."))
            return False
        return True


class MoveTopicForm(FlaskForm):
    category = SelectField(_l("Move to category"), coerce=int, validators=[InputRequired()])
    submit = SubmitField(_l("Move"))


class MemberActionForm(FlaskForm):
    """Silence or suspend a member for a number of days, with a reason."""

    days = IntegerField(
        _l("Days"),
        validators=[
            InputRequired(message=_l("Please enter a number of days.")),
            NumberRange(min=1, max=3650, message=_l("Please choose 1 to 3650 days.")),
        ],
    )
    reason = TextAreaField(
        _l("Reason"),
        description=_l("The member reads this."),
        validators=[
            InputRequired(message=_l("Please give a reason; the person will read it.")),
            Length(max=REASON_MAX_LENGTH),
        ],
    )
