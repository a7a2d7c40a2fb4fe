"""Outgoing e-mail: SMTP when MAIL_SERVER is set, else .eml files in instance/mail/.

Callers send after their database commit. A failed delivery is logged and
reported as ``False``; it never undoes the change that caused it and never
turns a page into a 500.
"""

import smtplib
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from flask import after_this_request, current_app, has_request_context, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound

from forum.db import utcnow
from forum.extensions import runtime_setting


def send_mail(to: str, subject: str, text_body: str, html_body: str | None = None) -> bool:
    """Send one message; return whether it was handed on (logged, never raised)."""
    message = _build_message(to, subject, text_body, html_body)
    try:
        if current_app.config["MAIL_SERVER"]:
            _send_smtp(message)
        else:
            _write_eml(message)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("Could not send mail %r to %s", subject, to)
        return False
    return True


def send_template_mail(
    user: Any, template: str, subject: Any, *, to: str | None = None, **context: Any
) -> bool:
    """Render ``mail/<template>.txt`` (and .html if present) in the user's language, send it.

    ``subject`` is a ``lazy_gettext`` string, translated in the recipient's language too. The mail
    goes to the user's address unless ``to`` names another one.
    """
    locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    context.setdefault("user", user)
    context.setdefault("site_name", runtime_setting("SITE_NAME"))
    context.setdefault("base_url", current_app.config["BASE_URL"].rstrip("/"))
    with force_locale(locale):
        translated_subject = str(subject)
        text_body = render_template(f"mail/{template}.txt", **context)
        try:
            html_body = render_template(f"mail/{template}.html", **context)
        except TemplateNotFound:
            html_body = None
    return send_mail(to or user.email, translated_subject, text_body, html_body)


def after_response(task: Callable[[], object]) -> None:
    """Run ``task`` once the response has gone out, in an app context of its own.

    For mail that may not hold up or shape the answer: a page that mails only
    sometimes (password reset, sign-up with a taken address) must take as long
    either way, and SMTP can take seconds. The task runs when the server closes
    the response, after the client has it (``flask run``, gunicorn; the test
    client when the response is closed or ``buffered=True``) and gets a fresh
    database session: pass ids and strings, not rows. Outside a request it runs
    at once, in the caller's context.
    """
    if not has_request_context():
        task()
        return
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            try:
                task()
            except Exception:  # the response is gone; nobody else would see it
                app.logger.exception("A task after the response failed")

    @after_this_request
    def schedule(response):
        response.call_on_close(run)
        return response


def absolute_url(endpoint: str, **values: Any) -> str:
    """Return a link for e-mails, built on BASE_URL so it needs no request."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path


def _build_message(to: str, subject: str, text_body: str, html_body: str | None) -> EmailMessage:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=_domain_of(sender))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text_body)
    if html_body:
        message.add_alternative(html_body, subtype="html")
    return message


def _domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip(" >") or "localhost"


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(host, port, timeout=timeout) as smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _write_eml(message: EmailMessage) -> None:
    # Developers without a mail server read what the forum would have sent.
    folder = Path(current_app.instance_path) / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{utcnow():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(bytes(message))
    current_app.logger.info("Mail to %s written to %s", message["To"], path)
