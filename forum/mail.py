"""Outgoing e-mail through a queue table (the outbox pattern).

``queue_mail`` writes the mail to ``outgoing_mails`` and commits; the row is
the guarantee that it will go out. Delivery is separate: ``send_due`` claims
due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, a conditional UPDATE on
SQLite, so two workers never take the same row), hands them to SMTP (or
writes .eml files to instance/mail/ when MAIL_SERVER is empty), marks them
sent, and on failure logs it and tries again later with exponential backoff.
``flask --app forum mail send`` runs it (cron); with MAIL_SEND_AFTER_RESPONSE
(the default) the mails a request queued are also sent right after its
response, and mails queued outside a request (CLI commands, tasks after a
response) at once. A failing mail server never fails the page that queued
the mail: the row waits for the next try.

A dedupe key (unique) keeps a mail from being queued twice, e.g. the mail
for one notification or one member's digest of one day.
"""

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, after_this_request, current_app, g, has_request_context, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, dialect_insert, utcnow
from forum.extensions import db, runtime_setting

#: g: ids of mails this request queued, sent after its response.
_QUEUED = "mail_queued_ids"
#: How long a worker may hold a claimed mail before another may take it.
CLAIM_SECONDS = 10 * 60
#: Sent mails are kept this long (dedupe keys with them), then deleted.
KEEP_SENT_DAYS = 30


