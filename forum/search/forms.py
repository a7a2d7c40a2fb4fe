"""The advanced-options form: filter words for people who do not know them."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from forum.forms import visible_text

ORDER_LABELS = {
    "relevance": _l("Best match"),
    "latest": _l("Newest first"),
    "oldest": _l("Oldest first"),
    "likes": _l("Most liked"),
}
STATUS_LABELS = {"": _l("Open or closed"), "open": _l("Open"), "closed": _l("Closed")}


class AdvancedSearchForm(FlaskForm):
    """Read from the query string; ``query_text`` turns it into filter words."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    words = StringField(_l("Words"), validators=[Optional(), Length(max=200)])
    username = StringField(
        _l("Written by (username)"),
        validators=[Optional(), Length(max=40), Regexp(r"^@?[A-Za-z0-9_.-]+$")],
    )
    #: Choices (the categories the user may read) are set by the view.
    category = SelectField(_l("Category"))
    in_title = BooleanField(_l("Only in topic titles"))
    in_first = BooleanField(_l("Only in first posts"))
    status = SelectField(_l("Topic status"))
    after = DateField(_l("Written on or after"), validators=[Optional()])
    before = DateField(_l("Written before"), validators=[Optional()])
    order = SelectField(_l("Order"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Set after construction: WTForms 3.3 deprecates tuple choices in the constructor.
        self.status.choices = list(STATUS_LABELS.items())
        self.order.choices = list(ORDER_LABELS.items())

    def query_text(self) -> str:
        """Return the query with filter words the fields stand for."""
        parts = [self.words.data.strip()] if self.words.data else []
        if self.username.data:
            parts.append("@" + self.username.data.lstrip("@"))
        if self.category.data:
            parts.append("#" + self.category.data)
        if self.in_title.data:
            parts.append("in:title")
        if self.in_first.data:
            parts.append("in:first")
        if self.status.data:
            parts.append(f"status:{self.status.data}")
        if self.after.data:
            parts.append(f"after:{self.after.data.isoformat()}")
        if self.before.data:
            parts.append(f"before:{self.before.data.isoformat()}")
        if self.order.data and self.order.data != "relevance":
            parts.append(f"order:{self.order.data}")
        return " ".join(parts)


class AskForm(FlaskForm):
    """The "Nothing fits? Ask" form: the search words become the new topic's title."""

    title = StringField(
        _l("Your question"),
        validators=[
            InputRequired(message=_l("Please enter your question.")),
            Length(max=200),
            visible_text(),
        ],
    )
