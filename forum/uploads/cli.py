"""``flask --app forum uploads cleanup``: remove uploads nothing uses."""

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

uploads_cli = AppGroup("uploads", help="Uploaded pictures and files.")


@uploads_cli.command("cleanup")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
@click.option(
    "--hours", type=click.IntRange(min=0), default=None,
    help="Grace period in hours (default: UPLOAD_ORPHAN_HOURS).",
)  # fmt: skip
def cleanup_command(dry_run: bool, hours: int | None) -> None:
    """Remove uploads no post, avatar or logo uses, after a grace period (run daily)."""
    from forum.uploads.services import remove_orphans

    grace = current_app.config["UPLOAD_ORPHAN_HOURS"] if hours is None else hours
    removed = remove_orphans(older_than=timedelta(hours=grace), dry_run=dry_run)
    for upload in removed:
        click.echo(f"{upload.key} {upload.kind} {upload.created_at:%Y-%m-%d %H:%M}")
    verb = "Would remove" if dry_run else "Removed"
    click.echo(f"{verb} {len(removed)} unused upload(s) older than {grace} hours.")
