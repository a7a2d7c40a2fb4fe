"""The organisation directory, profiles and representatives' pages."""

from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum import permissions, plugins
from forum.errors import BoardError
from forum.organisations import logos, opportunities, requests, services
from forum.organisations.fields import list_fields
from forum.organisations.filters import directory_filter, feed_query, page_query
from forum.organisations.forms import (
    ConfirmForm,
    NewOrganisationForm,
    OrganisationForm,
    RepresentForm,
    RequestDecisionForm,
)
from forum.organisations.models import Organisation
from forum.uploads.limits import accepts_uploads
from forum.uploads.services import UploadRefused

bp = Blueprint("organisations", __name__)


def visible_organisation(slug: str) -> Organisation:
    """Load the organisation ``current_user`` may see, or answer 404."""
    organisation = services.get_organisation(slug)
    if organisation is None or not permissions.can_see_organisation(current_user, organisation):
        abort(404)
    return organisation


def confirmed_organisation(slug: str, *, manage: bool = False) -> Organisation:
    """Load the organisation a confirmed button acts on: one ``current_user`` may
    see (else 404), with ``manage`` one the coordinator's work reaches (else 404
    too: the buttons do not exist for others), and a valid confirmation (else 400)."""
    organisation = visible_organisation(slug)
    if manage and not permissions.can_manage_organisations(current_user):
        abort(404)
    if not ConfirmForm().validate():
        abort(400)
    return organisation


def editable_organisation(slug: str) -> Organisation:
    organisation = visible_organisation(slug)
    if not permissions.can_edit_organisation(current_user, organisation):
        abort(403)
    return organisation


@bp.get("/organisationen")
def directory():
    form, filters = directory_filter(request.args)
    page = services.directory(current_user, filters, request.args.get("page", 1, type=page_number))
    query = page_query(form, request.args)
    return render_template(
        "organisations/directory.html",
        form=form,
        page=page,
        query=query,
        filtered=any((filters.municipality, filters.field, filters.seeking, filters.name)),
        can_request=permissions.can_request_representation(current_user),
        feed_query=feed_query(filters),
    )


def page_number(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 10000:
        raise ValueError(value)
    return number


@bp.get("/organisations")
def directory_en():
    """The English address of the directory."""
    # The query as it came, not as url_for's arguments: "?_method=POST" or
    # "?endpoint=x" would be taken for url_for's own (a 500), "?_external=1" too.
    query = urlencode(list(request.args.items(multi=True)))
    return redirect(url_for("organisations.directory") + (f"?{query}" if query else ""), 301)


@bp.get("/o/<slug>")
def profile(slug: str):
    organisation = visible_organisation(slug)
    data = services.profile(current_user, organisation)
    names = ",".join(user.username for user in data.representatives)
    # Decided from the representatives the page shows: no query per question.
    is_representative = permissions.represents(current_user, organisation, data.representatives)
    can_edit = permissions.can_edit_organisation(current_user, organisation, data.representatives)
    return render_template(
        "organisations/profile.html",
        organisation=organisation,
        profile=data,
        can_edit=can_edit,
        # Representatives see every opportunity (filled, expired) with its interest count.
        own_opportunities=opportunities.every_opportunity(organisation) if can_edit else [],
        can_manage=permissions.can_manage_organisations(current_user),
        can_request=permissions.can_request_representation(current_user) and not is_representative,
        is_representative=is_representative,
        show_contact=permissions.can_see_contact_details(current_user),
        can_message=permissions.can_send_message(current_user) and bool(names),
        contact_url=url_for("messages.new", to=names) if names else None,
        # Only for the buttons of staff and representatives: a guest's form would put
        # a CSRF token in a new session cookie, and no page with one is cached.
        confirm_form=ConfirmForm(formdata=None) if current_user.is_authenticated else None,
        # Plugins add what belongs to the organisation (the events plugin: its upcoming events).
        profile_outlet=plugins.render_outlet(
            "organisation_profile", user=current_user, organisation=organisation
        ),
    )


@bp.route("/o/<slug>/bearbeiten", methods=["GET", "POST"])
@accepts_uploads
@login_required
def edit(slug: str):
    organisation = editable_organisation(slug)
    form = OrganisationForm(obj=organisation, fields=list_fields())
    if request.method == "GET":
        form.fields.data = [f.slug for f in organisation.fields]
        form.municipality.data = str(organisation.municipality)
    if form.validate_on_submit():
        try:
            _save_logo(form, organisation)
            services.update_organisation(
                current_user, organisation, form.values(), form.fields.data or []
            )
        except UploadRefused as refused:
            form.logo.errors = [str(refused.message)]
        except BoardError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("The profile was saved."), "success")
            return redirect(url_for("organisations.profile", slug=organisation.slug))
    return render_template("organisations/edit.html", organisation=organisation, form=form)


