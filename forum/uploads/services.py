"""Uploads as the forum keeps them: saving (limits, quota, pipeline, storage),
what posts use, who may fetch what, and removing orphans."""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from forum import permissions
from forum.db import utcnow
from forum.errors import BoardError, NotAllowed
from forum.extensions import db, runtime_setting
from forum.markdown import UPLOAD_URL, Embed, upload_keys
from forum.moderation.models import ReviewItem, ReviewStatus
from forum.review.held import HELD_POST
from forum.uploads import storage
from forum.uploads.images import ImageRejected, ProcessedImage, process_image_sizes
from forum.uploads.models import PostUpload, Upload, UploadKind
from forum.users.models import User

#: Sizes of an uploaded avatar (square): the profile's and the lists'.
AVATAR_SIDES = (240, 64)
_KEY_IN_HTML = re.compile(r"/uploads/([0-9a-f]{64}\.(?:jpg|png|webp|gif|pdf))")


class UploadRefused(BoardError):
    """The file cannot be taken; ``message`` says why (shown next to the composer).

    ``status`` is the HTTP status the JSON endpoint answers with: 413 too large,
    415 not a type we take or cannot read, 422 an empty file, 429 over the daily
    quota, 403 uploads switched off.
    """

    def __init__(self, message, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


#: The JSON endpoint's status per reason the pipeline refuses a picture.
_REJECTED_STATUS = {"too_large": 413, "too_many_frames": 413, "empty": 422}


@dataclass(frozen=True)
class Saved:
    """A saved upload and the markdown that shows it in a post."""

    upload: Upload
    markdown: str


def _clean_name(filename: str) -> str:
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in "[]()<>\"'`*_")
    return name.strip()[:120] or "datei"


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{format_decimal(round(size / 1024 / 1024, 1))} MB"
    return f"{max(1, round(size / 1024))} KB"


def uploads_today(user: User) -> int:
    """Return how many uploads ``user`` made in the last 24 hours."""
    since = utcnow() - timedelta(days=1)
    return db.session.scalar(
        sa.select(sa.func.count(Upload.id)).where(
            Upload.user_id == user.id, Upload.parent_id.is_(None), Upload.created_at >= since
        )
    )


def _check_limits(user: User, data: bytes) -> None:
    if not permissions.can_upload(user):
        raise NotAllowed(_l("You may not upload files."))
    if runtime_setting("UPLOAD_TYPES") == "none":
        raise UploadRefused(_l("Uploads are switched off on this forum."), 403)
    limit_mb = int(runtime_setting("UPLOAD_MAX_MB"))
    if len(data) > limit_mb * 1024 * 1024:
        message = _l(
            "The file is larger than %(limit)d MB. Please upload a smaller one.", limit=limit_mb
        )
        raise UploadRefused(message, 413)
    if not permissions.is_staff(user):
        quota = int(runtime_setting("UPLOADS_PER_DAY"))
        if uploads_today(user) >= quota:
            raise UploadRefused(
                _l(
                    "You have reached today's limit of %(count)d uploads. Please try again "
                    "tomorrow.",
                    count=quota,
                ),
                429,
            )


def is_pdf(data: bytes) -> bool:
    """Tell whether ``data`` is a PDF by its content (the header within the first KB)."""
    return b"%PDF-" in data[:1024] and data.lstrip()[:5] == b"%PDF-"


def _row(key: str, **values) -> Upload:
    """Return the row of ``key``, made now unless the same file is stored already."""
    found = db.session.scalar(sa.select(Upload).where(Upload.key == key))
    if found is not None:
        # The same picture made an avatar or logo: its owner shows it to everybody.
        if values.get("kind") in UploadKind.PUBLIC and not found.is_public:
            found.kind = values["kind"]
        return found
    upload = Upload(key=key, **values)
    db.session.add(upload)
    db.session.flush()
    return upload


def _store_images(
    user: User, images: list[ProcessedImage], *, kind: str, filename: str = ""
) -> tuple[Upload, list[Upload]]:
    rows: list[Upload] = []
    for image in images:
        key = storage.store(image.data, image.content_type)
        rows.append(
            _row(
                key,
                parent_id=rows[0].id if rows else None,
                user_id=user.id,
                kind=kind,
                content_type=image.content_type,
                filename=filename,
                size=len(image.data),
                width=image.width,
                height=image.height,
            )
        )
    return rows[0], rows[1:]


