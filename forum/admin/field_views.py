"""The admin's list of fields of activity of organisations: /admin/bereiche
(add, rename, remove the unused). Routes of the "admin" blueprint
(forum/admin/views.py), so only admins enter; every change is audit-logged."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from forum.admin.views import bp
from forum.errors import BoardError
from forum.forms import visible_text
from forum.organisations import fields


class FieldForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60), visible_text()])


def _page(form: FieldForm | None = None, status: int = 200, errors: dict | None = None):
    return render_template(
        "admin/activity_fields.html",
        fields=fields.list_fields(),
        counts=fields.usage_counts(),
        form=form or FieldForm(formdata=None),
        action_form=FieldForm(formdata=None),
        errors=errors or {},
    ), status


@bp.get("/bereiche")
def activity_fields():
    return _page()


@bp.post("/bereiche")
def add_activity_field():
    form = FieldForm()
    if not form.validate():
        return _page(form, status=400)
    try:
        field = fields.add_field(current_user, form.name.data)
    except BoardError as error:
        form.name.errors = [str(error.message)]
        return _page(form, status=400)
    flash(_("“%(name)s” was added.", name=field.name), "success")
    return redirect(url_for("admin.activity_fields"))


def _field_or_404(field_id: int):
    field = fields.get_field(field_id)
    if field is None:
        abort(404)
    return field


@bp.post("/bereiche/<int:field_id>")
def rename_activity_field(field_id: int):
    field = _field_or_404(field_id)
    form = FieldForm()
    if not form.validate():
        return _page(status=400, errors={field.id: _("Please enter a name.")})
    try:
        fields.rename_field(current_user, field, form.name.data)
    except BoardError as error:
        return _page(status=400, errors={field.id: str(error.message)})
    flash(_("Saved."), "success")
    return redirect(url_for("admin.activity_fields"))


@bp.post("/bereiche/<int:field_id>/entfernen")
def remove_activity_field(field_id: int):
    field = _field_or_404(field_id)
    if not FlaskForm().validate():
        abort(400)
    try:
        fields.remove_field(current_user, field)
    except BoardError as error:
        flash(str(error.message), "error")
    else:
        flash(_("“%(name)s” was removed.", name=field.name), "success")
    return redirect(url_for("admin.activity_fields"))
