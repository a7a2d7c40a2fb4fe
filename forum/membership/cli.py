"""``flask --app forum moderation ...``: jobs for the coordinator run by cron."""

import click
from flask.cli import AppGroup

moderation_cli = AppGroup("moderation", help="Jobs for the moderators (run them from cron).")


@moderation_cli.command("digest")
@click.option(
    "--force", is_flag=True, help="Send even when JOIN_REQUEST_NOTIFY is not set to daily."
)
def digest_command(force: bool) -> None:
    """Mail each moderator one summary of the pending join requests."""
    from forum.membership.services import pending_join_requests, send_join_request_digest
    from forum.site.services import setting

    mode = setting("JOIN_REQUEST_NOTIFY")
    if mode != "daily" and not force:
        click.echo(f"JOIN_REQUEST_NOTIFY is {mode!r}, not 'daily'; no summary sent.")
        return
    pending = len(pending_join_requests())
    if not pending:
        click.echo("No join requests are waiting; no summary sent.")
        return
    sent = send_join_request_digest()
    click.echo(f"{pending} join request(s) waiting; sent {sent} summary mail(s).")
