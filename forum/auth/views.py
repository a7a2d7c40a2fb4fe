"""Pages for signing up, logging in and out, confirming e-mail, resetting passwords."""

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from forum import permissions
from forum.auth import services
from forum.auth.forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from forum.db import utcnow
from forum.errors import try_again_text
from forum.extensions import limiter
from forum.urls import safe_next_url

bp = Blueprint("auth", __name__)


def _limit(key: str):
    """Rate-limit POSTs by the configured setting ``key`` (read per request)."""
    return limiter.limit(lambda: current_app.config[key], methods=["POST"])


def _home() -> str:
    return url_for("boards.index")


@bp.route("/register", methods=["GET", "POST"])
@_limit("REGISTER_RATE_LIMIT")
def register():
    if current_user.is_authenticated:
        return redirect(_home())
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            services.sign_up(
                form.username.data, form.email.data, form.password.data, locale=str(get_locale())
            )
        except services.AccountTaken:
            form.username.errors = [*form.username.errors, _("This username is already taken.")]
        else:
            # Not logged in: that would tell whether the address was new.
            return redirect(url_for("auth.welcome"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.get("/welcome")
def welcome():
    if not current_user.is_authenticated:
        # After signing up: the same page whether the address had an account or not.
        return render_template("auth/check_mail.html")
    return render_template("auth/welcome.html", confirmed=current_user.email_confirmed)


@bp.get("/confirm/<token>")
def confirm_email(token: str):
    confirmation = services.confirm_email(token)
    if confirmation is None:
        can_resend = current_user.is_authenticated and not current_user.email_confirmed
        return render_template("auth/confirm_invalid.html", can_resend=can_resend), 400
    user = confirmation.user
    flash(_("Thank you, your e-mail address is confirmed."), "success")
    if current_user.is_anonymous:
        # Signing up does not log in; the first click on the link does, once.
        if not (confirmation.first_time and permissions.can_log_in(user)):
            return redirect(url_for("auth.login"))
        login_user(user)
        services.record_login(user, request.remote_addr)
    if not user.is_member:
        # Next step for an applicant: the membership questions and the netiquette.
        return redirect(url_for("membership.join"))
    return redirect(_home())


@bp.post("/confirm/resend")
@login_required
@_limit("PASSWORD_RESET_RATE_LIMIT")
def resend_confirmation():
    if current_user.email_confirmed:
        flash(_("Your e-mail address is already confirmed."), "info")
        return redirect(_home())
    if services.send_confirmation(current_user):
        flash(_("We have sent you a new confirmation link."), "success")
    else:
        flash(_("The e-mail could not be sent. Please try again later."), "error")
    return redirect(url_for("auth.welcome"))


@bp.route("/login", methods=["GET", "POST"])
@_limit("LOGIN_RATE_LIMIT")
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next_url(request.args.get("next")) or ""
        if current_user.is_authenticated:
            return redirect(form.next.data or _home())
    if form.validate_on_submit():
        try:
            user = services.log_in(form.login.data, form.password.data)
        except services.LockedOut as locked:
            return _locked_out(form, locked.until)
        if user is not None and not permissions.can_log_in(user):
            # Told only after the right password, so a suspension stays private.
            form.form_errors.append(
                _(
                    "Your account is suspended until %(date)s. Reason: %(reason)s",
                    date=format_datetime(user.suspended_until, "medium"),
                    reason=user.suspend_reason,
                )
            )
            return render_template("auth/login.html", form=form), 403
        if user is not None:
            login_user(user, remember=form.remember.data)
            services.record_login(user, request.remote_addr)
            return redirect(safe_next_url(form.next.data) or _home())
        form.form_errors.append(_("Wrong username, e-mail address or password."))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


def _locked_out(form: LoginForm, until):
    form.form_errors.append(
        f"{_('Too many failed log-ins for this account.')} {try_again_text(until)}"
    )
    response = make_response(render_template("auth/login.html", form=form), 429)
    response.headers["Retry-After"] = str(max(1, int((until - utcnow()).total_seconds())))
    return response


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(_home())


@bp.route("/password/forgot", methods=["GET", "POST"])
@_limit("PASSWORD_RESET_RATE_LIMIT")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # The same answer, as fast, whether or not the address has an account.
        services.request_password_reset(form.email.data)
        flash(
            _(
                "If an account uses this address, we have sent it a link to reset "
                "the password. Please check your e-mail."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@_limit("PASSWORD_RESET_RATE_LIMIT")
def reset_password(token: str):
    if services.user_for_reset_token(token) is None:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user = services.reset_password(token, form.password.data)
        if user is None:  # pragma: no cover - used up by a parallel request
            return render_template("auth/reset_invalid.html"), 400
        login_user(user)
        flash(_("Your new password is set and you are logged in."), "success")
        return redirect(_home())
    status = 400 if form.is_submitted() else 200
    return render_template("auth/reset_password.html", form=form, token=token), status
