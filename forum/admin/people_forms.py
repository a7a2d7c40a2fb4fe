"""Forms of the admin's people pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from forum.admin.people import ROLES, SORTS, STATUSES
from forum.admin.people_actions import DELETE_POSTS, KEEP_POSTS
from forum.routing import MAX_ID

ROLE_LABELS = {
    "member": _l("Member"),
    "moderator": _l("Moderator"),
    "admin": _l("Admin"),
}
STATUS_LABELS = {
    "applicant": _l("Applicant"),
    "member": _l("Member (not restricted)"),
    "silenced": _l("Silenced"),
    "suspended": _l("Suspended"),
    "unconfirmed": _l("E-mail not confirmed"),
    "inactive": _l("Inactive for a year"),
    "deleted": _l("Deleted (anonymised)"),
}
SORT_LABELS = {
    "joined": _l("Newest members first"),
    "seen": _l("Last seen first"),
    "posts": _l("Most posts first"),
}


class PeopleFilterForm(FlaskForm):
    """The list's search and filters (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name, username or e-mail"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    sort = SelectField(_l("Sort"), validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [("", _l("All roles")), *((r, ROLE_LABELS[r]) for r in ROLES)]
        self.status.choices = [("", _l("Everyone")), *((s, STATUS_LABELS[s]) for s in STATUSES)]
        self.sort.choices = [(s, SORT_LABELS[s]) for s in SORTS]


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[InputRequired()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [(r, ROLE_LABELS[r]) for r in ROLES]


class DeleteAccountForm(FlaskForm):
    posts = RadioField(
        _l("Their posts"),
        validators=[InputRequired(message=_l("Please choose what happens to the posts."))],
    )
    confirm = BooleanField(
        _l("Yes, anonymise this account. This cannot be undone."),
        validators=[DataRequired(message=_l("Please confirm."))],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.posts.choices = [
            (KEEP_POSTS, _l('Keep them, shown as by "Gelöschtes Mitglied"')),
            (DELETE_POSTS, _l("Delete them (topics they started go with all replies)")),
        ]


class MergeForm(FlaskForm):
    other = StringField(
        _l("Username of the other account"),
        description=_l(
            "Its posts, likes, bookmarks, notifications and read positions move to this "
            "account; then it is deleted."
        ),
        validators=[InputRequired(message=_l("Please enter a username.")), Length(max=40)],
    )
    confirm = BooleanField(
        _l("Yes, merge and delete the other account. This cannot be undone."),
        validators=[DataRequired(message=_l("Please confirm."))],
    )
