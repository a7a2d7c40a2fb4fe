"""A loopback SMTP receiver for replies by mail, for local set-ups and tests.

``flask --app forum mail receive --smtp 127.0.0.1:2525`` listens (aiosmtpd, from
the ``mail-in`` extra) and hands every message for a reply address to
``incoming.receive``; other recipients are refused, so it relays nothing. In
production let the mail server pipe to ``mail receive --stdin`` or fetch over IMAP.
"""

from flask import Flask

from forum.mailing.incoming import receive
from forum.mailing.tokens import token_in_address


class ReplyHandler:
    """aiosmtpd handler: accept mail for reply addresses, post it."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.app.app_context():
            ours = token_in_address(address) is not None
        if not ours:
            return "550 5.1.1 Not a reply address of this forum"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.app.app_context():
            try:
                outcome = receive(envelope.original_content or envelope.content)
            except Exception:
                self.app.logger.exception("Could not handle a reply received over SMTP")
                return "451 4.3.0 Please try again later"
        self.app.logger.info("Reply over SMTP: %s", outcome)
        return "250 OK"


def start(app: Flask, host: str, port: int):
    """Start listening in a thread; return the aiosmtpd controller (``.stop()`` ends it)."""
    from aiosmtpd.controller import Controller

    controller = Controller(ReplyHandler(app), hostname=host, port=port)
    controller.start()
    return controller
