"""``flask --app forum events ...``: jobs for cron."""

import click
from flask.cli import AppGroup

from . import services

events_cli = AppGroup("events", help="Events (Veranstaltungen).")


@events_cli.command("send-reminders")
def send_reminders() -> None:
    """Remind those going of events starting by the end of tomorrow (run daily)."""
    sent = services.send_reminders()
    click.echo(f"Sent {sent} reminder(s).")
