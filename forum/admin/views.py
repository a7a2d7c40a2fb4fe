"""The admin area under /admin.

Only admins may enter (``permissions.can_administrate``); moderators may also
invite people and read the audit log. Everyone else gets a 404, so the area's
existence is not revealed.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum import permissions
from forum.admin import dashboard, services, settings_catalog
from forum.admin.chart import week_chart
from forum.admin.forms import (
    WATCHED_WORD_ACTION_LABELS,
    LogFilterForm,
    SettingsForm,
    WatchedWordForm,
)
from forum.membership import services as membership
from forum.membership.forms import (
    ConfirmForm,
    InvitationForm,
    MoveForm,
    QuestionForm,
    RejectionTemplateForm,
)
from forum.moderation.forms import KIND_LABELS
from forum.plugins import plugin_infos, review_kinds
from forum.review import audit
from forum.search import services as search_services
from forum.site.forms import SiteTextForm
from forum.site.services import TEXT_KEYS, page_text, setting

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: Pages moderators may use too; all others are for admins only.
MODERATOR_ENDPOINTS = {"admin.log", "admin.invitations"}
LOG_PAGE_SIZE = 50
#: Where each site text is shown (the about text is on the landing page).
PUBLIC_ENDPOINTS = {
    "about": "boards.index",
    "netiquette": "site.netiquette",
    "impressum": "site.impressum",
    "privacy": "site.privacy",
}


@bp.before_request
def require_admin():
    if permissions.can_administrate(current_user):
        return None
    if request.endpoint in MODERATOR_ENDPOINTS and permissions.can_moderate(current_user):
        return None
    abort(404)


bp.add_app_template_filter(audit.action_label, "audit_action")
bp.add_app_template_filter(audit.target_label, "audit_target")
bp.add_app_template_filter(audit.detail_rows, "audit_details")


@bp.app_context_processor
def admin_labels():
    return {"watched_word_action_labels": WATCHED_WORD_ACTION_LABELS}


def _text_labels() -> dict[str, str]:
    return {
        "about": _("About the forum (landing page)"),
        "netiquette": _("Netiquette"),
        "impressum": _("Legal notice (Impressum)"),
        "privacy": _("Privacy policy (Datenschutz)"),
    }


def _status(form) -> int:
    return 400 if form.is_submitted() else 200


# --- Overview and settings -----------------------------------------------------------------------


@bp.get("/")
def index():
    """The dashboard: what waits for a decision, how the forum is doing."""
    board = dashboard.build(current_user, setting("SEARCH_LOG_DAYS"))
    return render_template(
        "admin/index.html",
        board=board,
        chart=week_chart(board.weeks),
        kind_labels={**KIND_LABELS, **{n: k.label for n, k in review_kinds().items()}},
    )


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    form = SettingsForm()
    if request.method == "GET":
        form.fill(services.current_settings())
    if form.validate_on_submit():
        changed = services.update_settings(current_user, form.values())
        if "SEARCH_EXTRA_WORDS" in changed:
            search_services.reindex_after_response()
            flash(
                _(
                    "The search index is being rebuilt with the new words; until it is done, "
                    "compounds are found as before. On a large forum this takes minutes "
                    "(also: flask --app forum search reindex)."
                ),
                "info",
            )
        if changed:
            flash(_("The settings are saved."), "success")
        else:
            flash(_("Nothing was changed."), "info")
        return redirect(url_for("admin.settings"))
    return render_template(
        "admin/settings.html", form=form, sections=settings_catalog.page_sections(form)
    ), _status(form)


# --- Site texts ----------------------------------------------------------------------------------


@bp.get("/texts")
def texts():
    pages = [(key, _text_labels()[key], page_text(key)) for key in TEXT_KEYS]
    return render_template("admin/texts.html", pages=pages)


@bp.route("/texts/<key>", methods=["GET", "POST"])
def edit_text(key: str):
    if key not in TEXT_KEYS:
        abort(404)
    current = page_text(key)
    form = SiteTextForm()
    if request.method == "GET":
        form.title.data, form.raw.data = current.title, current.raw
    if form.validate_on_submit():
        text = services.save_site_text(current_user, key, form.title.data, form.raw.data)
        flash(_("Saved as version %(version)d.", version=text.version), "success")
        return redirect(url_for("admin.edit_text", key=key))
    return render_template(
        "admin/text_edit.html",
        form=form,
        key=key,
        label=_text_labels()[key],
        public_endpoint=PUBLIC_ENDPOINTS[key],
        current=current,
        versions=services.text_versions(key),
    ), _status(form)


@bp.get("/texts/<key>/<int:version>")
def text_version(key: str, version: int):
    if key not in TEXT_KEYS:
        abort(404)
    text = services.get_text_version(key, version)
    if text is None:
        abort(404)
    return render_template("admin/text_version.html", text=text, label=_text_labels()[key])


# --- Membership questions ------------------------------------------------------------------------


@bp.route("/questions", methods=["GET", "POST"])
def questions():
    form = QuestionForm()
    if form.validate_on_submit():
        membership.create_question(current_user, form.text.data, form.required.data)
        flash(_("The question is added."), "success")
        return redirect(url_for("admin.questions"))
    questions = membership.list_questions(active_only=False)
    active = [question for question in questions if question.active]
    # Only shown questions have an order that matters; inactive ones come last.
    rows = [
        (
            question,
            question.active and question is not active[0],
            question.active and question is not active[-1],
        )
        for question in questions
    ]
    return render_template(
        "admin/questions.html", form=form, rows=rows, move_form=MoveForm()
    ), _status(form)


@bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
def edit_question(question_id: int):
    question = membership.get_question(question_id) or abort(404)
    form = QuestionForm(obj=question)
    if form.validate_on_submit():
        membership.update_question(
            current_user, question, form.text.data, form.required.data, form.active.data
        )
        flash(_("The question is saved."), "success")
        return redirect(url_for("admin.questions"))
    return render_template("admin/question_edit.html", form=form, question=question), _status(form)


@bp.post("/questions/<int:question_id>/move")
def move_question(question_id: int):
    question = membership.get_question(question_id) or abort(404)
    form = MoveForm()
    if not form.validate_on_submit() or form.direction.data not in ("up", "down"):
        abort(400)
    membership.move_question(current_user, question, form.direction.data)
    return redirect(url_for("admin.questions"))


# --- Rejection templates -------------------------------------------------------------------------


@bp.route("/rejection-templates", methods=["GET", "POST"])
def rejection_templates():
    form = RejectionTemplateForm()
    if form.validate_on_submit():
        membership.create_rejection_template(current_user, form.title.data, form.body.data)
        flash(_("The template is added."), "success")
        return redirect(url_for("admin.rejection_templates"))
    return render_template(
        "admin/rejection_templates.html",
        form=form,
        templates=membership.list_rejection_templates(),
        delete_form=ConfirmForm(),
    ), _status(form)


@bp.route("/rejection-templates/<int:template_id>", methods=["GET", "POST"])
def edit_rejection_template(template_id: int):
    template = membership.get_rejection_template(template_id) or abort(404)
    form = RejectionTemplateForm(obj=template)
    if form.validate_on_submit():
        membership.update_rejection_template(
            current_user, template, form.title.data, form.body.data
        )
        flash(_("The template is saved."), "success")
        return redirect(url_for("admin.rejection_templates"))
    return render_template(
        "admin/rejection_template_edit.html", form=form, template=template
    ), _status(form)


@bp.post("/rejection-templates/<int:template_id>/delete")
def delete_rejection_template(template_id: int):
    template = membership.get_rejection_template(template_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    membership.delete_rejection_template(current_user, template)
    flash(_("The template is deleted."), "success")
    return redirect(url_for("admin.rejection_templates"))


# --- Watched words -------------------------------------------------------------------------------


@bp.route("/watched-words", methods=["GET", "POST"])
def watched_words():
    from forum.review.words import list_words

    form = WatchedWordForm()
    if form.validate_on_submit():
        try:
            services.add_watched_word(current_user, form.word.data, form.action.data)
        except services.AdminError as error:
            form.word.errors = [*form.word.errors, str(error)]
        else:
            flash(_("The word is added."), "success")
            return redirect(url_for("admin.watched_words"))
    return render_template(
        "admin/watched_words.html", form=form, words=list_words(), delete_form=ConfirmForm()
    ), _status(form)


@bp.post("/watched-words/<int:word_id>/delete")
def delete_watched_word(word_id: int):
    watched = services.get_watched_word(word_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.remove_watched_word(current_user, watched)
    flash(_("The word is removed."), "success")
    return redirect(url_for("admin.watched_words"))


# --- Invitations ---------------------------------------------------------------------------------


@bp.route("/invitations", methods=["GET", "POST"])
def invitations():
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            membership.create_invitation(current_user, form.email.data)
        except membership.MembershipError as error:
            form.email.errors = [*form.email.errors, str(error)]
        else:
            flash(_("The invitation is on its way to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("admin.invitations"))
    rows = [
        (invitation, membership.invitation_state(invitation))
        for invitation in membership.list_invitations()
    ]
    return render_template("admin/invitations.html", form=form, rows=rows), _status(form)


# --- Audit log (read-only) -----------------------------------------------------------------------


@bp.get("/log")
def log():
    form = LogFilterForm(request.args)
    actions = audit.known_actions()
    form.action.choices = [
        ("", _("All actions")),
        *sorted(((action, audit.action_label(action)) for action in actions), key=lambda c: c[1]),
    ]
    if not form.validate():
        abort(400)
    actor = services.find_actor((form.actor.data or "").strip())
    unknown_actor = bool(form.actor.data and form.actor.data.strip()) and actor is None
    entries = (
        []
        if unknown_actor
        else audit.list_entries(
            action=form.action.data or None,
            actor_id=actor.id if actor else None,
            before_id=form.before_id.data,
            limit=LOG_PAGE_SIZE + 1,
        )
    )
    more = len(entries) > LOG_PAGE_SIZE
    entries = entries[:LOG_PAGE_SIZE]
    next_args = None
    if more:
        next_args = {
            key: value
            for key, value in {
                "action": form.action.data,
                "actor": form.actor.data,
                "before_id": entries[-1].id,
            }.items()
            if value
        }
    return render_template(
        "admin/log.html",
        form=form,
        entries=entries,
        next_args=next_args,
        unknown_actor=unknown_actor,
        filtered=bool(form.action.data or form.actor.data or form.before_id.data),
    )


@bp.get("/plugins")
def plugin_list():
    """Installed plugins, whether enabled, and the hooks each implements (read-only:
    the PLUGINS setting decides what is enabled)."""
    return render_template("admin/plugins.html", plugins=plugin_infos(current_app))
