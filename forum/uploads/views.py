"""Serving uploads: ``/uploads/<key>``, with the access check in the app.

Nothing uploaded is ever served as a page: the Content-Type is fixed by the
key's extension (never sniffed), ``nosniff`` and a sandboxing
Content-Security-Policy go with every answer, and PDFs are downloads.
"""

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests

from forum import permissions
from forum.errors import BoardError, NotAllowed, rate_limit_message
from forum.extensions import db, limiter, runtime_setting
from forum.uploads import images, services, storage
from forum.uploads.limits import accepts_uploads
from forum.users.models import User

bp = Blueprint("uploads", __name__)

#: An upload's own policy: no script, no plugin, no styles, no frame; sandboxed.
UPLOAD_CONTENT_SECURITY_POLICY = "default-src 'none'; img-src 'self'; sandbox"
#: Keys are content hashes: what is behind one never changes.
MAX_AGE = 60 * 60 * 24 * 365


def upload_options() -> dict | None:
    """Tell the composer what it may offer (file types, size limit); None: no uploads.

    A template global, so the composer macro has it wherever it is imported;
    the settings it reads are read once per request.
    """
    if not permissions.can_upload(current_user):
        return None
    types = runtime_setting("UPLOAD_TYPES")
    if types == "none":
        return None
    accept = ["image/jpeg", "image/png", "image/webp", "image/gif"]
    if images.HEIF:
        accept += ["image/heic", "image/heif", ".heic"]
    if types == "images_pdf":
        accept.append("application/pdf")
    return {
        "accept": ",".join(accept),
        "max_mb": int(runtime_setting("UPLOAD_MAX_MB")),
        "pdf": types == "images_pdf",
    }


@bp.record_once
def _register_global(state) -> None:
    state.app.jinja_env.globals["upload_options"] = upload_options


@bp.get("/user_avatar/<username>/<int:size>/<key>")
def sized_avatar(username: str, size: int, key: str):
    """Serve a member's uploaded avatar in the stored size that suits ``size`` (the API's
    ``avatar_template``); an avatar that is no longer theirs is a 404."""
    user = db.session.scalar(sa.select(User).where(User.username_lower == username.lower()))
    if user is None or user.avatar_key != key or not 0 < size <= 1000:
        abort(404)
    return _send(services.readable_upload(current_user, services.avatar_key_for(user, size)))


@bp.get("/uploads/<key>")
def serve(key: str):
    return _send(services.readable_upload(current_user, key))


def _send(upload):
    if upload is None:
        abort(404)
    key = upload.key
    content_type = storage.content_type_of(upload.key)
    accel = current_app.config["UPLOAD_X_ACCEL_PREFIX"]
    if accel and current_app.config["UPLOAD_STORAGE"] == "folder":
        # nginx sends the file from its internal location; the check was ours.
        response = current_app.response_class(b"", content_type=content_type)
        response.headers["X-Accel-Redirect"] = f"{accel.rstrip('/')}/{key[:2]}/{key[2:4]}/{key}"
    else:
        data = storage.load(upload.key)
        if data is None:
            abort(404)
        response = current_app.response_class(data, content_type=content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = UPLOAD_CONTENT_SECURITY_POLICY
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if content_type == "application/pdf":
        response.headers.set("Content-Disposition", "attachment", filename=upload.filename)
    else:
        response.headers["Content-Disposition"] = "inline"
    # Public pictures may be kept by proxies; the others only by the reader's browser.
    response.cache_control.public = upload.is_public
    response.cache_control.private = not upload.is_public
    response.cache_control.max_age = MAX_AGE if upload.is_public else 3600
    response.set_etag(upload.key)
    return response.make_conditional(request)


def _refusal(message, status: int):
    return jsonify(error=str(message)), status


@bp.errorhandler(CSRFError)
def _json_csrf_error(error: CSRFError):
    # Only the JSON endpoint takes POSTs in this blueprint; its script shows the message.
    return _refusal(_("The form has expired. Please reload the page and try again."), 400)


@bp.errorhandler(RequestEntityTooLarge)
def _json_too_large(error: RequestEntityTooLarge):
    limit = int(runtime_setting("UPLOAD_MAX_MB"))
    return _refusal(
        _("The file is larger than %(limit)d MB. Please upload a smaller one.", limit=limit), 413
    )


@bp.errorhandler(TooManyRequests)
def _json_too_many(error: TooManyRequests):
    return _refusal(rate_limit_message(), 429)


def _per_account() -> str:
    # Guests are refused before any work; they share the address's count.
    if current_user.is_authenticated:
        return f"member:{current_user.id}"
    return request.remote_addr or "unknown"


@bp.post("/uploads.json")
@accepts_uploads
@limiter.limit(lambda: current_app.config["UPLOAD_RATE_LIMIT"], key_func=_per_account)
def upload_json():
    """Take one file from the composer's script (``file``, optional ``alt``); answer JSON.

    The same checks, quota and pipeline as the composer's form (``save_upload``);
    the CSRF token comes in the ``X-CSRFToken`` header. A refusal is JSON with
    a 4xx status and a message for people: 413 too large, 415 a type we do not
    take or cannot read, 422 empty, 429 over the daily quota or over
    ``UPLOAD_RATE_LIMIT`` in a minute, 403 not allowed.
    """
    if not current_user.is_authenticated:
        return _refusal(_("Please log in to upload files."), 403)
    file = request.files.get("file")
    if file is None or not file.filename:
        return _refusal(_("Please choose a file to upload."), 422)
    limit = int(runtime_setting("UPLOAD_MAX_MB")) * 1024 * 1024
    try:
        data = file.read(limit + 1)
    finally:
        file.close()
    alt = request.form.get("alt", "")[:200]
    try:
        saved = services.save_upload(current_user, data, file.filename, alt)
    except NotAllowed as error:
        return _refusal(error.message, 403)
    except services.UploadRefused as error:
        return _refusal(error.message, error.status)
    except BoardError as error:
        return _refusal(error.message, 422)
    upload = saved.upload
    return jsonify(
        key=upload.key,
        url=storage.url_for_key(upload.key),
        markdown=saved.markdown,
        is_image=upload.content_type.startswith("image/"),
        width=upload.width,
        height=upload.height,
    ), 201
