"""Making a backup archive and restoring one (the commands in cli.py stay thin)."""

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask

from forum import __version__
from forum.backups import archive
from forum.backups.archive import CONFIG_NAME, INSTANCE_DIR, UPLOADS_NAME, Manifest
from forum.backups.database import (
    DUMP_NAMES,
    BackupError,
    dump,
    kind_of,
    label,
    load,
    tables_with_rows,
)
from forum.extensions import db, init_migrate

#: Where ``backup`` without a PATH writes, inside the instance folder.
BACKUP_FOLDER = "backups"
#: The backup's config.py when the instance already has a different one.
CONFIG_FROM_BACKUP = "config.py.from-backup"
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def archive_name(now: datetime | None = None) -> str:
    """Return the default file name of an archive made ``now`` (UTC)."""
    return f"forum-{(now or datetime.now(UTC)):%Y%m%d-%H%M%S}.tar.gz"


def target_path(app: Flask, path: Path | None) -> Path:
    """Return the archive file for PATH: a file, a folder to put it in, or the default."""
    if path is None:
        folder = Path(app.instance_path) / BACKUP_FOLDER
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder / archive_name()
    if path.is_dir():
        return path / archive_name()
    if path.exists():
        raise BackupError(f"{path} exists already; choose another name.")
    if not path.parent.is_dir():
        raise BackupError(f"There is no folder {path.parent}.")
    return path


def create_backup(app: Flask, path: Path | None = None) -> tuple[Path, Manifest]:
    """Write an archive of the database, config.py and uploads; safe while the forum runs."""
    target = target_path(app, path)
    engine = db.engine
    kind = kind_of(engine)
    with tempfile.TemporaryDirectory(prefix=".forum-backup-", dir=target.parent) as work:
        copy = Path(work) / DUMP_NAMES[kind]
        revisions = dump(engine, copy)
        files = archive.instance_files(Path(app.instance_path))
        manifest = Manifest(
            forum_version=__version__,
            database=kind,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            revisions=revisions,
            files=[name for _path, name in files],
        )
        archive.write(target, manifest, copy, files)
    return target, manifest


@dataclass
class Restored:
    """What a restore did, for the command's report."""

    manifest: Manifest
    #: "restored", "unchanged", "kept" (a different config.py stays) or "none".
    config: str = "none"
    uploads: int = 0
    upgraded_to: list[str] = field(default_factory=list)
    indexed: int = 0


def restore_backup(app: Flask, path: Path, *, force: bool = False) -> Restored:
    """Replace database, uploads (and a missing config.py) with the archive's; reindex."""
    instance = Path(app.instance_path)
    engine = db.engine
    kind = kind_of(engine)
    with tempfile.TemporaryDirectory(prefix=".forum-restore-", dir=instance) as work:
        unpacked = Path(work)
        manifest = archive.extract(path, unpacked)
        if manifest.database != kind:
            raise BackupError(
                f"{path} holds a {KIND_NAMES[manifest.database]} database, but this forum "
                f"uses {KIND_NAMES[kind]} ({label(engine)}); restore it into a forum set up "
                f"for {KIND_NAMES[manifest.database]}."
            )
        script = _migration_script(app)
        _check_revisions(script, manifest, path)
        has_uploads = any(name.startswith(f"{UPLOADS_NAME}/") for name in manifest.files)
        _check_target(engine, instance, has_uploads, force)
        db.session.remove()
        load(engine, unpacked / manifest.database_member, kind)
        restored = Restored(manifest=manifest)
        restored.config = _restore_config(instance, unpacked / INSTANCE_DIR)
        if has_uploads:
            restored.uploads = _restore_uploads(instance, unpacked / INSTANCE_DIR)
    if set(manifest.revisions) != set(script.get_heads()):
        from flask_migrate import upgrade

        # An archive from an older release: bring the schema to this code's.
        upgrade(revision="heads")
        restored.upgraded_to = sorted(script.get_heads())
    from forum.search.services import reindex

    restored.indexed = reindex(app)
    return restored


def _migration_script(app: Flask):
    from alembic.script import ScriptDirectory

    init_migrate(app)
    return ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())


def _check_revisions(script, manifest: Manifest, path: Path) -> None:
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    unknown = []
    for revision in manifest.revisions:
        try:
            script.get_revision(revision)
        except (RevisionError, CommandError):
            unknown.append(revision)
    if unknown or not manifest.revisions:
        raise BackupError(
            f"{path} holds a database at revision {', '.join(unknown) or '(none)'}, which "
            f"this forum does not know (it has {', '.join(sorted(script.get_heads()))}): it "
            f"was made by a newer version ({manifest.forum_version}) or with other plugins."
        )


def _check_target(engine, instance: Path, has_uploads: bool, force: bool) -> None:
    if force:
        return
    occupied = tables_with_rows(engine)
    if occupied:
        shown = ", ".join(occupied[:6]) + (", ..." if len(occupied) > 6 else "")
        raise BackupError(
            f"{label(engine)} holds data (in {shown}); a restore would replace it. "
            "Use --force to replace it, or configure an empty database."
        )
    uploads = instance / UPLOADS_NAME
    if has_uploads and uploads.is_dir() and any(uploads.iterdir()):
        raise BackupError(f"{uploads} holds files; use --force to replace them.")


def _restore_config(instance: Path, unpacked: Path) -> str:
    source = unpacked / CONFIG_NAME
    if not source.is_file():
        return "none"
    data = source.read_bytes()
    target = instance / CONFIG_NAME
    if target.exists():
        if target.read_bytes() == data:
            return "unchanged"
        # The running setup (database URL, mail) wins; the operator decides
        # whether to take the backup's SECRET_KEY over.
        target = instance / CONFIG_FROM_BACKUP
    target.unlink(missing_ok=True)
    target.touch(mode=0o600)
    target.write_bytes(data)
    return "restored" if target.name == CONFIG_NAME else "kept"


def _restore_uploads(instance: Path, unpacked: Path) -> int:
    target = instance / UPLOADS_NAME
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(unpacked / UPLOADS_NAME, target)
    return sum(1 for item in target.rglob("*") if item.is_file())
