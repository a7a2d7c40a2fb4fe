"""The form for a new API key (/admin/api)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import InputRequired, Length, Optional

from forum.forms import visible_text


class ApiKeyForm(FlaskForm):
    description = StringField(
        _l("Description"),
        description=_l("What the key is for and who has it, e.g. “county web site”."),
        validators=[InputRequired(), Length(max=200), visible_text()],
    )
    username = StringField(
        _l("User (username)"),
        description=_l(
            "The key acts as this person. Empty: for all users; every request then names "
            "the user in the Api-Username header."
        ),
        validators=[Optional(), Length(max=40)],
    )
    read_only = BooleanField(_l("Read only"))