def save_upload(user: User, data: bytes, filename: str, alt: str = "") -> Saved:
    """Check and store a file from the composer; return it with its markdown.

    Pictures go through the pipeline and are kept in several sizes; PDFs (when
    the setting allows them) are stored as they are. Anything else is refused
    with a message, as is a file over the size limit or the daily quota.
    """
    _check_limits(user, data)
    name = _clean_name(filename)
    if is_pdf(data):
        if runtime_setting("UPLOAD_TYPES") != "images_pdf":
            raise UploadRefused(_l("Only pictures may be uploaded here."), 415)
        key = storage.store(data, "application/pdf")
        pdf_name = name if name.lower().endswith(".pdf") else f"{name}.pdf"
        upload = _row(
            key, user_id=user.id, kind=UploadKind.FILE, content_type="application/pdf",
            filename=pdf_name, size=len(data),
        )  # fmt: skip
        db.session.commit()
        markdown = f"[{pdf_name}](upload://{key}) (PDF, {_size_text(len(data))})"
        return Saved(upload, markdown)
    try:
        images = process_image_sizes(data, sides=current_app.config["UPLOAD_IMAGE_SIDES"])
    except ImageRejected as rejected:
        status = _REJECTED_STATUS.get(rejected.reason, 415)
        raise UploadRefused(rejected.message, status) from rejected
    upload, _ = _store_images(user, images, kind=UploadKind.IMAGE, filename=name)
    db.session.commit()
    alt_text = " ".join(alt.replace("[", "(").replace("]", ")").split())[:200]
    return Saved(upload, f"![{alt_text}](upload://{upload.key})")


def save_public_image(
    user: User, data: bytes, *, kind: str, sides: tuple[int, ...], square: bool = True
) -> list[Upload]:
    """Store a picture everybody may see (an avatar, a logo) in ``sides``; largest first.

    Checks the same limits as a post's upload; raises ``UploadRefused``. The
    caller keeps the keys on its row and commits.
    """
    if kind not in UploadKind.PUBLIC:
        raise ValueError(f"not a public kind: {kind!r}")
    _check_limits(user, data)
    try:
        images = process_image_sizes(data, sides=sides, square=square)
    except ImageRejected as rejected:
        raise UploadRefused(rejected.message) from rejected
    large, smaller = _store_images(user, images, kind=kind)
    return [large, *smaller]


def save_avatar(user: User, data: bytes) -> User:
    """Make the picture in ``data`` the member's avatar (cropped square, two sizes)."""
    large, *smaller = save_public_image(user, data, kind=UploadKind.AVATAR, sides=AVATAR_SIDES)
    user.avatar_key = large.key
    user.avatar_small_key = smaller[0].key if smaller else large.key
    db.session.commit()
    return user


def avatar_key_for(user: User, size: int) -> str | None:
    """Return the key of ``user``'s uploaded avatar that suits ``size`` pixels, or None."""
    if not user.avatar_key:
        return None
    return (
        user.avatar_small_key
        if size <= AVATAR_SIDES[1] and user.avatar_small_key
        else user.avatar_key
    )


def avatar_template(user: User) -> str:
    """Return Discourse's ``avatar_template`` for ``user``: a URL with ``{size}`` in it.

    An uploaded avatar: ``/user_avatar/<name>/{size}/<key>``, which serves the
    stored size that suits (64 pixels up to 64, else 240); otherwise the letter
    avatar drawn in any size.
    """
    if user.avatar_key:
        return f"/user_avatar/{user.username}/{{size}}/{user.avatar_key}"
    return f"/user_avatar/{user.username}/{{size}}.svg"


def avatar_url(user: User, size: int) -> str:
    """Return the address of ``user``'s avatar at ``size`` pixels (uploaded, else letters)."""
    return avatar_template(user).replace("{size}", str(size))


def remove_avatar(user: User) -> None:
    """Go back to the letter avatar; the cleanup command removes the files later."""
    user.avatar_key = user.avatar_small_key = None
    db.session.commit()


def embeds_for(text: str) -> dict[str, Embed]:
    """Return what cooking needs of each upload ``text`` names (one query)."""
    keys = upload_keys(text)
    if not keys:
        return {}
    main = aliased(Upload)
    rows = db.session.execute(
        sa.select(Upload, main.key)
        .outerjoin(main, Upload.parent_id == main.id)
        .where(sa.or_(Upload.key.in_(keys), main.key.in_(keys)))
        .order_by(Upload.width.desc())
    ).all()
    sizes: dict[str, list[Upload]] = {}
    for upload, parent_key in rows:
        sizes.setdefault(parent_key or upload.key, []).append(upload)
    embeds = {}
    for key, found in sizes.items():
        largest = next((u for u in found if u.key == key), None)
        if largest is None or key not in keys:
            continue
        is_image = largest.content_type.startswith("image/")
        srcset = ", ".join(f"{storage.url_for_key(u.key)} {u.width}w" for u in found if u.width)
        embeds[key] = Embed(
            url=storage.url_for_key(key), is_image=is_image, width=largest.width,
            height=largest.height, srcset=srcset if len(found) > 1 else "",
        )  # fmt: skip
    return embeds


_IMAGE_IN_MARKDOWN = re.compile(r"!\[([^\]\n]*)\]\(upload://([0-9a-f]{64}\.(?:jpg|png|webp|gif))\)")


@dataclass(frozen=True)
class ShownImage:
    """A picture a text names, as a page outside the post shows it (the review queue)."""

    embed: Embed
    alt: str


def images_in(texts: list[str]) -> list[list[ShownImage]]:
    """Return the uploaded pictures each of ``texts`` names, in order (one query in all)."""
    embeds = embeds_for("\n".join(texts))
    return [
        [
            ShownImage(embeds[key], alt)
            for alt, key in _IMAGE_IN_MARKDOWN.findall(text)
            if key in embeds and embeds[key].is_image
        ]
        for text in texts
    ]