def _save_logo(form: OrganisationForm, organisation: Organisation) -> None:
    """Store a new logo first: a refused picture leaves the profile unsaved and
    the form as typed, with the reason next to the file field."""
    file = form.logo.data
    data = file.read() if file and getattr(file, "filename", "") else b""
    user = current_user._get_current_object()
    if data:
        logos.set_logo(user, organisation, data)
    elif form.remove_logo.data and organisation.logo_key:
        logos.remove_logo(user, organisation)


@bp.route("/o/<slug>/vertreten", methods=["GET", "POST"])
@login_required
def represent(slug: str):
    organisation = visible_organisation(slug)
    if not permissions.can_request_representation(current_user):
        abort(403)
    form = RepresentForm()
    if form.validate_on_submit():
        try:
            requests.request_representation(
                current_user, form.reason.data, organisation=organisation
            )
        except BoardError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Thank you. The coordinator will look at your request."), "success")
            return redirect(url_for("organisations.profile", slug=organisation.slug))
    return render_template("organisations/represent.html", organisation=organisation, form=form)


@bp.route("/organisationen/neu", methods=["GET", "POST"])
@login_required
def new():
    if not permissions.can_request_representation(current_user):
        abort(403)
    form = NewOrganisationForm()
    if form.validate_on_submit():
        try:
            requests.request_representation(
                current_user, form.reason.data, new_name=form.name.data,
                municipality=form.municipality.data,
            )  # fmt: skip
        except BoardError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Thank you. The coordinator will look at your request."), "success")
            return redirect(url_for("organisations.directory"))
    return render_template("organisations/represent.html", organisation=None, form=form)


@bp.post("/o/<slug>/verlassen")
@login_required
def leave(slug: str):
    organisation = confirmed_organisation(slug)
    try:
        services.remove_representative(current_user, organisation, current_user)
    except BoardError as error:
        flash(error.message, "error")
    else:
        flash(_("You no longer represent %(name)s.", name=organisation.name), "success")
    return redirect(url_for("organisations.profile", slug=organisation.slug))


@bp.post("/o/<slug>/vertreter/<username>/entfernen")
@login_required
def remove(slug: str, username: str):
    organisation = confirmed_organisation(slug, manage=True)
    member = services.member_named(username)
    if member is None:
        abort(404)
    try:
        services.remove_representative(current_user, organisation, member)
    except BoardError as error:
        flash(error.message, "error")
    else:
        flash(_("%(name)s no longer represents it.", name=member.name), "success")
    return redirect(url_for("organisations.profile", slug=organisation.slug))


@bp.post("/o/<slug>/<any(verifizieren, entziehen):action>")
@login_required
def verify(slug: str, action: str):
    organisation = confirmed_organisation(slug, manage=True)
    services.set_verified(current_user, organisation, action == "verifizieren")
    flash(_("Saved."), "success")
    return redirect(url_for("organisations.profile", slug=organisation.slug))


@bp.post("/organisationen/anfragen/<int:item_id>")
@login_required
def decide(item_id: int):
    """The coordinator confirms or declines a representation request."""
    if not permissions.can_manage_organisations(current_user):
        abort(404)
    item = requests.representation_item(item_id)
    form = RequestDecisionForm()
    if item is None:
        abort(404)
    if not form.validate():
        abort(400)
    back = url_for("moderation.review_item", item_id=item.id)
    try:
        if form.decision.data == "confirm":
            organisation = requests.confirm(current_user, item)
            flash(_("%(name)s now represents %(org)s.", name=item.user.username,
                    org=organisation.name), "success")  # fmt: skip
        elif form.decision.data == "decline":
            requests.decline(current_user, item, form.reason.data)
            flash(_("The request was declined."), "success")
        else:
            abort(400)
    except BoardError as error:
        flash(error.message, "error")
    return redirect(back)
