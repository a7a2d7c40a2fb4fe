"""The backup archive: a tar.gz with a manifest, the database copy and instance files.

Layout (format 1)::

    manifest.json             what the archive holds (see ``Manifest``)
    database/forum.sqlite3    or database/forum.dump (pg_dump's custom format)
    instance/config.py        if the instance has one (the SECRET_KEY)
    instance/uploads/...      if the instance has uploads

The archive is written under a temporary name with mode 0600 and renamed when
complete, so a crash never leaves a half archive under the final name, and
it is never readable by others: it holds the secret key and every password hash.
"""

import io
import json
import os
import tarfile
import tempfile
import time
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from forum.backups.database import DUMP_NAMES, KINDS, BackupError

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_DIR = "database"
INSTANCE_DIR = "instance"
#: Instance entries a backup carries: the config file and the uploads folder.
CONFIG_NAME = "config.py"
UPLOADS_NAME = "uploads"


@dataclass
class Manifest:
    """What an archive holds and what made it."""

    forum_version: str
    database: str
    created_at: str
    #: Alembic revisions of the database copy (several with plugin branches).
    revisions: list[str]
    #: Instance files, relative to the instance folder, POSIX style.
    files: list[str] = field(default_factory=list)
    format: int = FORMAT

    @property
    def database_member(self) -> str:
        return f"{DATABASE_DIR}/{DUMP_NAMES[self.database]}"


def instance_files(instance: Path) -> list[tuple[Path, str]]:
    """Return (path, name in the archive) of config.py and every file under uploads/.

    Symbolic links are left out: a restore must not write outside the instance.
    """
    found = []
    config = instance / CONFIG_NAME
    if config.is_file() and not config.is_symlink():
        found.append((config, CONFIG_NAME))
    uploads = instance / UPLOADS_NAME
    if uploads.is_dir() and not uploads.is_symlink():
        for folder, directories, files in os.walk(uploads):
            directories.sort()
            for name in sorted(files):
                path = Path(folder) / name
                if path.is_file() and not path.is_symlink():
                    found.append((path, path.relative_to(instance).as_posix()))
    return found


def write(path: Path, manifest: Manifest, database_copy: Path, files: list[tuple[Path, str]]):
    """Write the archive to ``path`` (mode 0600), replacing it only when complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                _add_bytes(tar, MANIFEST, json.dumps(asdict(manifest), indent=2).encode())
                tar.add(database_copy, arcname=manifest.database_member, recursive=False)
                for source, name in files:
                    tar.add(source, arcname=f"{INSTANCE_DIR}/{name}", recursive=False)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def extract(path: Path, into: Path) -> Manifest:
    """Check the archive at ``path`` and unpack it into ``into``; return its manifest.

    Everything is read (and the gzip checksum checked) before anything of the
    forum is touched. Raises BackupError with a message for the operator.
    """
    if not path.exists():
        raise BackupError(f"There is no file {path}.")
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    not_a_backup = f"{path} is not a forum backup (no readable tar.gz archive"
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            members = tar.getmembers()
            manifest = _manifest(tar, members, path)
            allowed = _allowed_members(manifest, members, path)
            tar.extractall(into, members=allowed, filter="data")
    except (tarfile.TarError, EOFError, zlib.error) as error:
        raise BackupError(f"{not_a_backup}: {error}).") from error
    except OSError as error:
        raise BackupError(f"{path} could not be read: {error}") from error
    if not (into / manifest.database_member).is_file():
        raise BackupError(f"{path} has no database copy ({manifest.database_member}).")
    return manifest


def _manifest(tar: tarfile.TarFile, members: list[tarfile.TarInfo], path: Path) -> Manifest:
    member = next((m for m in members if m.name == MANIFEST and m.isfile()), None)
    if member is None:
        raise BackupError(f"{path} is not a forum backup (it has no {MANIFEST}).")
    handle = tar.extractfile(member)
    try:
        data = json.loads(handle.read().decode()) if handle else None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"The manifest of {path} is damaged ({error}).") from error
    if not isinstance(data, dict):
        raise BackupError(f"The manifest of {path} is damaged.")
    version = data.get("format")
    if isinstance(version, int) and version > FORMAT:
        raise BackupError(
            f"{path} was written in backup format {version} by a newer version of the "
            f"forum ({data.get('forum_version')}); this one reads format {FORMAT}."
        )
    try:
        manifest = Manifest(**data)
    except TypeError as error:
        raise BackupError(f"The manifest of {path} is damaged ({error}).") from error
    if (
        manifest.format != FORMAT
        or manifest.database not in KINDS
        or not isinstance(manifest.revisions, list)
        or not all(isinstance(r, str) for r in manifest.revisions)
        or not isinstance(manifest.files, list)
        or not all(_instance_name(f) for f in manifest.files)
    ):
        raise BackupError(f"The manifest of {path} is damaged.")
    return manifest


def _instance_name(name: object) -> bool:
    """Whether ``name`` is config.py or a file under uploads/, inside the instance."""
    if not isinstance(name, str):
        return False
    parts = PurePosixPath(name).parts
    inside = not PurePosixPath(name).is_absolute() and ".." not in parts
    return inside and (name == CONFIG_NAME or (len(parts) > 1 and parts[0] == UPLOADS_NAME))


def _allowed_members(
    manifest: Manifest, members: list[tarfile.TarInfo], path: Path
) -> list[tarfile.TarInfo]:
    """Return the members to unpack; refuse anything the forum did not put there."""
    expected = {manifest.database_member} | {f"{INSTANCE_DIR}/{f}" for f in manifest.files}
    allowed = []
    for member in members:
        if member.name == MANIFEST:
            continue
        parts = PurePosixPath(member.name).parts
        if (
            member.name not in expected
            or not member.isfile()
            or PurePosixPath(member.name).is_absolute()
            or ".." in parts
        ):
            raise BackupError(f"{path} holds an unexpected entry {member.name!r}; not restored.")
        allowed.append(member)
    missing = expected - {m.name for m in allowed}
    if missing:
        raise BackupError(f"{path} lacks {', '.join(sorted(missing))}; it is incomplete.")
    return allowed