def keys_in_cooked(cooked: str) -> set[str]:
    """Return the upload keys a cooked post shows or links."""
    return set(_KEY_IN_HTML.findall(cooked))


def link_post(post_id: int, cooked: str, *, new: bool = False) -> None:
    """Record which uploads the post's current text uses (in the caller's transaction).

    ``new``: the post has no links yet, so none are deleted first.
    """
    keys = keys_in_cooked(cooked)
    if not new:
        db.session.execute(sa.delete(PostUpload).where(PostUpload.post_id == post_id))
    if not keys:
        return
    ids = db.session.scalars(
        sa.select(sa.func.coalesce(Upload.parent_id, Upload.id)).where(Upload.key.in_(keys))
    ).all()
    db.session.add_all(PostUpload(post_id=post_id, upload_id=i) for i in sorted(set(ids)))


def has_uploads(raw: str) -> bool:
    """Tell whether a post's text names an upload (for the holding rule)."""
    return bool(upload_keys(raw)) or bool(_KEY_IN_HTML.search(raw))


def readable_upload(user, key: str) -> Upload | None:
    """Return the upload at ``key`` when ``user`` may fetch it, else None (a 404)."""
    if not storage.is_key(key):
        return None
    upload = db.session.scalar(sa.select(Upload).where(Upload.key == key))
    if upload is None:
        return None
    main = db.session.get(Upload, upload.parent_id) if upload.parent_id else upload
    return upload if permissions.can_read_upload(user, main) else None


def is_image_url(url: str) -> bool:
    """Tell whether ``url`` is the address of an uploaded picture."""
    return bool(UPLOAD_URL.match(url))


# --- Orphans ---------------------------------------------------------------------------

_FINDERS = "forum.upload_references"


def register_references(app, kind: str, finder: Callable[[], set[str]]) -> None:
    """Tell the cleanup which keys of uploads of ``kind`` are in use (e.g. "logo").

    ``finder`` returns the storage keys (largest size) its feature uses. Uploads
    of a kind nobody registered and that the forum does not know are kept.
    """
    app.extensions.setdefault(_FINDERS, {}).setdefault(kind, []).append(finder)


def _keys_in_use(kinds: set[str]) -> dict[str, set[str]]:
    """Return, per kind, the keys something other than a post uses."""
    in_use: dict[str, set[str]] = {kind: set() for kind in kinds}
    avatars = db.session.execute(sa.select(User.avatar_key).where(User.avatar_key.is_not(None)))
    in_use.setdefault(UploadKind.AVATAR, set()).update(key for (key,) in avatars)
    held = db.session.scalars(
        sa.select(ReviewItem.payload).where(
            ReviewItem.kind == HELD_POST, ReviewItem.status == ReviewStatus.PENDING
        )
    )
    waiting = set().union(*(upload_keys(str((p or {}).get("raw", ""))) for p in held))
    in_use.setdefault(UploadKind.IMAGE, set()).update(waiting)
    in_use.setdefault(UploadKind.FILE, set()).update(waiting)
    for kind, finders in current_app.extensions.get(_FINDERS, {}).items():
        for finder in finders:
            in_use.setdefault(kind, set()).update(finder())
    return in_use


def remove_orphans(*, older_than: timedelta, dry_run: bool = False) -> list[Upload]:
    """Remove uploads (all their sizes) nothing uses that are older than ``older_than``.

    Used means: a post's text (deleted posts too, they may be restored), a post
    waiting for review, a member's avatar, or a registered feature (logos).
    Return the removed uploads (with ``dry_run``, those that would be removed).
    """
    cutoff = utcnow() - older_than
    candidates = db.session.scalars(
        sa.select(Upload).where(
            Upload.parent_id.is_(None),
            Upload.created_at < cutoff,
            ~sa.exists().where(PostUpload.upload_id == Upload.id),
        )
    ).all()
    if not candidates:
        return []
    in_use = _keys_in_use({u.kind for u in candidates})
    known = {UploadKind.IMAGE, UploadKind.FILE, UploadKind.AVATAR}
    registered = set(current_app.extensions.get(_FINDERS, {}))
    orphans = [
        upload
        for upload in candidates
        if (upload.kind in known or upload.kind in registered)
        and upload.key not in in_use.get(upload.kind, set())
    ]
    if dry_run or not orphans:
        return orphans
    ids = [upload.id for upload in orphans]
    keys = [upload.key for upload in orphans]
    keys += db.session.scalars(sa.select(Upload.key).where(Upload.parent_id.in_(ids))).all()
    db.session.execute(sa.delete(Upload).where(Upload.parent_id.in_(ids)))
    db.session.execute(sa.delete(Upload).where(Upload.id.in_(ids)))
    db.session.commit()
    # Files after the commit: a failed commit leaves rows whose files still exist.
    for key in keys:
        storage.delete(key)
    return orphans
