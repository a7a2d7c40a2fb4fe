"""Forms of the organisations pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from forum.boards.forms import MUNICIPALITY_LABELS
from forum.forms import visible_text
from forum.organisations.opportunities import FIELDS as OPPORTUNITY_FIELDS

SORT_LABELS = {"name": _l("Name"), "activity": _l("Latest activity")}


def municipality_choices(empty: str | None = None) -> list[tuple[str, str]]:
    choices = [(str(value), label) for value, label in MUNICIPALITY_LABELS.items()]
    return [("", empty), *choices] if empty is not None else choices


class DirectoryFilterForm(FlaskForm):
    """The directory's filters (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    municipality = SelectField(_l("Municipality"), validators=[Optional()])
    field = SelectField(_l("Field of activity"), validators=[Optional()])
    seeking = BooleanField(_l("Looking for volunteers now"))
    sort = SelectField(_l("Sort by"), default="name")

    def __init__(self, *args, fields=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.municipality.choices = municipality_choices(str(_l("All municipalities")))
        self.field.choices = [("", str(_l("All fields")))] + [(f.slug, f.name) for f in fields]
        self.sort.choices = list(SORT_LABELS.items())


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OrganisationForm(FlaskForm):
    """A representative's (or the coordinator's) edit of a profile."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120), visible_text()])
    short_line = StringField(
        _l("Short line"),
        validators=[Optional(), Length(max=160), visible_text()],
        description=_l("One sentence for the directory's card."),
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Markdown: who you are, what you do, how to join in."),
    )
    municipality = SelectField(_l("Municipality"), validators=[DataRequired()])
    fields = MultiCheckboxField(_l("Fields of activity"), validators=[Optional()])
    website = StringField(
        _l("Website"), validators=[Optional(), URL(require_tld=True), Length(max=255)]
    )
    contact_name = StringField(
        _l("Contact person"), validators=[Optional(), Length(max=120), visible_text()]
    )
    contact_email = StringField(
        _l("Contact e-mail address"),
        validators=[Optional(), Email(), Length(max=255)],
        description=_l("Shown to members only; guests see a contact button."),
    )
    contact_phone = StringField(_l("Telephone"), validators=[Optional(), Length(max=60)])
    meeting_place = StringField(
        _l("Meeting place"), validators=[Optional(), Length(max=255), visible_text()]
    )
    meeting_times = StringField(
        _l("Meeting times"), validators=[Optional(), Length(max=255), visible_text()]
    )
    seeking_volunteers = BooleanField(_l("We are looking for volunteers now"))
    members_only = BooleanField(
        _l("Show this organisation to members only"),
        description=_l("Guests will not find it in the directory, in search or by its address."),
    )
    logo = FileField(
        _l("Logo"),
        description=_l(
            "A picture; the middle square is shown. Saved without location and camera data."
        ),
    )
    remove_logo = BooleanField(_l("Remove the logo"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, fields=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.municipality.choices = municipality_choices(str(_l("Please choose")))
        self.fields.choices = [(f.slug, f.name) for f in fields]

    def values(self) -> dict:
        names = (
            "name", "short_line", "description", "municipality", "website", "contact_name",
            "contact_email", "contact_phone", "meeting_place", "meeting_times",
            "seeking_volunteers", "members_only",
        )  # fmt: skip
        return {name: getattr(self, name).data for name in names}


class RepresentForm(FlaskForm):
    """Ask to represent an existing organisation."""

    reason = TextAreaField(
        _l("Why do you speak for this organisation?"),
        validators=[DataRequired(), Length(max=1000)],
        description=_l("For example your role in the club. The coordinator reads it."),
    )
    submit = SubmitField(_l("Send request"))


class NewOrganisationForm(FlaskForm):
    """Ask to create an organisation that is not in the directory yet."""

    name = StringField(
        _l("Name of the organisation"), validators=[DataRequired(), Length(max=120), visible_text()]
    )
    municipality = SelectField(_l("Municipality"), validators=[DataRequired()])
    reason = TextAreaField(
        _l("Why do you speak for this organisation?"),
        validators=[DataRequired(), Length(max=1000)],
        description=_l("For example your role in the club. The coordinator reads it."),
    )
    submit = SubmitField(_l("Send request"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.municipality.choices = municipality_choices(str(_l("Please choose")))


class RequestDecisionForm(FlaskForm):
    """The coordinator's decision on a representation request."""

    decision = HiddenField()
    reason = TextAreaField(
        _l("Reason (required to decline; the member reads it)"),
        validators=[Optional(), Length(max=1000)],
    )


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token (leave, remove, verify)."""


SUITABLE_LABELS = {
    "young_people": _l("Young people"),
    "seniors": _l("Seniors"),
    "families": _l("Families"),
    "little_german": _l("Newcomers with little German"),
}
COMMITMENT_LABELS = {"one_off": _l("One-off"), "regular": _l("Regular")}
HOURS_LABELS = {
    "4": _l("Up to 4 hours a month"),
    "10": _l("Up to 10 hours a month"),
    "more": _l("More than 10 hours a month"),
}
KIND_LABELS = {"opportunity": _l("Volunteering"), "training": _l("Training (Fortbildung)")}


class OpportunityFilterForm(FlaskForm):
    """The opportunity list's filters (GET, no CSRF)."""

    class Meta:
        csrf = False

    municipality = SelectField(_l("Municipality"), validators=[Optional()])
    field = SelectField(_l("Field of activity"), validators=[Optional()])
    hours = SelectField(_l("Time"), validators=[Optional()])
    commitment = SelectField(_l("One-off or regular"), validators=[Optional()])
    suitable = SelectField(_l("Suitable for"), validators=[Optional()])
    kind = SelectField(_l("Kind"), validators=[Optional()])

    def __init__(self, *args, fields=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        every = str(_l("All"))
        self.municipality.choices = municipality_choices(str(_l("All municipalities")))
        self.field.choices = [("", str(_l("All fields")))] + [(f.slug, f.name) for f in fields]
        self.hours.choices = [("", every), *HOURS_LABELS.items()]
        self.commitment.choices = [("", every), *COMMITMENT_LABELS.items()]
        self.suitable.choices = [("", str(_l("Everybody"))), *SUITABLE_LABELS.items()]
        self.kind.choices = [("", every), *KIND_LABELS.items()]


class OpportunityForm(FlaskForm):
    """An organisation's opportunity or training offer."""

    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=160), visible_text()])
    description = TextAreaField(
        _l("What is it about?"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Markdown: the task, the team, what a volunteer gets."),
    )
    municipality = SelectField(_l("Municipality"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=160), visible_text()])
    from_home = BooleanField(_l("Possible from home"))
    commitment = SelectField(_l("One-off or regular"), validators=[DataRequired()])
    hours_per_month = IntegerField(
        _l("Hours per month"), validators=[Optional(), NumberRange(min=0, max=300)]
    )
    starts_on = DateField(_l("Start date"), validators=[Optional()])
    ends_on = DateField(
        _l("End date"),
        validators=[Optional()],
        description=_l("After this day the opportunity leaves the list by itself."),
    )
    requirements = StringField(
        _l("Requirements"),
        validators=[Optional(), Length(max=500), visible_text()],
        description=_l("For example an extended certificate of conduct or a driving licence."),
    )
    suitable_for = MultiCheckboxField(_l("Suitable for"), validators=[Optional()])
    contact_name = StringField(
        _l("Contact person"), validators=[Optional(), Length(max=120), visible_text()]
    )
    cost = StringField(
        _l("Cost (training)"), validators=[Optional(), Length(max=120), visible_text()]
    )
    registration = StringField(
        _l("How to register (training)"), validators=[Optional(), Length(max=255), visible_text()]
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = list(KIND_LABELS.items())
        self.municipality.choices = municipality_choices(str(_l("Please choose")))
        self.commitment.choices = list(COMMITMENT_LABELS.items())
        self.suitable_for.choices = list(SUITABLE_LABELS.items())

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in OPPORTUNITY_FIELDS}


class InterestForm(FlaskForm):
    """ "Ich bin interessiert" with a short message."""

    message = TextAreaField(
        _l("Your message to the organisation"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l(
            "A few words about you and when you could help; its representatives read it."
        ),
    )
    submit = SubmitField(_l("I am interested"))
