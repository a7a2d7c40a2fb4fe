"""Outgoing mail: SMTP, .eml files for developers, failures that never break a page."""

import socket
from email.header import decode_header, make_header
from pathlib import Path

from flask_babel import lazy_gettext as _l
from jinja2 import ChoiceLoader, DictLoader

from forum.mail import absolute_url, send_mail, send_template_mail
from forum.users.models import User


def _body(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_send_mail_over_smtp(app, mailbox):
    with app.app_context():
        assert send_mail("anna@example.org", "Grüße", "Hallo Anna,\nschön, dass du da bist.")
    [message] = mailbox.to("anna@example.org")
    assert _subject(message) == "Grüße"
    assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert message["Message-ID"]
    assert "schön, dass du da bist." in _body(message)


def test_send_mail_with_html_alternative(app, mailbox):
    with app.app_context():
        send_mail("anna@example.org", "Hallo", "Text", "<p>HTML</p>")
    [message] = mailbox.messages
    types = [part.get_content_type() for part in message.walk()]
    assert types == ["multipart/alternative", "text/plain", "text/html"]


def test_without_mail_server_writes_eml_file(app, mailbox, caplog):
    app.config["MAIL_SERVER"] = ""
    with app.app_context(), caplog.at_level("INFO"):
        assert send_mail("bert@example.org", "Betreff", "Inhalt")
    [path] = sorted((Path(app.instance_path) / "mail").glob("*.eml"))
    assert "To: bert@example.org" in path.read_text()
    assert str(path) in caplog.text
    assert mailbox.messages == []


def test_unreachable_server_is_logged_not_raised(app, caplog):
    app.config["MAIL_PORT"] = _closed_port()
    with app.app_context():
        assert send_mail("anna@example.org", "Betreff", "Inhalt") is False
    assert "Could not send mail" in caplog.text


def test_template_mail_uses_the_recipients_language(app, mailbox):
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"mail/probe.txt": "locale={{ get_locale() }}"}), app.jinja_env.loader]
    )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        for address, locale in [
            ("en@example.org", "en"),
            ("de@example.org", "de"),
            ("x@example.org", None),
        ]:
            send_template_mail(User(email=address, locale=locale, username="x"), "probe", _l("Hi"))
    assert "locale=en" in _body(mailbox.to("en@example.org")[0])
    assert "locale=de" in _body(mailbox.to("de@example.org")[0])
    # No saved language: the forum's default, not the language of whoever caused the mail.
    assert "locale=de" in _body(mailbox.to("x@example.org")[0])


def test_absolute_url_uses_base_url_without_a_request(app):
    app.config["BASE_URL"] = "https://forum.example.org/gifhorn/"
    with app.app_context():
        assert absolute_url("auth.confirm_email", token="abc") == (
            "https://forum.example.org/gifhorn/confirm/abc"
        )


def test_after_response_waits_for_the_response_to_close(app):
    from flask import Flask

    from forum.mail import after_response

    ran: list[str] = []
    assert isinstance(app, Flask)

    @app.get("/probe-after-response")
    def probe():
        after_response(lambda: ran.append("task"))
        ran.append("view")
        return "ok"

    response = app.test_client().get("/probe-after-response")
    assert ran == ["view"]
    response.close()
    assert ran == ["view", "task"]


def test_after_response_logs_a_failing_task(app, caplog):
    from forum.mail import after_response

    @app.get("/probe-failing-task")
    def probe():
        after_response(lambda: 1 / 0)
        return "ok"

    response = app.test_client().get("/probe-failing-task", buffered=True)
    assert response.status_code == 200
    assert "A task after the response failed" in caplog.text


def test_after_response_outside_a_request_runs_at_once(app):
    from forum.mail import after_response

    ran: list[str] = []
    with app.app_context():
        after_response(lambda: ran.append("task"))
    assert ran == ["task"]
