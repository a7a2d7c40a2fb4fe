"""The first start set-up under /admin/setup, and the fresh forum's front door.

On a forum that was never set up, the start page takes an admin to the
set-up and shows everybody else a friendly "being set up" page.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional

from forum import permissions
from forum.admin import setup
from forum.admin.categories import CategoryData
from forum.admin.category_forms import READ_LABELS
from forum.admin.views import bp
from forum.errors import AdminError
from forum.forms import visible_text
from forum.site.services import page_text, setting

STEP_LABELS = {
    "site": _l("Name"),
    "legal": _l("Impressum and privacy"),
    "membership": _l("Membership"),
    "categories": _l("Categories"),
}


@bp.before_app_request
def fresh_forum():
    """A forum that was never set up: admins go to the set-up, others see a notice."""
    if request.endpoint != "boards.index" or not setup.needs_setup():
        return None
    if permissions.can_administrate(current_user):
        return redirect(url_for("admin.setup_step", step="site"))
    return render_template("site/setting_up.html")


class SiteForm(FlaskForm):
    name = StringField(
        _l("Name of the forum"),
        validators=[
            InputRequired(message=_l("Please enter a name.")),
            Length(max=80),
            visible_text(),
        ],
    )
    description = StringField(
        _l("One line about the forum"),
        description=_l("Shown under the name on the start page."),
        validators=[Optional(), Length(max=200), visible_text()],
    )


class LegalForm(FlaskForm):
    organisation = StringField(
        _l("Responsible organisation"),
        validators=[
            InputRequired(message=_l("Please enter the organisation.")),
            Length(max=200),
            visible_text(),
        ],
    )
    address = TextAreaField(
        _l("Postal address"),
        validators=[InputRequired(message=_l("Please enter the address.")), Length(max=500)],
    )
    represented_by = StringField(
        _l("Represented by"), validators=[Optional(), Length(max=200), visible_text()]
    )
    email = StringField(
        _l("Contact e-mail address"),
        validators=[
            InputRequired(message=_l("Please enter an e-mail address.")),
            Email(message=_l("Please enter a valid e-mail address.")),
            Length(max=254),
        ],
    )
    phone = StringField(_l("Telephone"), validators=[Optional(), Length(max=60)])
    responsible = StringField(
        _l("Responsible for the content (§ 18 Abs. 2 MStV)"),
        description=_l("Name and address; left empty, the representative is named."),
        validators=[Optional(), Length(max=300), visible_text()],
    )
    privacy_contact = TextAreaField(
        _l("Data protection officer"),
        description=_l("Name and how to reach them; left empty, the contact address is named."),
        validators=[Optional(), Length(max=500)],
    )


class MembershipForm(FlaskForm):
    approval_required = BooleanField(_l("New members need a moderator's approval"))
    questions = TextAreaField(
        _l("Membership questions"),
        description=_l(
            "One question a line, in order. A question ending in “(freiwillig)” may be left "
            "unanswered."
        ),
        validators=[Optional(), Length(max=5000)],
    )
    netiquette = TextAreaField(
        _l("Netiquette"),
        description=_l("Applicants accept it before they join; Markdown works."),
        validators=[InputRequired(message=_l("Please keep a netiquette.")), Length(max=20000)],
    )


def starter_form_class():
    """A form with include, name, description and readers for each starter category."""

    class StarterForm(FlaskForm):
        pass

    for starter in setup.STARTERS:
        key = starter.key
        setattr(StarterForm, f"{key}_include", BooleanField(_l("Create this category")))
        setattr(
            StarterForm,
            f"{key}_name",
            StringField(_l("Name"), validators=[Optional(), Length(max=80), visible_text()]),
        )
        setattr(
            StarterForm,
            f"{key}_description",
            TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)]),
        )
        setattr(StarterForm, f"{key}_read_level", SelectField(_l("Who may read")))
    return StarterForm


def _starter_form():
    form = starter_form_class()()
    for starter in setup.STARTERS:
        form[f"{starter.key}_read_level"].choices = list(READ_LABELS.items())
    if request.method == "GET":
        taken = setup.existing_slugs()
        for starter in setup.STARTERS:
            form[f"{starter.key}_include"].data = starter.data.slug not in taken
            form[f"{starter.key}_name"].data = starter.data.name
            form[f"{starter.key}_description"].data = starter.data.description
            form[f"{starter.key}_read_level"].data = starter.data.read_level
    return form


def _chosen(form) -> list[CategoryData]:
    chosen = []
    taken = setup.existing_slugs()
    for starter in setup.STARTERS:
        if not form[f"{starter.key}_include"].data or starter.data.slug in taken:
            continue
        data = CategoryData(**vars(starter.data))
        data.name = form[f"{starter.key}_name"].data or ""
        data.description = form[f"{starter.key}_description"].data or ""
        data.read_level = form[f"{starter.key}_read_level"].data
        chosen.append(data)
    return chosen


def _form_for(step: str):
    if step == "site":
        form = SiteForm()
        if request.method == "GET":
            form.name.data = setting("SITE_NAME")
            form.description.data = setting("SITE_DESCRIPTION")
        return form
    if step == "legal":
        form = LegalForm()
        if request.method == "GET" and (contacts := setup.saved_contacts()) is not None:
            for name, value in vars(contacts).items():
                form[name].data = value
        return form
    if step == "membership":
        form = MembershipForm()
        if request.method == "GET":
            form.approval_required.data = setting("MEMBERSHIP_APPROVAL_REQUIRED")
            form.questions.data = "\n".join(setup.current_questions())
            form.netiquette.data = page_text("netiquette").raw
        return form
    return _starter_form()


def _save(step: str, form) -> None:
    if step == "site":
        setup.save_identity(current_user, form.name.data, form.description.data or "")
    elif step == "legal":
        setup.save_contacts(
            current_user,
            setup.Contacts(**{
                name: (form[name].data or "").strip()
                for name in setup.Contacts.__dataclass_fields__
            }),
        )  # fmt: skip
    elif step == "membership":
        setup.save_membership(
            current_user,
            bool(form.approval_required.data),
            form.questions.data or "",
            form.netiquette.data or "",
        )
    else:
        setup.create_starters(current_user, _chosen(form))


@bp.get("/setup", endpoint="setup")
def setup_start():
    return redirect(url_for("admin.setup_step", step="site"))


@bp.route("/setup/<any(site, legal, membership, categories):step>", methods=["GET", "POST"])
def setup_step(step: str):
    form = _form_for(step)
    if form.validate_on_submit():
        try:
            _save(step, form)
        except AdminError as error:
            form.form_errors.append(str(error))
        else:
            index = setup.STEPS.index(step)
            if index + 1 < len(setup.STEPS):
                return redirect(url_for("admin.setup_step", step=setup.STEPS[index + 1]))
            flash(_("The forum is set up. Welcome!"), "success")
            return redirect(url_for("admin.categories_list"))
    return render_template(
        "admin/setup.html",
        step=step,
        steps=STEP_LABELS,
        form=form,
        starters=setup.STARTERS if step == "categories" else (),
        taken=setup.existing_slugs() if step == "categories" else set(),
        skip_form=FlaskForm(),
    ), 400 if form.is_submitted() else 200


@bp.post("/setup/skip")
def skip_setup():
    if not FlaskForm().validate_on_submit():
        abort(400)
    setup.skip(current_user)
    flash(_("The set-up is skipped; you can run it again at any time."), "info")
    return redirect(url_for("admin.index"))
