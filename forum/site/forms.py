"""Editing a site text (admin)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from forum.forms import visible_text

TEXT_MAX_LENGTH = 100_000


class SiteTextForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[
            InputRequired(message=_l("Please enter a title.")),
            Length(max=200),
            visible_text(),
        ],
    )
    raw = TextAreaField(
        _l("Text"),
        description=_l("Markdown: **bold**, *italic*, lists with -, links as [text](https://…)."),
        validators=[
            InputRequired(message=_l("Please enter the text.")),
            Length(max=TEXT_MAX_LENGTH),
        ],
    )
