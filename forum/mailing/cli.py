"""``flask --app forum mail ...``: send the queue, the summary, receive replies (for cron)."""

import sys

import click
from flask import current_app
from flask.cli import AppGroup

mail_cli = AppGroup("mail", help="Outgoing and incoming e-mail (run `send` from cron).")


@mail_cli.command("send")
@click.option("--limit", default=500, show_default=True, help="Most mails sent in one run.")
def send_command(limit: int) -> None:
    """Make notification fan-outs no worker finished, queue mails for due notifications,
    then send all due mails (retrying failed ones)."""
    from forum.mail import send_due
    from forum.mailing.events import queue_due_notifications, withdraw_unreadable_mails
    from forum.notifications.outbox import job_counts, recover

    recovered = recover()
    queued = queue_due_notifications()
    withdraw_unreadable_mails()
    sent, failed = send_due(limit=limit)
    if recovered:
        click.echo(f"Made {recovered} notification jobs no worker had finished.")
    given_up = job_counts()["failed"]
    if given_up:
        click.echo(f"{given_up} notification jobs were given up on (see the log).", err=True)
    click.echo(f"Queued {queued} notification mails; sent {sent}, failed {failed} (retried later).")


@mail_cli.command("digest")
def digest_command() -> None:
    """Mail the summary to members whose interval has passed (safe to run every hour)."""
    from forum.mail import send_due
    from forum.mailing.digest import send_digests

    queued = send_digests()
    sent, failed = send_due()
    click.echo(f"Queued {queued} summaries; sent {sent}, failed {failed} (retried later).")


@mail_cli.command("status")
def status_command() -> None:
    """Show how many mails wait, were sent and were given up on."""
    from forum.mail import queue_counts

    counts = queue_counts()
    click.echo(f"Waiting: {counts['waiting']}  sent: {counts['sent']}  failed: {counts['failed']}")


@mail_cli.command("receive")
@click.option("--stdin", "from_stdin", is_flag=True, help="Read one message from standard input.")
@click.option(
    "--smtp",
    metavar="HOST:PORT",
    help="Listen for replies over SMTP (local set-ups; needs aiosmtpd) until stopped.",
)
def receive_command(from_stdin: bool, smtp: str | None) -> None:
    """Post replies that came by mail (from the IMAP mailbox, or one message on stdin)."""
    # imaplib (0.3 MB) only here: every web worker imports this module for its commands.
    import imaplib

    from forum.mail import send_due
    from forum.mailing.incoming import fetch_imap, receive

    if smtp:
        _serve_smtp(smtp)
        return
    if from_stdin:
        outcome = receive(sys.stdin.buffer.read())
        click.echo(f"Message: {outcome}")
    else:
        if not current_app.config["INCOMING_MAIL_IMAP_HOST"]:
            raise click.ClickException(
                "INCOMING_MAIL_IMAP_HOST is not set; set the INCOMING_MAIL_IMAP_* settings, "
                "or pipe a message to `mail receive --stdin`."
            )
        try:
            outcomes = fetch_imap()
        except (OSError, imaplib.IMAP4.error) as error:
            raise click.ClickException(f"Could not fetch mail over IMAP: {error}") from error
        click.echo(f"Processed {len(outcomes)} messages: {', '.join(outcomes) or 'none'}")
    send_due()


def _serve_smtp(where: str) -> None:
    import threading

    from forum.mailing import smtp_in

    host, _, port = where.rpartition(":")
    if not host or not port.isdigit():
        raise click.BadParameter("use HOST:PORT, e.g. 127.0.0.1:2525", param_hint="--smtp")
    controller = smtp_in.start(current_app._get_current_object(), host, int(port))
    click.echo(f"Receiving replies over SMTP on {host}:{port}; stop with Ctrl+C.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
