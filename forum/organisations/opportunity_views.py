"""Opportunities: the list /engagement, a page each, the organisation's form,
"Ich bin interessiert" and the person's own interests (routes on the
organisations blueprint)."""

from datetime import date

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum import permissions
from forum.errors import BoardError
from forum.extensions import limiter
from forum.organisations import interests, opportunities
from forum.organisations.filters import feed_query, opportunity_filter, page_query
from forum.organisations.forms import (
    SUITABLE_LABELS,
    ConfirmForm,
    InterestForm,
    OpportunityForm,
)
from forum.organisations.models import (
    Opportunity,
    OpportunityStatus,
    Suitable,
)
from forum.organisations.views import bp, editable_organisation, page_number
from forum.site.services import setting


def visible_opportunity(opportunity_id: int) -> Opportunity:
    opportunity = opportunities.get_opportunity(opportunity_id)
    if opportunity is None or not permissions.can_see_organisation(
        current_user, opportunity.organisation
    ):
        abort(404)
    return opportunity


@bp.get("/engagement")
def opportunity_list():
    form, filters = opportunity_filter(request.args)
    page = opportunities.list_opportunities(
        current_user, filters, request.args.get("page", 1, type=page_number)
    )
    query = page_query(form, request.args)
    return render_template(
        "organisations/opportunities.html", form=form, page=page, query=query,
        filtered=any(vars(filters).values()), feed_query=feed_query(filters),
    )  # fmt: skip


@bp.get("/engagement/<int:opportunity_id>")
def opportunity(opportunity_id: int):
    item = visible_opportunity(opportunity_id)
    can_edit = permissions.can_edit_organisation(current_user, item.organisation)
    can_show_interest = permissions.can_show_interest(current_user)
    # A guest's page holds no form: its CSRF token would set the session cookie,
    # and the page cache keeps no page that sets one. A link leads guests to the
    # form (show_interest); a member's page is never cached and has it inline.
    inline_form = current_user.is_authenticated and can_show_interest
    return render_template(
        "organisations/opportunity.html",
        opportunity=item,
        can_edit=can_edit,
        can_show_interest=can_show_interest,
        is_open=item.is_open(date.today()),
        interest=interests.interest_of(current_user, item),
        # A guest's kept message is filled in again (say, after logging in).
        interest_form=_interest_form(item) if inline_form else None,
        confirm_form=ConfirmForm(formdata=None) if can_edit else None,
        today=date.today(),
        suitable_names=[str(SUITABLE_LABELS[s.name.lower()]) for s in Suitable if item.suits(s)],
    )


def _interest_form(item: Opportunity) -> InterestForm:
    """The interest form, filled in with the message kept for ``item`` (if any)."""
    return InterestForm(formdata=None, message=interests.pending_message(item))


@bp.route("/o/<slug>/engagement/neu", methods=["GET", "POST"])
@login_required
def new_opportunity(slug: str):
    organisation = editable_organisation(slug)
    form = OpportunityForm()
    if request.method == "GET":
        form.municipality.data = str(organisation.municipality)
        form.contact_name.data = organisation.contact_name
    if form.validate_on_submit():
        try:
            item = opportunities.create_opportunity(current_user, organisation, form.values())
        except BoardError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("The opportunity is published."), "success")
            return redirect(url_for("organisations.opportunity", opportunity_id=item.id))
    return render_template(
        "organisations/opportunity_form.html", organisation=organisation, form=form, item=None
    )


@bp.route("/engagement/<int:opportunity_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def edit_opportunity(opportunity_id: int):
    item = visible_opportunity(opportunity_id)
    organisation = editable_organisation(item.organisation.slug)
    form = OpportunityForm(obj=item)
    if request.method == "GET":
        form.suitable_for.data = [s.name.lower() for s in Suitable if item.suits(s)]
        form.municipality.data = str(item.municipality)
        form.kind.data, form.commitment.data = str(item.kind), str(item.commitment)
    if form.validate_on_submit():
        try:
            opportunities.update_opportunity(current_user, item, form.values())
        except BoardError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("The opportunity was saved."), "success")
            return redirect(url_for("organisations.opportunity", opportunity_id=item.id))
    return render_template(
        "organisations/opportunity_form.html", organisation=organisation, form=form, item=item
    )


