"""The composer's event fields (named ``plugin.events.*``) and their checks."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import DateTimeLocalField, Form, IntegerField, SelectField, StringField, URLField
from wtforms.validators import URL, Length, NumberRange, Optional

from forum.boards.forms import MUNICIPALITY_LABELS
from forum.boards.models import Municipality
from forum.forms import visible_text

PREFIX = "plugin.events."
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class EventForm(Form):
    """Not a FlaskForm: the composer's own form carries the CSRF token."""

    starts_at = DateTimeLocalField(_l("Starts"), format=LOCAL_FORMAT, validators=[Optional()])
    ends_at = DateTimeLocalField(_l("Ends"), format=LOCAL_FORMAT, validators=[Optional()])
    place = StringField(
        _l("Place (address)"), validators=[Optional(), Length(max=200), visible_text()]
    )
    online_url = URLField(
        _l("Online link"),
        validators=[Optional(), Length(max=500), URL(message=_l("Enter a full web address."))],
    )
    municipality = SelectField(_l("Municipality"), validators=[Optional()])
    max_participants = IntegerField(
        _l("Maximum participants"), validators=[Optional(), NumberRange(min=1, max=100000)]
    )
    registration_deadline = DateTimeLocalField(
        _l("Registration deadline"), format=LOCAL_FORMAT, validators=[Optional()]
    )

    def __init__(self, formdata=None, **kwargs) -> None:
        super().__init__(formdata, prefix=PREFIX, **kwargs)
        places = [(place.value, label) for place, label in MUNICIPALITY_LABELS.items()]
        self.municipality.choices = [("", _l("Not set")), *places]


def event_form(fields: dict[str, str] | None) -> EventForm:
    return EventForm(MultiDict(fields or {}))


def has_event_fields(fields: dict[str, str]) -> bool:
    """Whether any event field was filled in (an empty set means: no event)."""
    return any(value.strip() for key, value in fields.items() if key.startswith(PREFIX) and value)


@dataclass(frozen=True)
class EventInput:
    """The checked fields, times still naive local time."""

    starts_at: datetime
    ends_at: datetime
    place: str
    online_url: str
    municipality: Municipality | None
    max_participants: int | None
    registration_deadline: datetime | None


def find_problems(form: EventForm) -> list[str]:
    """Check every field and the fields against each other.

    Each problem is added to its field's ``errors`` (the composer shows it next
    to the field) and returned as "label: message" for the summary on top.
    """
    form.validate()
    data = form.data

    def add(field, message) -> None:
        field.errors = [*field.errors, str(message)]

    starts, ends = data["starts_at"], data["ends_at"]
    if starts is None and not form.starts_at.errors:
        add(form.starts_at, _l("An event needs a start date and time."))
    if ends is None and not form.ends_at.errors:
        add(form.ends_at, _l("An event needs an end date and time."))
    if starts is not None and ends is not None and ends <= starts:
        add(form.ends_at, _l("The event must end after it starts."))
    deadline = data["registration_deadline"]
    if deadline is not None and starts is not None and deadline > starts:
        late = _l("The registration deadline must not be after the start.")
        add(form.registration_deadline, late)
    place, online_url = (data["place"] or "").strip(), (data["online_url"] or "").strip()
    if not place and not online_url and not form.online_url.errors:
        add(form.place, _l("Give the event a place or an online link."))
    return [f"{field.label.text}: {error}" for field in form for error in field.errors]


def check(form: EventForm) -> EventInput | str:
    """Return the checked input, or every problem in one message for the author."""
    problems = find_problems(form)
    if problems:
        summary = "; ".join(problems)
        return str(_l("Please check the event's details: %(problems)s", problems=summary))
    data = form.data
    place, online_url = (data["place"] or "").strip(), (data["online_url"] or "").strip()
    deadline = data["registration_deadline"]
    return EventInput(
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        place=place,
        online_url=online_url,
        municipality=Municipality(data["municipality"]) if data["municipality"] else None,
        max_participants=data["max_participants"],
        registration_deadline=deadline,
    )


def fields_of(event, to_local) -> dict[str, str]:
    """Return an event as the composer's fields (local times), to edit it."""

    def local(value: datetime | None) -> str:
        return to_local(value).strftime(LOCAL_FORMAT) if value is not None else ""

    values = {
        "starts_at": local(event.starts_at),
        "ends_at": local(event.ends_at),
        "place": event.place or "",
        "online_url": event.online_url or "",
        "municipality": event.municipality.value if event.municipality else "",
        "max_participants": str(event.max_participants or ""),
        "registration_deadline": local(event.registration_deadline),
    }
    return {f"{PREFIX}{name}": value for name, value in values.items()}
