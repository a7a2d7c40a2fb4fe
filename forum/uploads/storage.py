"""Content-addressed storage of uploaded files.

A file's key is the SHA-256 of its bytes plus an extension fixed by its content
type (``<64 hex>.jpg``), so the same file is stored once and a key can never
name another file. The key alone decides how the file is served: the
extension maps to one fixed ``Content-Type`` (``CONTENT_TYPES``), never one
guessed from the bytes.

Two backends: a folder (``UPLOAD_FOLDER``, default ``instance/uploads``, two
levels of sub-folders by the key's first characters) and an S3-compatible
object store (``UPLOAD_STORAGE = "s3"``, see ``forum/uploads/s3.py``)::

    from forum.uploads import storage

    key = storage.store(image.data, image.content_type)
    data = storage.load(key)  # None when missing
    url = storage.url_for_key(key)  # "/uploads/<key>"
"""

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app

#: Extension of a key -> the Content-Type it is always served with.
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "pdf": "application/pdf",
}
EXTENSIONS = {content_type: ext for ext, content_type in CONTENT_TYPES.items()}
KEY = re.compile(r"^[0-9a-f]{64}\.(?:jpg|png|webp|gif|pdf)$")


class Backend(Protocol):
    """Where the bytes live; keys are already checked against ``KEY``."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes | None: ...
    def delete(self, key: str) -> None: ...
    def stored_keys(self) -> list[str]: ...


class FolderBackend:
    """Files under one folder, ``ab/cd/abcd….jpg``."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """Return where ``key`` is (or would be) stored."""
        return self.root / key[:2] / key[2:4] / key

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self.path(key)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        Path(temporary).replace(path)

    def get(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def stored_keys(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.glob("??/??/*") if KEY.match(p.name))


def key_for(data: bytes, content_type: str) -> str:
    """Return the key ``data`` is stored under as ``content_type``."""
    try:
        extension = EXTENSIONS[content_type]
    except KeyError:
        raise ValueError(f"content type not storable: {content_type!r}") from None
    return f"{hashlib.sha256(data).hexdigest()}.{extension}"


def content_type_of(key: str) -> str:
    """Return the fixed Content-Type a key is served with."""
    return CONTENT_TYPES[key.rsplit(".", 1)[1]]


def is_key(value: str) -> bool:
    """Tell whether ``value`` is a well-formed key."""
    return bool(KEY.match(value))


def backend() -> Backend:
    """Return the current app's storage backend (made once per app)."""
    found = current_app.extensions.get("forum.upload_storage")
    if found is None:
        if current_app.config.get("UPLOAD_STORAGE", "folder") == "s3":
            from forum.uploads.s3 import S3Backend

            found = S3Backend.from_config(current_app.config)
        else:
            folder = current_app.config.get("UPLOAD_FOLDER") or os.path.join(
                current_app.instance_path, "uploads"
            )
            found = FolderBackend(folder)
        current_app.extensions["forum.upload_storage"] = found
    return found


def store(data: bytes, content_type: str) -> str:
    """Store ``data`` (once, whoever uploads it again) and return its key."""
    key = key_for(data, content_type)
    backend().put(key, data, content_type)
    return key


def load(key: str) -> bytes | None:
    """Return the stored bytes of ``key``, or None."""
    return backend().get(key) if is_key(key) else None


def delete(key: str) -> None:
    """Remove the file of ``key`` (nothing happens when it is missing)."""
    if is_key(key):
        backend().delete(key)


def url_for_key(key: str) -> str:
    """Return the URL the app serves ``key`` at (access is checked there)."""
    return f"/uploads/{key}"
