"""Profiles, avatars, settings (with the download of one's data and deleting one's
account), language and bookmarks."""

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_login.config import COOKIE_NAME

from forum import permissions, plugins
from forum.auth import accounts
from forum.auth import services as auth_services
from forum.errors import AccountTaken, AdminError, BoardError
from forum.extensions import limiter
from forum.site.services import setting
from forum.uploads import services as uploads
from forum.uploads.limits import accepts_uploads
from forum.urls import safe_next_url
from forum.users import export, removal, services
from forum.users.avatar import SIZES, letter_avatar_svg
from forum.users.forms import (
    AvatarForm,
    DeleteOwnAccountForm,
    EmailChangeForm,
    LanguageForm,
    PasswordChangeForm,
    ProfileForm,
)

bp = Blueprint("users", __name__)

AVATAR_MAX_AGE = 60 * 60 * 24 * 30


@bp.get("/u/<username>")
def profile(username: str):
    user = accounts.get_user_by_username(username)
    if user is None:
        abort(404)
    activity = services.recent_activity(user, current_user)
    return render_template(
        "users/profile.html",
        user=user,
        activity=activity,
        is_self=current_user.is_authenticated and current_user.id == user.id,
        profile_outlet=plugins.render_outlet("user_profile", user=current_user, profile_user=user),
    )


@bp.get("/user_avatar/<username>/<int:size>.svg")
def avatar(username: str, size: int):
    if size not in SIZES or not 0 < len(username) <= 40:
        abort(404)
    response = current_app.response_class(
        letter_avatar_svg(username, size), mimetype="image/svg+xml"
    )
    response.cache_control.public = True
    response.cache_control.max_age = AVATAR_MAX_AGE
    return response


def _settings_page(
    profile_form=None,
    password_form=None,
    email_form=None,
    delete_form=None,
    status: int = 200,
    avatar_form=None,
):
    user = current_user._get_current_object()
    if profile_form is None:
        profile_form = ProfileForm(
            formdata=None,
            data={
                "display_name": user.display_name,
                "bio": user.bio_raw,
                "language": user.locale or current_app.config["BABEL_DEFAULT_LOCALE"],
                "email_on_reply": user.email_on_reply,
                "email_on_mention": user.email_on_mention,
                "email_on_message": user.email_on_message,
                "email_on_watched": user.email_on_watched,
                "digest_frequency": user.digest_frequency,
            },
        )
    return (
        render_template(
            "users/settings.html",
            user=user,
            profile_form=profile_form,
            password_form=password_form or PasswordChangeForm(formdata=None),
            email_form=email_form or EmailChangeForm(formdata=None),
            delete_form=delete_form or DeleteOwnAccountForm(formdata=None),
            avatar_form=avatar_form or AvatarForm(formdata=None),
            can_upload=permissions.can_upload(user),
        ),
        status,
    )


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    if request.method == "GET":
        return _settings_page()
    form = ProfileForm()
    if not form.validate():
        return _settings_page(profile_form=form, status=400)
    services.update_profile(
        current_user,
        display_name=form.display_name.data or "",
        bio=form.bio.data or "",
        locale=form.language.data,
        email_on_reply=form.email_on_reply.data,
        email_on_mention=form.email_on_mention.data,
        email_on_message=form.email_on_message.data,
        email_on_watched=form.email_on_watched.data,
        digest_frequency=form.digest_frequency.data,
    )
    flash(_("Your settings are saved."), "success")
    return redirect(url_for("users.settings"))


@bp.post("/settings/avatar")
@accepts_uploads
@login_required
@limiter.limit(lambda: setting("POST_RATE_LIMIT"))
def upload_avatar():
    form = AvatarForm()
    file = form.avatar.data if form.validate() else None
    if file is None or not getattr(file, "filename", ""):
        form.avatar.errors = [_("Please choose a picture.")]
        return _settings_page(avatar_form=form, status=400)
    try:
        data = file.read(int(setting("UPLOAD_MAX_MB")) * 1024 * 1024 + 1)
        file.close()
        uploads.save_avatar(current_user._get_current_object(), data)
    except BoardError as error:
        form.avatar.errors = [str(error.message)]
        return _settings_page(avatar_form=form, status=400)
    flash(_("Your picture is saved."), "success")
    return redirect(url_for("users.settings") + "#settings-avatar")