class OutgoingMail(Base):
    """One mail to one address, waiting, sent or given up on."""

    __tablename__ = "outgoing_mails"
    __table_args__ = (sa.Index("ix_outgoing_mails_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(500))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str | None] = mapped_column(sa.Text)
    #: Extra headers: Reply-To, List-Unsubscribe, References ...
    headers: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    #: Fixed when queued, so a retry is recognisably the same mail.
    message_id: Mapped[str] = mapped_column(sa.String(255))
    dedupe_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set while a worker is sending it.
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    #: Set after MAIL_MAX_ATTEMPTS failures; the row stays for the operator.
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def queue_mail(
    to: str,
    subject: str,
    text_body: str,
    html_body: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    dedupe_key: str | None = None,
    deliver: bool = True,
) -> int | None:
    """Queue one mail and commit; return its id, or None if ``dedupe_key`` was queued before.

    With ``deliver`` (and MAIL_SEND_AFTER_RESPONSE) the mail is sent right after the
    response, or at once outside a request; otherwise ``send_due`` sends it.
    """
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    insert = dialect_insert(db.engine.dialect.name)
    mail_id = db.session.execute(
        insert(OutgoingMail)
        .values(
            recipient=to,
            subject=subject[:500],
            text_body=text_body,
            html_body=html_body,
            headers=headers or {},
            message_id=make_msgid(domain=_domain_of(sender)),
            dedupe_key=dedupe_key or f"mail:{uuid.uuid4().hex}",
            attempts=0,
            next_attempt_at=utcnow(),
            last_error="",
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutgoingMail.id)
    ).scalar()
    db.session.commit()
    if mail_id is not None and deliver and current_app.config["MAIL_SEND_AFTER_RESPONSE"]:
        _deliver_soon(mail_id)
    return mail_id


def send_mail(to: str, subject: str, text_body: str, html_body: str | None = None) -> bool:
    """Queue one message and send it as ``queue_mail`` does; whether it went out at once.

    In a request the mail goes after the response, and this reports True (queued).
    """
    mail_id = queue_mail(to, subject, text_body, html_body)
    return _sent_or_pending(mail_id)


def send_template_mail(
    user: Any,
    template: str,
    subject: Any,
    *,
    to: str | None = None,
    headers: dict[str, str] | None = None,
    dedupe_key: str | None = None,
    deliver: bool = True,
    **context: Any,
) -> bool:
    """Render ``mail/<template>.txt`` (and .html if present) in the user's language, queue it.

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
    mail_id = queue_mail(
        to or user.email,
        translated_subject,
        text_body,
        html_body,
        headers=headers,
        dedupe_key=dedupe_key,
        deliver=deliver,
    )
    return _sent_or_pending(mail_id)


def _sent_or_pending(mail_id: int | None) -> bool:
    if mail_id is None:
        return False
    if has_request_context():
        return True
    mail = db.session.get(OutgoingMail, mail_id)
    return mail is not None and (mail.sent_at is not None or mail.attempts == 0)


def _deliver_soon(mail_id: int) -> None:
    if not has_request_context():
        send_due(ids=[mail_id])
        return
    queued = g.setdefault(_QUEUED, [])
    if not queued:
        app = current_app._get_current_object()

        @after_this_request
        def hand_to_response(response):
            g.pop(_QUEUED, None)
            response.call_on_close(lambda: _send_in_own_context(app, list(queued)))
            return response

    queued.append(mail_id)


def _send_in_own_context(app: Flask, ids: list[int]) -> None:
    with app.app_context():
        try:
            send_due(ids=ids)
        except Exception:  # the response is gone; the rows wait for `mail send`
            app.logger.exception("Sending mails after the response failed")


def init_app(app: Flask) -> None:
    """Send what a request queued but could not hand to a response (it ended without one)."""

    @app.teardown_request
    def send_left_over(_error=None) -> None:
        ids = g.pop(_QUEUED, None)
        if ids:
            _send_in_own_context(app, ids)


# --- Sending the queue --------------------------------------------------------------


def send_due(limit: int = 200, ids: list[int] | None = None) -> tuple[int, int]:
    """Send due mails (or just ``ids``, if due); return (sent, failed) counts."""
    # smtplib and email.policy (~0.7 MB with its header classes) are imported
    # by the first mail: a worker that only serves pages sends none
    # (tests/test_worker_memory.py).
    import smtplib

    sent = failed = 0
    for mail_id in _claim(limit, ids):
        mail = db.session.get(OutgoingMail, mail_id)
        if mail is None:
            continue
        try:
            _hand_on(_build_message(mail))
        except (OSError, smtplib.SMTPException) as error:
            failed += 1
            _record_failure(mail, error)
        else:
            sent += 1
            mail.sent_at = utcnow()
            mail.claimed_until = None
        db.session.commit()
    if ids is None:
        _purge_old_sent()
    return sent, failed


def _due_clause(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        OutgoingMail.sent_at.is_(None),
        OutgoingMail.failed_at.is_(None),
        OutgoingMail.next_attempt_at <= now,
        sa.or_(OutgoingMail.claimed_until.is_(None), OutgoingMail.claimed_until < now),
    )


def _claim(limit: int, ids: list[int] | None) -> list[int]:
    """Take up to ``limit`` due mails for this worker (committed), so no other sends them."""
    now = utcnow()
    until = now + timedelta(seconds=CLAIM_SECONDS)
    query = sa.select(OutgoingMail.id).where(_due_clause(now))
    if ids is not None:
        query = query.where(OutgoingMail.id.in_(ids))
    query = query.order_by(OutgoingMail.next_attempt_at, OutgoingMail.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        claimed = list(db.session.scalars(query.with_for_update(skip_locked=True)))
        if claimed:
            db.session.execute(
                sa.update(OutgoingMail)
                .where(OutgoingMail.id.in_(claimed))
                .values(claimed_until=until)
            )
    else:
        claimed = []
        for mail_id in db.session.scalars(query).all():
            result = db.session.execute(
                sa.update(OutgoingMail)
                .where(OutgoingMail.id == mail_id, _due_clause(now))
                .values(claimed_until=until)
            )
            if result.rowcount == 1:
                claimed.append(mail_id)
    db.session.commit()
    return claimed


def _record_failure(mail: OutgoingMail, error: Exception) -> None:
    config = current_app.config
    mail.attempts += 1
    mail.claimed_until = None
    mail.last_error = f"{type(error).__name__}: {error}"[:2000]
    if mail.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        mail.failed_at = utcnow()
        current_app.logger.error(
            "Gave up on mail %s %r to %s after %d attempts: %s",
            mail.id, mail.subject, mail.recipient, mail.attempts, mail.last_error,
        )  # fmt: skip
        return
    delay = min(config["MAIL_RETRY_BASE_SECONDS"] * 2 ** (mail.attempts - 1), 6 * 60 * 60)
    mail.next_attempt_at = utcnow() + timedelta(seconds=delay)
    current_app.logger.warning(
        "Could not send mail %s %r to %s (attempt %d, next in %d s): %s",
        mail.id, mail.subject, mail.recipient, mail.attempts, delay, mail.last_error,
    )  # fmt: skip


def _purge_old_sent() -> None:
    cutoff = utcnow() - timedelta(days=KEEP_SENT_DAYS)
    db.session.execute(sa.delete(OutgoingMail).where(OutgoingMail.sent_at < cutoff))
    db.session.commit()


def queue_counts() -> dict[str, int]:
    """Return how many mails wait, were sent and were given up on (for ``mail status``)."""
    rows = db.session.execute(
        sa.select(
            sa.func.count().filter(
                OutgoingMail.sent_at.is_(None), OutgoingMail.failed_at.is_(None)
            ),
            sa.func.count().filter(OutgoingMail.sent_at.is_not(None)),
            sa.func.count().filter(OutgoingMail.failed_at.is_not(None)),
        )
    ).one()
    return {"waiting": rows[0], "sent": rows[1], "failed": rows[2]}


# --- Helpers ---------------------------------------------------------------------------


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


def _build_message(mail: OutgoingMail) -> EmailMessage:
    # Long unbroken headers (List-Unsubscribe) must stay readable, not be encoded-words.
    message = EmailMessage(policy=_policy())
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = mail.message_id
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (mail.headers or {}).items():
        message[name] = value
    message.set_content(mail.text_body)
    if mail.html_body:
        message.add_alternative(mail.html_body, subtype="html")
    return message


@cache
def _policy():
    import email.policy  # with the first mail (send_due)

    return email.policy.default.clone(max_line_length=998)


def _domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip(" >") or "localhost"


def _hand_on(message: EmailMessage) -> None:
    if current_app.config["MAIL_SERVER"]:
        _send_smtp(message)
    else:
        _write_eml(message)


def _send_smtp(message: EmailMessage) -> None:
    import smtplib

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
