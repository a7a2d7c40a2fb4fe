"""The admin area's category pages (routes of the "admin" blueprint, admins only)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.admin import categories
from forum.admin.category_forms import (
    KIND_LABELS,
    READ_LABELS,
    SORT_LABELS,
    WRITE_LABELS,
    ArchiveForm,
    CategoryForm,
    DeleteForm,
    DirectionForm,
    MoveTopicsForm,
    ReorderForm,
)
from forum.admin.views import bp
from forum.errors import AdminError


def _status(form) -> int:
    return 400 if form.is_submitted() else 200


def _category_or_404(category_id: int):
    return categories.get(category_id) or abort(404)


def _parents(excluding=None) -> list:
    return [
        row.category
        for row in categories.list_tree()
        if excluding is None or row.category.id != excluding.id
    ]


@bp.get("/categories")
def categories_list():
    return render_template(
        "admin/categories.html",
        rows=categories.list_tree(),
        direction_form=DirectionForm(),
        reorder_form=ReorderForm(),
        archive_form=ArchiveForm(),
        read_labels=READ_LABELS,
        kind_labels=KIND_LABELS,
    )


def _edit_page(form, category=None):
    return render_template(
        "admin/category_edit.html",
        form=form,
        category=category,
        write_labels=WRITE_LABELS,
        sort_labels=SORT_LABELS,
    ), _status(form)


@bp.route("/categories/new", methods=["GET", "POST"])
def new_category():
    form = CategoryForm(parents=_parents())
    if form.validate_on_submit():
        try:
            category = categories.create(current_user, form.data_for_service())
        except AdminError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The category “%(name)s” is created.", name=category.name), "success")
            return redirect(url_for("admin.categories_list"))
    return _edit_page(form)


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
def edit_category(category_id: int):
    category = _category_or_404(category_id)
    form = CategoryForm(parents=_parents(excluding=category))
    if request.method == "GET":
        form.fill(category)
    if form.validate_on_submit():
        try:
            changed = categories.update(current_user, category, form.data_for_service())
        except AdminError as error:
            form.form_errors.append(str(error))
        else:
            if changed:
                flash(_("The category is saved."), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for("admin.categories_list"))
    return _edit_page(form, category)


@bp.post("/categories/<int:category_id>/move")
def move_category(category_id: int):
    category = _category_or_404(category_id)
    form = DirectionForm()
    if not form.validate_on_submit() or form.direction.data not in ("up", "down"):
        abort(400)
    categories.move(current_user, category, form.direction.data)
    return redirect(url_for("admin.categories_list") + f"#category-{category.id}")


@bp.post("/categories/reorder")
def reorder_categories():
    """The drag handle's order (forum.js); answers 204 to a script, else goes back."""
    form = ReorderForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        ids = [int(part) for part in form.order.data.split(",")]
        parent_id = int(form.parent_id.data) if form.parent_id.data else None
    except ValueError:
        abort(400)
    parent = None
    if parent_id is not None:
        parent = categories.get(parent_id) if 0 < parent_id < 2**31 else None
        if parent is None:
            abort(400)
    try:
        categories.reorder(current_user, parent, ids)
    except AdminError as error:
        if request.accept_mimetypes.best == "application/json":
            return {"error": str(error)}, 409
        flash(str(error), "error")
    if request.accept_mimetypes.best == "application/json":
        return "", 204
    return redirect(url_for("admin.categories_list"))


@bp.post("/categories/<int:category_id>/archive")
def archive_category(category_id: int):
    category = _category_or_404(category_id)
    form = ArchiveForm()
    if not form.validate_on_submit() or form.archived.data not in ("1", "0"):
        abort(400)
    archived = form.archived.data == "1"
    categories.set_archived(current_user, category, archived)
    if archived:
        message = _("“%(name)s” is archived: read-only, left out of lists.", name=category.name)
    else:
        message = _("“%(name)s” is open again.", name=category.name)
    flash(message, "success")
    return redirect(url_for("admin.categories_list"))


@bp.route("/categories/<int:category_id>/delete", methods=["GET", "POST"])
def delete_category(category_id: int):
    """Delete an empty category; a category with topics first moves them elsewhere."""
    category = _category_or_404(category_id)
    count = categories.topic_count(category)
    destinations = [
        c
        for row in categories.list_tree()
        for c in (row.category, *row.children)
        if c.id != category.id
    ]
    move_form = MoveTopicsForm(destinations=destinations, prefix="move")
    delete_form = DeleteForm(prefix="delete")
    posted = request.method == "POST"
    if posted and "move-destination" in request.form:
        if move_form.validate_on_submit():
            destination = categories.get(int(move_form.destination.data))
            categories.move_topics(current_user, category, destination)
            flash(_("The topics were moved to “%(name)s”.", name=destination.name), "success")
            return redirect(url_for("admin.delete_category", category_id=category.id))
    elif posted and delete_form.validate_on_submit():
        try:
            categories.delete(current_user, category)
        except AdminError as error:
            delete_form.form_errors.append(str(error))
        else:
            flash(_("The category “%(name)s” is deleted.", name=category.name), "success")
            return redirect(url_for("admin.categories_list"))
    return render_template(
        "admin/category_delete.html",
        category=category,
        topic_count=count,
        has_children=categories.has_children(category),
        move_form=move_form,
        delete_form=delete_form,
    ), 400 if posted else 200
