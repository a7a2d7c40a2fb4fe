"""The admin's people pages: /admin/users and a person's page with its actions.

Routes of the "admin" blueprint (forum/admin/views.py), so only admins enter;
the app factory imports this module to register them. Every action is a POST
with a CSRF token; the destructive ones need a ticked confirmation.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.admin import people, people_actions
from forum.admin.people_forms import (
    ROLE_LABELS,
    DeleteAccountForm,
    MergeForm,
    PeopleFilterForm,
    RoleForm,
)
from forum.admin.views import bp
from forum.errors import AdminError
from forum.membership.forms import ConfirmForm


@bp.get("/users")
def people_list():
    form = PeopleFilterForm(request.args)
    if not form.validate():
        return render_template(
            "admin/people.html", form=form, result=None, role_labels=_role_labels()
        ), 400
    query = people.PeopleQuery(
        q=form.q.data or "",
        role=form.role.data or "",
        status=form.status.data or "",
        sort=form.sort.data or "joined",
        page=form.page.data or 1,
    )
    result = people.list_people(query)
    args = {
        key: value
        for key, value in {
            "q": query.q.strip(),
            "role": query.role,
            "status": query.status,
            "sort": query.sort if query.sort != "joined" else "",
        }.items()
        if value
    }
    return render_template(
        "admin/people.html",
        form=form,
        result=result,
        page_args=args,
        filtered=bool(args),
        role_labels=_role_labels(),
    )


def _role_labels() -> dict[str, str]:
    return {"applicant": _("Applicant"), **{key: str(label) for key, label in ROLE_LABELS.items()}}


def _person_or_404(user_id: int):
    return people.get_person(user_id) or abort(404)


def _person_page(person, status: int = 200, **forms):
    role_form = forms.get("role_form") or RoleForm(formdata=None, role=person.role.value)
    return (
        render_template(
            "admin/person.html",
            person=person,
            facts=people.person_facts(person),
            role_form=role_form,
            button_form=ConfirmForm(formdata=None),
            delete_form=forms.get("delete_form") or DeleteAccountForm(formdata=None),
            merge_form=forms.get("merge_form") or MergeForm(formdata=None),
            role_labels=_role_labels(),
        ),
        status,
    )


@bp.get("/users/<int:user_id>")
def person(user_id: int):
    return _person_page(_person_or_404(user_id))


def _done(person, message: str, category: str = "success"):
    flash(message, category)
    return redirect(url_for("admin.person", user_id=person.id))


@bp.post("/users/<int:user_id>/role")
def person_role(user_id: int):
    person = _person_or_404(user_id)
    form = RoleForm()
    if not form.validate():
        return _person_page(person, 400, role_form=form)
    try:
        changed = people_actions.change_role(current_user, person, form.role.data)
    except AdminError as error:
        form.role.errors = [*form.role.errors, str(error)]
        return _person_page(person, 400, role_form=form)
    if not changed:
        return _done(person, _("Nothing was changed."), "info")
    label = ROLE_LABELS[person.role.value]
    return _done(person, _("%(name)s is now: %(role)s.", name=person.username, role=label))


@bp.post(
    "/users/<int:user_id>/<any('confirm-email', 'resend-confirmation', 'reset-password'):action>"
)
def person_mail_action(user_id: int, action: str):
    person = _person_or_404(user_id)
    if not ConfirmForm().validate():
        abort(400)
    try:
        if action == "confirm-email":
            if people_actions.confirm_email(current_user, person):
                return _done(person, _("The e-mail address is marked as confirmed."))
            return _done(person, _("The e-mail address was confirmed already."), "info")
        if action == "resend-confirmation":
            if people_actions.resend_confirmation(current_user, person):
                return _done(person, _("A new confirmation link is on its way."))
            message = _("The e-mail could not be sent. Please try again later.")
            return _done(person, message, "error")
        people_actions.send_password_reset(current_user, person)
    except AdminError as error:
        return _done(person, str(error), "error")
    return _done(person, _("A link to set a new password is on its way."))


@bp.post("/users/<int:user_id>/delete")
def person_delete(user_id: int):
    person = _person_or_404(user_id)
    form = DeleteAccountForm()
    if not form.validate():
        return _person_page(person, 400, delete_form=form)
    try:
        people_actions.remove_account(current_user, person, form.posts.data)
    except AdminError as error:
        form.form_errors.append(str(error))
        return _person_page(person, 400, delete_form=form)
    return _done(person, _("The account is anonymised."))


@bp.post("/users/<int:user_id>/merge")
def person_merge(user_id: int):
    person = _person_or_404(user_id)
    form = MergeForm()
    if not form.validate():
        return _person_page(person, 400, merge_form=form)
    other = people.find_by_username(form.other.data)
    if other is None:
        form.other.errors = [*form.other.errors, _("There is no user with this name.")]
        return _person_page(person, 400, merge_form=form)
    try:
        people_actions.merge_accounts(current_user, person, other)
    except AdminError as error:
        form.other.errors = [*form.other.errors, str(error)]
        return _person_page(person, 400, merge_form=form)
    return _done(person, _("The accounts are merged."))
