"""The admin area's category forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from forum.admin.categories import (
    DEFAULT_COLOUR,
    DESCRIPTION_MAX,
    NAME_MAX,
    SLUG_MAX,
    TEMPLATE_MAX,
    CategoryData,
)
from forum.forms import visible_text

KIND_LABELS = {
    "discussion": _l("Discussion"),
    "organisations": _l("Organisations"),
    "help": _l("Neighbourhood help (requests and offers by municipality)"),
}
READ_LABELS = {
    "public": _l("Everybody, guests included"),
    "members": _l("Members"),
    "staff": _l("Moderators and admins"),
}
WRITE_LABELS = {"members": _l("Members"), "staff": _l("Moderators and admins")}
SORT_LABELS = {
    "latest": _l("Latest activity"),
    "newest": _l("Newest topics"),
    "replies": _l("Most replies"),
}


class CategoryForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(message=_l("Please enter a name.")),
            Length(max=NAME_MAX),
            visible_text(),
        ],
    )
    slug = StringField(
        _l("Address (slug)"),
        description=_l(
            "Part of the address and of searches (#slug): lower-case letters, digits and "
            "dashes. Left empty, it is made from the name (ä becomes ae)."
        ),
        validators=[Optional(), Length(max=SLUG_MAX)],
    )
    description = TextAreaField(
        _l("Description"),
        description=_l("Shown on the category's page; Markdown works as in posts."),
        validators=[Optional(), Length(max=DESCRIPTION_MAX)],
    )
    color = StringField(
        _l("Colour"),
        description=_l(
            "Marks the category in lists; it needs a contrast of 3:1 on the light and on "
            "the dark page."
        ),
        default="#" + DEFAULT_COLOUR,
        validators=[InputRequired(message=_l("Please choose a colour.")), Length(max=20)],
    )
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    parent_id = SelectField(
        _l("Subcategory of"),
        description=_l("Categories nest one level deep."),
        validators=[Optional()],
    )
    read_level = SelectField(_l("Who may read"), validators=[InputRequired()])
    write_level = SelectField(_l("Who may start topics"), validators=[InputRequired()])
    reply_level = SelectField(_l("Who may reply"), validators=[InputRequired()])
    default_sort = SelectField(_l("Topics are sorted by"), validators=[InputRequired()])
    topic_template = TextAreaField(
        _l("Topic template"),
        description=_l(
            "Prefilled text of a new topic here, e.g. the questions a help request answers."
        ),
        validators=[Optional(), Length(max=TEMPLATE_MAX)],
    )
    hold_new_member_topics = BooleanField(
        _l("New topics of new members wait for a moderator's approval"),
        description=_l("New: fewer than 10 published posts."),
    )

    def __init__(self, *args, parents=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Set after construction: WTForms 3.3 deprecates tuple choices in the constructor.
        self.kind.choices = list(KIND_LABELS.items())
        self.read_level.choices = list(READ_LABELS.items())
        self.write_level.choices = list(WRITE_LABELS.items())
        self.reply_level.choices = list(WRITE_LABELS.items())
        self.default_sort.choices = list(SORT_LABELS.items())
        self.parent_id.choices = [("", _l("None (top level)"))] + [
            (str(parent.id), parent.name) for parent in parents
        ]

    def fill(self, category) -> None:
        """Show a category's current values."""
        for name in CategoryData.__dataclass_fields__:
            value = getattr(category, name)
            getattr(self, name).data = value.value if hasattr(value, "value") else value
        self.color.data = "#" + category.color
        self.parent_id.data = str(category.parent_id or "")

    def data_for_service(self) -> CategoryData:
        parent = self.parent_id.data
        return CategoryData(
            name=self.name.data or "",
            slug=self.slug.data or "",
            description=self.description.data or "",
            color=self.color.data or "",
            kind=self.kind.data,
            read_level=self.read_level.data,
            write_level=self.write_level.data,
            reply_level=self.reply_level.data,
            topic_template=self.topic_template.data or "",
            default_sort=self.default_sort.data,
            hold_new_member_topics=bool(self.hold_new_member_topics.data),
            parent_id=int(parent) if parent and parent.isdigit() else None,
        )


class DirectionForm(FlaskForm):
    direction = HiddenField(validators=[InputRequired()])


class ReorderForm(FlaskForm):
    """The drag handle's new order: category ids, comma-separated, of one level."""

    order = StringField(validators=[InputRequired(), Length(max=2000)])
    parent_id = StringField(validators=[Optional(), Length(max=20)])


class ArchiveForm(FlaskForm):
    archived = HiddenField(validators=[InputRequired()])


class MoveTopicsForm(FlaskForm):
    destination = SelectField(_l("Move the topics to"), validators=[InputRequired()])

    def __init__(self, *args, destinations=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.destination.choices = [(str(c.id), c.name) for c in destinations]


class DeleteForm(FlaskForm):
    confirm = BooleanField(
        _l("Yes, delete this category"),
        validators=[InputRequired(message=_l("Please confirm."))],
    )