@bp.post("/settings/avatar/remove")
@login_required
def remove_avatar():
    if AvatarForm().validate():
        uploads.remove_avatar(current_user._get_current_object())
        flash(_("Your picture is removed; the letter picture is shown again."), "success")
    return redirect(url_for("users.settings") + "#settings-avatar")


@bp.post("/settings/password")
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def change_password():
    form = PasswordChangeForm()
    if form.validate():
        if accounts.verify_password(current_user, form.current_password.data):
            user = current_user._get_current_object()
            cookie_name = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
            remembered = cookie_name in request.cookies
            accounts.change_password(user, form.password.data)
            # The new password logs out other devices; keep this one logged in.
            login_user(user, remember=remembered)
            flash(_("Your new password is saved."), "success")
            return redirect(url_for("users.settings"))
        form.current_password.errors = [_("This is not your current password.")]
    return _settings_page(password_form=form, status=400)


@bp.post("/settings/email")
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def change_email():
    form = EmailChangeForm()
    if form.validate():
        if not accounts.verify_password(current_user, form.current_password.data):
            form.current_password.errors = [_("This is not your current password.")]
        else:
            try:
                auth_services.change_email_address(current_user, form.email.data)
            except AccountTaken:
                form.email.errors = [_("This e-mail address is already in use.")]
            else:
                flash(
                    _("Your e-mail address is changed. Please confirm it with the link we sent."),
                    "success",
                )
                return redirect(url_for("users.settings"))
    return _settings_page(email_form=form, status=400)


def _per_member() -> str:
    return f"member:{current_user.id}"


@bp.post("/settings/export")
@login_required
@limiter.limit(lambda: current_app.config["DATA_EXPORT_RATE_LIMIT"], key_func=_per_member)
def export_data():
    """The member's own data as a JSON file, built now for her alone (a POST with the
    forum's CSRF check, so no other site can make her browser fetch it)."""
    data = export.build(current_user, current_app.config.get("BASE_URL") or request.host_url)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    name = f"forum-{current_user.id}-data.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/settings/delete-account")
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def delete_account():
    """The member deletes her own account (anonymised as an admin would) after her password."""
    form = DeleteOwnAccountForm()
    if form.validate():
        if not accounts.verify_password(current_user, form.delete_password.data):
            form.delete_password.errors = [_("This is not your current password.")]
        else:
            try:
                removal.anonymise(current_user, current_user, form.posts.data)
            except AdminError as error:
                form.form_errors.append(str(error))
            else:
                logout_user()
                session.clear()
                flash(_("Your account is deleted. Goodbye, and thank you."), "success")
                return redirect(url_for("boards.index"))
    return _settings_page(delete_form=form, status=400)


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if not form.validate():
        abort(400)
    if current_user.is_authenticated:
        services.set_locale(current_user, form.language.data)
    else:
        session["locale"] = form.language.data
    return redirect(safe_next_url(form.next.data) or url_for("boards.index"))


@bp.get("/language/<code>")
def switch_language(code: str):
    """A guest's language link: no form and no token, so guests' pages can be cached
    (forum/pagecache.py). It only sets the session's language, which never
    outranks a member's saved choice (that changes with the POST form)."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["locale"] = code
    return redirect(safe_next_url(request.args.get("next")) or url_for("boards.index"))


@bp.get("/bookmarks")
@login_required
def bookmarks():
    page = services.list_bookmarks(current_user, cursor=request.args.get("before"))
    return render_template("users/bookmarks.html", page=page)
