"""What the composer pages share: rate limits, plugin fields, the preview."""

from collections.abc import Callable
from functools import wraps

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from forum import plugins
from forum.errors import BoardError
from forum.extensions import limiter
from forum.site.services import setting
from forum.uploads import services as uploads

post_limit = limiter.limit(lambda: setting("POST_RATE_LIMIT"), methods=["POST"])
# The live preview asks while someone types, so it gets a roomier bucket of its own.
preview_limit = limiter.limit(
    lambda: current_app.config["PREVIEW_RATE_LIMIT"],
    methods=["POST"],
)


def refuse_silenced(view):
    """A silenced member who opens a composer learns why and until when (403),
    instead of a bare refusal. Whether they may write is permissions' answer;
    this only explains the one reason a member may not."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated and current_user.is_member and current_user.is_silenced:
            return render_template("boards/silenced.html", member=current_user), 403
        return view(*args, **kwargs)

    return wrapped


def plugin_fields() -> dict[str, str]:
    """Return the composer's fields that plugins added (named ``plugin.*``)."""
    return {key: value for key, value in request.form.items() if key.startswith("plugin.")}


def composer_outlet(category=None, topic=None, post=None):
    """Render the fields plugins add to the composer."""
    return plugins.render_outlet(
        "composer_fields", user=current_user, category=category, topic=topic, post=post
    )


def render_preview(form, *, force: bool = False) -> str | None:
    """Return cooked HTML when the preview button was pressed (works without JS)."""
    if (form.preview.data or force) and form.raw.data:
        from forum.boards.policy import cook_post

        return cook_post(form.raw.data, check_mentions=False)
    return None


def attach_upload(form) -> bool | None:
    """Store the composer's file and add its markdown to the text.

    Return None when no file came, True when it was added, False when it was
    refused (the message is among the form's errors, the text stays).
    """
    attachment = getattr(form, "attachment", None)
    file = attachment.data if attachment is not None else None
    if file is None or not getattr(file, "filename", ""):
        if getattr(form, "upload", None) is not None and form.upload.data:
            form.attachment.errors = [str(_l("Please choose a file to upload."))]
            return False
        return None
    limit = int(setting("UPLOAD_MAX_MB")) * 1024 * 1024
    try:
        data = file.read(limit + 1)
    finally:
        file.close()
    alt = (form.attachment_alt.data or "").strip()
    if not uploads.is_pdf(data) and not alt and data:
        form.attachment_alt.errors = [
            str(_l("Please describe the picture, then choose the file again."))
        ]
        return False
    try:
        saved = uploads.save_upload(current_user, data, file.filename, alt)
    except BoardError as error:
        form.attachment.errors = [str(error.message)]
        return False
    text = (form.raw.data or "").rstrip()
    form.raw.data = f"{text}\n\n{saved.markdown}\n" if text else f"{saved.markdown}\n"
    form.attachment_alt.data = ""
    return True


def compose(form, submit: Callable, template: str, *, extra_validators=None, stay=False,
            **context):  # fmt: skip
    """Run a composer page: show the preview, or submit and return ``submit()``'s redirect.

    ``stay``: show the form again with what was typed (a step such as
    "check for similar topics"). A refused or invalid submission shows the
    form again with status 400.
    """
    posted = request.method == "POST"
    attached = attach_upload(form) if posted else None
    if attached is False:
        return render_template(template, form=form, preview=None, **context), 400
    uploading = bool(attached and form.upload.data)
    # After an upload the preview shows the picture as the post will.
    preview = render_preview(form, force=uploading) if posted else None
    if posted and (stay or uploading):
        return render_template(template, form=form, preview=preview, **context), 200
    if posted and preview is None and form.validate(extra_validators=extra_validators):
        try:
            return submit()
        except BoardError as error:
            form.form_errors.append(error.message)
    status = 400 if posted and preview is None else 200
    return render_template(template, form=form, preview=preview, **context), status
