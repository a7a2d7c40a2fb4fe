"""The admin's API keys page: /admin/api (make, list, revoke).

Routes of the "admin" blueprint (forum/admin/views.py), so only admins enter.
A new key is shown once, on the answer to the form; only its digest is kept.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.admin.api_key_forms import ApiKeyForm
from forum.admin.views import bp
from forum.auth import accounts, api_keys
from forum.extensions import db
from forum.review import audit


def _page(form: ApiKeyForm, secret: str | None = None, status: int = 200):
    return render_template(
        "admin/api_keys.html", form=form, keys=api_keys.list_keys(), secret=secret
    ), status


@bp.get("/api")
def api_keys_list():
    return _page(ApiKeyForm())


@bp.post("/api")
def create_api_key():
    form = ApiKeyForm()
    if not form.validate():
        return _page(form, status=400)
    user = None
    if form.username.data:
        user = accounts.get_user_by_username(form.username.data.strip())
        if user is None:
            form.username.errors.append(_("Nobody here has this username."))
            return _page(form, status=400)
    key, secret = api_keys.create_key(
        description=form.description.data,
        user=user,
        read_only=form.read_only.data,
        created_by=current_user,
    )
    audit.log_action(
        current_user,
        "create_api_key",
        target_type="api_key",
        target_id=key.id,
        target_label=key.description,
    )
    db.session.commit()
    flash(_("The API key was created. Copy it now: it is shown this once only."), "success")
    return _page(ApiKeyForm(formdata=None), secret=secret)


@bp.post("/api/<int:key_id>/revoke")
def revoke_api_key(key_id: int):
    key = api_keys.get_key(key_id)
    if key is None:
        abort(404)
    if api_keys.revoke_key(key):
        audit.log_action(
            current_user,
            "revoke_api_key",
            target_type="api_key",
            target_id=key.id,
            target_label=key.description,
        )
        db.session.commit()
        flash(_("The API key was revoked."), "success")
    return redirect(url_for("admin.api_keys_list"))
