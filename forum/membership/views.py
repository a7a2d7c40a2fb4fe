"""Pages for joining: the application form, the waiting page, invitation links."""

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from forum import permissions
from forum.errors import BoardError
from forum.extensions import limiter
from forum.idempotency import idempotent
from forum.membership import applications, services
from forum.membership.forms import InvitationAcceptForm, answer_field_name, join_form
from forum.moderation.models import ReviewStatus
from forum.site.services import ensure_text, page_text, setting
from forum.users.models import Role

bp = Blueprint("membership", __name__)

#: What an applicant still has to do; the banner in base.html names it.
UNCONFIRMED, APPLY, WAITING, REJECTED = "unconfirmed", "apply", "waiting", "rejected"


def applicant_status(user) -> str | None:
    """Return where an applicant stands, or None for guests and members (one query)."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.APPLICANT:
        return None
    if not user.email_confirmed:
        return UNCONFIRMED
    # The banner and the page both ask; one query per request is enough.
    cache = g.setdefault("applicant_status", {}) if has_request_context() else {}
    if user.id not in cache:
        item = applications.latest_join_request(user)
        if item is None:
            cache[user.id] = WAITING if applications.application_of(user) else APPLY
        else:
            cache[user.id] = REJECTED if item.status == ReviewStatus.REJECTED else WAITING
    return cache[user.id]


@bp.app_context_processor
def membership_banner():
    """Tell templates where an applicant stands (the banner, the landing page's join
    button) and who may administrate."""
    # Mails are rendered with the same environment; they need neither.
    if not has_request_context() or request.endpoint == "static":
        return {}
    status = applicant_status(current_user)
    return {
        # Not on the pages that already say the same.
        "applicant_banner": None if request.endpoint in _BANNER_FREE else status,
        "applicant_status": status,
        "join_url": join_url(current_user),
        "admin_url": admin_url_of(current_user),
    }


def admin_url_of(user) -> str | None:
    """Return where the header's "Administration" leads ``user`` (None: nowhere)."""
    if permissions.can_administrate(user):
        return url_for("admin.index")
    if permissions.can_moderate(user):
        return url_for("admin.log")
    return None


_BANNER_FREE = {"membership.join", "membership.waiting", "auth.welcome", "boards.index"}


def join_url(user) -> str:
    """Return where the "Become a member" button leads this person."""
    status = applicant_status(user)
    if status is None:
        return url_for("auth.register")
    if status == UNCONFIRMED:
        return url_for("auth.welcome")
    if status == APPLY:
        return url_for("membership.join")
    return url_for("membership.waiting")


@bp.route("/join", methods=["GET", "POST"])
# Each request may mail every moderator (JOIN_REQUEST_NOTIFY = "each").
@limiter.limit(lambda: setting("POST_RATE_LIMIT"), methods=["POST"])
@login_required
@idempotent
def join():
    if current_user.is_member:
        flash(_("You are already a member."), "info")
        return redirect(url_for("boards.index"))
    if not current_user.email_confirmed:
        flash(_("Please confirm your e-mail address first; then you can apply."), "info")
        return redirect(url_for("auth.welcome"))
    earlier = applications.application_of(current_user)
    if earlier is not None and not applications.may_apply_again(current_user):
        return redirect(url_for("membership.waiting"))

    questions = services.list_questions()
    netiquette = page_text("netiquette")
    form = join_form(questions)
    if request.method == "GET":
        form.netiquette_version.data = netiquette.version
        if earlier is not None:
            # Applying again after a rejection: start from what was sent before.
            before = {entry["question"]: entry["answer"] for entry in earlier.answers}
            for question in questions:
                form[answer_field_name(question)].data = before.get(question.text, "")
    if form.validate_on_submit():
        if form.netiquette_version.data != netiquette.version:
            # The coordinator changed the rules while the applicant was reading.
            _show_netiquette_again(form, netiquette.version)
        else:
            accepted = ensure_text("netiquette")
            answers = services.build_answers(
                questions, {q.id: form[answer_field_name(q)].data for q in questions}
            )
            try:
                item = applications.submit_application(current_user, answers, accepted.version)
            except BoardError as error:
                flash(str(error), "error")
                return redirect(url_for("boards.index"))
            if item is None:
                flash(_("Welcome to %(site)s! You are now a member.", site=_site_name()), "success")
                return redirect(url_for("boards.index"))
            return redirect(url_for("membership.waiting"))
    elif form.is_submitted() and form.netiquette_version.errors:
        _show_netiquette_again(form, netiquette.version)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "membership/join.html", form=form, questions=questions, netiquette=netiquette
    ), status


@bp.get("/join/waiting")
@login_required
def waiting():
    if current_user.is_member:
        return redirect(url_for("boards.index"))
    status = applicant_status(current_user)
    if status == UNCONFIRMED:
        return redirect(url_for("auth.welcome"))
    if status == APPLY:
        return redirect(url_for("membership.join"))
    item = applications.latest_join_request(current_user)
    return render_template(
        "membership/waiting.html",
        rejected=status == REJECTED,
        reason=item.resolution_reason if item is not None else "",
        application=applications.application_of(current_user),
    )


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"], methods=["POST"])
def accept_invitation(token: str):
    invitation = services.find_invitation(token)
    state = services.invitation_state(invitation)
    if state != services.InvitationState.VALID:
        code = 404 if state == services.InvitationState.UNKNOWN else 410
        return render_template("membership/invite_invalid.html", state=state), code
    if current_user.is_authenticated:
        return render_template("membership/invite_logged_in.html", invitation=invitation)

    netiquette = page_text("netiquette")
    form = InvitationAcceptForm()
    if request.method == "GET":
        form.netiquette_version.data = netiquette.version
    if form.validate_on_submit():
        if form.netiquette_version.data != netiquette.version:
            _show_netiquette_again(form, netiquette.version)
        else:
            accepted = ensure_text("netiquette")
            try:
                user = services.accept_invitation(
                    invitation,
                    form.username.data,
                    form.password.data,
                    accepted.version,
                    locale=str(get_locale()),
                )
            except services.MembershipError as error:
                form.form_errors.append(str(error))
            else:
                login_user(user)
                flash(_("Welcome to %(site)s! You are now a member.", site=_site_name()), "success")
                return redirect(url_for("boards.index"))
    elif form.is_submitted() and form.netiquette_version.errors:
        _show_netiquette_again(form, netiquette.version)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "membership/invite.html",
        form=form,
        invitation=invitation,
        inviter_name=invitation.invited_by.name if invitation.invited_by else _site_name(),
        netiquette=netiquette,
        token=token,
    ), status


def _show_netiquette_again(form, version: int) -> None:
    """The rules changed while the person was reading (or the form was forged)."""
    form.netiquette_version.data, form.netiquette_version.raw_data = version, None
    form.accept_netiquette.data, form.accept_netiquette.raw_data = False, None
    form.accept_netiquette.errors = [
        _("The netiquette was changed in the meantime. Please read it again.")
    ]


def _site_name() -> str:
    return setting("SITE_NAME")
