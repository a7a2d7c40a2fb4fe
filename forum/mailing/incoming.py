"""Replies by e-mail: a member answers a notification mail and the answer is posted.

Notification mails carry ``Reply-To: <local>+<token>@<domain>``
(REPLY_BY_EMAIL_ADDRESS); the token names the member and the topic and is
signed (``tokens.reply_token``). ``receive`` takes one raw message, from
``flask --app forum mail receive --stdin`` (an MTA pipe) or from the IMAP
mailbox (``fetch_imap``). Auto-replies and bounces are dropped without an
answer. The sender must be the member the token names; the text (quoted
history and signature cut off by mail-parser-reply, which knows German
clients' "Am ... schrieb ...:") goes through ``boards.posts.submit_post``,
the same service as the web composer: permissions, watched words, holding of
new members' posts; the posting rate limit applies too. Everything else gets
a polite answer in the member's language that includes what they wrote (to a
member's address only: a stranger's From is easily forged), and nothing is posted.
"""

import hashlib
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse_many
from mailparser_reply import EmailReplyParser

from forum import idempotency, permissions
from forum.boards.models import Topic
from forum.boards.posts import submit_post
from forum.errors import BoardError
from forum.extensions import db, limiter
from forum.mail import absolute_url, send_template_mail
from forum.mailing.plaintext import html_to_text
from forum.mailing.tokens import read_reply_token, token_in_address
from forum.users.models import User

_ADDRESS_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
_ROBOTS = ("mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply")

#: Why a mail was not posted: the sentence of the polite answer.
REFUSALS = {
    "too_large": _l("Your mail was too large. Please send only text, without attachments."),
    "bad_token": _l(
        "We could not tell which topic your mail answers. Please reply to a notification "
        "mail from the forum, or write in the forum itself."
    ),
    "unknown_sender": _l(
        "Your mail came from an address that does not belong to the member the notification "
        "was sent to. Please answer from the address your forum account uses."
    ),
    "expired": _l("The notification you answered is too old. Please reply in the forum itself."),
    "not_allowed": _l("You may not reply in this topic (any more)."),
    "empty": _l("We found no text in your mail above the quoted message."),
    "rate_limited": _l("You have written many posts in a short time. Please try again later."),
}


def _parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)


def is_automatic(message: EmailMessage) -> bool:
    """An auto-reply, bounce or list mail: answering it could loop."""
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    if auto and auto != "no":
        return True
    if str(message.get("Precedence", "")).strip().lower() in {"bulk", "junk", "list"}:
        return True
    if any(message.get(name) for name in ("X-Autoreply", "X-Autorespond", "List-Id")):
        return True
    if "Return-Path" in message and str(message["Return-Path"]).strip() in {"<>", ""}:
        return True
    if message.get_content_type() == "multipart/report":
        return True
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    return not sender or sender.split("@")[0] in _ROBOTS


def _token(message: EmailMessage) -> str | None:
    values = [str(value) for name in _ADDRESS_HEADERS for value in message.get_all(name, [])]
    for _name, address in getaddresses(values):
        token = token_in_address(address)
        if token:
            return token
    return None


def reply_text(message: EmailMessage) -> str:
    """The new text of a reply: its plain (or HTML) body without quotes and signature."""
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    try:
        content = body.get_content()
    except (LookupError, UnicodeDecodeError):
        content = body.get_payload(decode=True).decode("utf-8", errors="replace")
    if body.get_content_type() == "text/html":
        content = html_to_text(content)
    content = content.replace("\r\n", "\n")
    latest = EmailReplyParser(languages=["de", "en"]).parse_reply(content)
    return (latest or "").strip()


def receive(raw: bytes) -> str:
    """Handle one incoming message; return what happened ("posted", "held", a refusal ...)."""
    message = _parse(raw)
    if is_automatic(message):
        current_app.logger.info("Dropped an automatic mail from %s", message.get("From"))
        return "dropped"
    sender = parseaddr(str(message.get("From", "")))[1]
    if len(raw) > current_app.config["INCOMING_MAIL_MAX_BYTES"]:
        return _refuse(sender, _member_at(sender), "too_large", "")
    text = reply_text(message)
    found = read_reply_token(token) if (token := _token(message)) else None
    if found is None:
        return _refuse(sender, _member_at(sender), "bad_token", text)
    user_id, topic_id, expired = found
    user = db.session.get(User, user_id)
    if user is None or user.email_lower != sender.lower():
        return _refuse(sender, None, "unknown_sender", text)
    if expired:
        return _refuse(sender, user, "expired", text)
    topic = db.session.get(Topic, topic_id)
    if topic is None or not permissions.can_log_in(user) or not permissions.can_reply(user, topic):
        return _refuse(sender, user, "not_allowed", text)
    if not text:
        return _refuse(sender, user, "empty", text)
    if not _within_rate_limit(user):
        return _refuse(sender, user, "rate_limited", text)
    message_id = str(message.get("Message-ID", "")) or hashlib.sha256(raw).hexdigest()
    if idempotency.claim(user.id, hashlib.sha256(message_id.encode()).hexdigest()[:32]) is not None:
        return "duplicate"  # the same mail delivered again
    try:
        result = submit_post(user, topic, text)
    except BoardError as error:
        db.session.rollback()
        return _refuse(sender, user, "refused", text, reason=error.message)
    return "posted" if getattr(result, "post_number", None) else "held"


def _member_at(address: str) -> User | None:
    """The member with this address (to answer in their language), or None."""
    if not address:
        return None
    return db.session.scalar(sa.select(User).where(User.email_lower == address.lower()))


def _within_rate_limit(user: User) -> bool:
    if not current_app.config["RATELIMIT_ENABLED"]:
        return True
    return all(
        limiter.limiter.hit(item, "reply-by-mail", str(user.id))
        for item in parse_many(current_app.config["POST_RATE_LIMIT"])
    )


def _refuse(sender: str, user: User | None, why: str, text: str, reason=None) -> str:
    if sender:
        recipient = user or SimpleNamespace(email=sender, locale=None, name="")
        send_template_mail(
            recipient,
            "reply_refused",
            _l("Your reply could not be posted"),
            to=sender,
            reason=reason or REFUSALS[why],
            # A stranger's From is easily forged: the forum does not send
            # someone else's text to an address that is not a member's.
            text=text if user is not None else "",
            forum_url=absolute_url("boards.latest"),
        )
    current_app.logger.info("Reply by mail from %s not posted: %s", sender, why)
    return why


def fetch_imap() -> list[str]:
    """Fetch unseen messages from the IMAP mailbox, handle each, mark it seen; the outcomes."""
    from imap_tools import AND, MailBox

    config = current_app.config
    if not config["INCOMING_MAIL_IMAP_HOST"]:
        raise RuntimeError("INCOMING_MAIL_IMAP_HOST is not set")
    outcomes = []
    mailbox = MailBox(config["INCOMING_MAIL_IMAP_HOST"], config["INCOMING_MAIL_IMAP_PORT"])
    with mailbox.login(
        config["INCOMING_MAIL_IMAP_USER"],
        config["INCOMING_MAIL_IMAP_PASSWORD"],
        initial_folder=config["INCOMING_MAIL_IMAP_FOLDER"],
    ) as box:
        for mail in box.fetch(AND(seen=False), mark_seen=False):
            try:
                outcomes.append(receive(bytes(mail.obj)))
            except Exception:  # one broken mail must not stop the others; it stays unseen
                db.session.rollback()
                current_app.logger.exception("Could not handle incoming mail %s", mail.uid)
                continue
            box.flag(mail.uid, "\\Seen", True)
    return outcomes
