"""``flask --app forum backup [PATH]`` and ``flask --app forum restore PATH``."""

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from forum.backups.database import BackupError, label

T = TypeVar("T")


def _explained(work: Callable[[], T]) -> T:
    """Run ``work``; turn the errors an operator can fix into a message without traceback."""
    from forum.extensions import db

    try:
        return work()
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    except sa.exc.OperationalError as error:
        raise click.ClickException(
            f"Cannot use the database {label(db.engine)}: {error.orig}".strip()
        ) from error
    except OSError as error:
        raise click.ClickException(str(error)) from error


@click.command("backup")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@with_appcontext
def backup_command(path: Path | None) -> None:
    """Write one archive of the database, config.py and uploads (safe while serving).

    PATH is a file name or a folder; without it the archive goes to
    instance/backups/. The archive is readable by its owner only.
    """
    from forum.backups.services import create_backup
    from forum.extensions import db

    app = current_app._get_current_object()
    written, manifest = _explained(lambda: create_backup(app, path))
    size = written.stat().st_size
    click.echo(f"Backed up {label(db.engine)} (revision {', '.join(manifest.revisions)}).")
    click.echo(f"Instance files: {len(manifest.files)}.")
    if "config.py" not in manifest.files:
        click.echo(
            f"Note: there is no {Path(app.instance_path) / 'config.py'}; keep the SECRET_KEY "
            "(from the environment?) safe separately, it is not in the archive."
        )
    click.echo(f"Wrote {written} ({_size(size)}, mode 0600).")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database (and uploads) holding data.")
@with_appcontext
def restore_command(path: Path, force: bool) -> None:
    """Restore an archive written by `backup`, then rebuild the search index.

    Stop the forum first. Refuses a database that holds data unless --force.
    """
    from forum.backups.services import CONFIG_FROM_BACKUP, restore_backup
    from forum.extensions import db

    app = current_app._get_current_object()
    restored = _explained(lambda: restore_backup(app, path, force=force))
    manifest = restored.manifest
    click.echo(
        f"Restored the backup of {manifest.created_at} (forum {manifest.forum_version}) "
        f"into {label(db.engine)}."
    )
    if restored.upgraded_to:
        click.echo(f"Upgraded the schema to revision {', '.join(restored.upgraded_to)}.")
    config = Path(app.instance_path) / "config.py"
    if restored.config == "restored":
        click.echo(f"Restored {config}.")
    elif restored.config == "kept":
        click.echo(
            f"{config} differs from the backup's and was kept; the backup's is in "
            f"{config.with_name(CONFIG_FROM_BACKUP)}. Take its SECRET_KEY over if sessions "
            "and links mailed before the backup should stay valid."
        )
    if restored.uploads:
        click.echo(f"Restored {restored.uploads} uploaded files.")
    click.echo(f"Rebuilt the search index: {restored.indexed} posts.")


def _size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} bytes"  # pragma: no cover