@bp.post("/engagement/<int:opportunity_id>/<any(besetzt, offen):status>")
@login_required
def opportunity_status(opportunity_id: int, status: str):
    item = visible_opportunity(opportunity_id)
    editable_organisation(item.organisation.slug)
    if not ConfirmForm().validate():
        abort(400)
    new = OpportunityStatus.FILLED if status == "besetzt" else OpportunityStatus.OPEN
    opportunities.set_status(current_user, item, new)
    flash(_("Saved."), "success")
    return redirect(url_for("organisations.opportunity", opportunity_id=item.id))


#: An interest opens a conversation, without the hold on a new member's first
#: messages: it counts per account as the messages do (a guest's only waits).
interest_limit = limiter.limit(
    lambda: current_app.config["MESSAGE_RATE_LIMIT"],
    key_func=lambda: f"account:{current_user.get_id()}",
    exempt_when=lambda: not current_user.is_authenticated,
)


#: A guest's message is kept on the server (forum/kept.py): per address, as posts are.
guest_keep_limit = limiter.limit(
    lambda: setting("POST_RATE_LIMIT"),
    methods=["POST"],
    exempt_when=lambda: current_user.is_authenticated,
)


@bp.route("/engagement/<int:opportunity_id>/interesse", methods=["GET", "POST"])
@interest_limit
@guest_keep_limit
def show_interest(opportunity_id: int):
    item = visible_opportunity(opportunity_id)
    if current_user.is_authenticated and not permissions.can_show_interest(current_user):
        abort(403)
    if not item.is_open(date.today()):
        flash(str(interests.NO_LONGER_OPEN), "error")
        return redirect(url_for("organisations.opportunity", opportunity_id=item.id))
    if request.method == "GET":
        return render_template(
            "organisations/interest.html",
            opportunity=item,
            interest=interests.interest_of(current_user, item),
            interest_form=_interest_form(item),
        )
    form = InterestForm()
    if not current_user.is_authenticated:
        # A guest: keep the message through registering and joining.
        if not form.validate_on_submit():
            flash(_("Please write a few words to the organisation."), "error")
            return redirect(url_for("organisations.show_interest", opportunity_id=item.id))
        interests.keep_pending(item, form.message.data)
        flash(_("Your message is kept. Register and join: it reaches the organisation as "
                "soon as you are a member."), "info")  # fmt: skip
        return redirect(url_for("auth.register", next=url_for("organisations.my_interests")))
    if form.validate_on_submit():
        try:
            interests.show_interest(current_user, item, form.message.data)
        except BoardError as error:
            flash(error.message, "error")
        else:
            interests.forget_pending()
            if permissions.is_member(current_user):
                flash(_("Thank you! The organisation has your message."), "success")
            else:
                flash(
                    _("Thank you! Your message is sent as soon as your membership is approved."),
                    "success",
                )
            return redirect(url_for("organisations.my_interests"))
    else:
        flash(_("Please write a few words to the organisation."), "error")
    return redirect(url_for("organisations.opportunity", opportunity_id=item.id))


@bp.get("/engagement/meine")
@login_required
def my_interests():
    return render_template(
        "organisations/my_interests.html",
        interests=interests.open_interests(current_user),
        confirm_form=ConfirmForm(formdata=None),
    )


@bp.post("/engagement/interesse/<int:interest_id>/zurueckziehen")
@login_required
def withdraw_interest(interest_id: int):
    interest = interests.get_interest(interest_id)
    if interest is None or interest.user_id != current_user.id:
        abort(404)
    if not ConfirmForm().validate():
        abort(400)
    interests.withdraw(current_user, interest)
    flash(_("Your interest is withdrawn."), "success")
    return redirect(url_for("organisations.my_interests"))
