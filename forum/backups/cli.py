"""``flask --app forum backup [PATH]`` and ``flask --app forum restore PATH``."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from forum.backups.database import BackupError, label


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

    try:
        written, manifest = create_backup(current_app._get_current_object(), path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    size = written.stat().st_size
    click.echo(f"Backed up {label(db.engine)} (revision {', '.join(manifest.revisions)}).")
    click.echo(f"Instance files: {len(manifest.files)}.")
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
    try:
        restored = restore_backup(app, path, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
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
