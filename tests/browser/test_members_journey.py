"""Issue 11's journey, in one run: Anke asks in a topic; Lena answers and mentions her
(through the composer's suggestion list); Anke sees the bell's count; ``mail send``
mails her the notification through the real SMTP server; she answers that mail with
her mail program's quoted history, the real receiver posts it, and Lena sees the
answer in the topic without the quote. Anke opens the notification and lands on the
post. Then she asks the coordination office privately, a moderator answers, and she
sees the answer and its notification."""

import re
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from playwright.sync_api import Page, expect

from forum.extensions import db
from forum.users.models import User
from tests.browser.conftest import log_in

PASSWORD = "correct horse battery"
TITLE = "Wer fährt Dienstag nach Wittingen?"
MAIL_ANSWER = "Danke, Lena! Ich warte um acht am Rathaus."
QUESTION = "Gibt es einen Fahrdienst für Termine beim Amt?"
OFFICE_ANSWER = "Ja, rufen Sie uns an, wir vermitteln eine Fahrt."


@pytest.fixture
def app_config(app_config):
    return {
        **app_config,
        "WTF_CSRF_ENABLED": True,
        "HOLD_FIRST_POSTS": 0,
        "EMAIL_NOTIFY_DELAY_MINUTES": 0,
        "REPLY_BY_EMAIL_ADDRESS": "antwort@forum.example",
    }


def _badge(page: Page):
    return page.locator("header .notification-bell .count-badge")


def _wait_for_bell(page: Page) -> None:
    """The notification is written after the replier's response; the bell refreshes
    when the window gets focus. Playwright polls until the count shows."""
    page.wait_for_function(
        """() => {
            window.dispatchEvent(new Event('focus'));
            return document.querySelector('header .notification-bell .count-badge') !== null;
        }""",
        polling=500,
        timeout=30_000,
    )


def _plain(message) -> str:
    found = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return found.get_payload(decode=True).decode(found.get_content_charset() or "utf-8")


def _answer_by_mail(notice) -> bytes:
    """Anke's mail program's reply: her text above the quoted notification."""
    quoted = "\n".join(f"> {line}" for line in _plain(notice).splitlines())
    reply = EmailMessage()
    reply["From"] = "Anke Schulz <anke.schulz@example.org>"
    reply["To"] = notice["Reply-To"]
    reply["Subject"] = "Re: " + str(make_header(decode_header(notice["Subject"])))
    reply["Message-ID"] = make_msgid(domain="example.org")
    if notice["Message-ID"]:
        reply["In-Reply-To"] = notice["Message-ID"]
    reply["Date"] = "Sun, 06 Dec 2026 09:00:00 +0100"
    reply.set_content(
        f"{MAIL_ANSWER}\n\nAm 06.12.2026 um 08:55 schrieb Forum <forum@forum.test>:\n{quoted}\n"
    )
    return reply.as_bytes()


def test_a_member_is_told_answers_by_mail_and_asks_the_office(live_app, make, open_page, mailbox):
    anke = make.user("anke.schulz", locale="en")
    make.user("lena.brandes", locale="en")
    make.user("koordination", role="moderator", locale="en")
    category = make.category("Fragen", read_level="members")
    with live_app.app_context():
        db.session.get(User, anke.id).published_post_count = 3
        db.session.commit()

    asker = open_page(locale="en-GB")
    log_in(asker, "anke.schulz", PASSWORD)
    asker.goto(f"/new-topic?category={category.id}")
    asker.locator("input[name=title]").fill(TITLE)
    asker.locator("textarea[name=raw]").fill("Ich brauche eine Mitfahrgelegenheit zum Amt.")
    asker.locator("main form [name=submit]").click()
    asker.wait_for_url(re.compile(r"/t/"))
    topic_path = asker.url.split("#")[0]
    expect(_badge(asker)).to_have_count(0)

    replier = open_page(locale="en-GB")
    log_in(replier, "lena.brandes", PASSWORD)
    replier.goto(topic_path)
    replier.get_by_role("link", name=re.compile("^Reply")).first.click()
    textarea = replier.locator("textarea[name=raw]")
    textarea.click()
    textarea.press_sequentially("Ich nehme dich mit, @anke.sc", delay=20)
    expect(replier.get_by_role("option", name=re.compile(r"@anke\.schulz"))).to_be_visible()
    textarea.press("Enter")
    expect(textarea).to_have_value("Ich nehme dich mit, @anke.schulz ")
    textarea.press_sequentially("bis Dienstag!")
    replier.locator("main form [name=submit]").click()
    replier.wait_for_url(re.compile(r"#post_2$"))

    _wait_for_bell(asker)
    expect(_badge(asker)).to_contain_text("1")

    # The mail: the queue run (cron's `mail send`) delivers it to the SMTP server.
    runner = live_app.test_cli_runner()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    mails = mailbox.wait_for("anke.schulz@example.org")
    assert len(mails) == 1, [m["Subject"] for m in mails]
    notice = mails[0]
    assert notice["Reply-To"].startswith("antwort+")
    assert "Ich nehme dich mit" in _plain(notice)

    # She answers the mail; the receiver posts the answer without the quote.
    result = runner.invoke(args=["mail", "receive", "--stdin"], input=_answer_by_mail(notice))
    assert result.exit_code == 0, result.output
    assert "posted" in result.output
    replier.goto(topic_path)
    answer = replier.locator("#post_3")
    expect(answer).to_contain_text(MAIL_ANSWER)
    expect(answer).not_to_contain_text("schrieb")
    expect(answer).not_to_contain_text("Ich nehme dich mit")

    # The notification leads to Lena's post and counts as read.
    asker.locator("header .notification-bell").click()
    asker.wait_for_url(re.compile(r"/notifications$"))
    asker.get_by_role("link", name=f"lena.brandes mentioned you in “{TITLE}”.").click()
    asker.wait_for_url(re.compile(r"/t/.+/2#post_2$"))
    expect(asker.locator("#post_2")).to_contain_text("Ich nehme dich mit")
    expect(_badge(asker)).to_have_count(0)

    # A private question to the coordination office; a moderator answers.
    asker.get_by_role("link", name=re.compile("^Messages")).click()
    asker.get_by_role("link", name="Ask the coordination office").click()
    expect(asker.get_by_label("To the coordination office")).to_be_checked()
    asker.get_by_label("Title").fill("Fahrdienst zum Amt")
    asker.locator("textarea[name=raw]").fill(QUESTION)
    asker.get_by_role("button", name="Send message").click()
    expect(asker.get_by_role("heading", name="Fahrdienst zum Amt")).to_be_visible()

    moderator = open_page(locale="en-GB")
    log_in(moderator, "koordination", PASSWORD)
    moderator.get_by_role("link", name=re.compile("^Messages")).click()
    inbox = moderator.get_by_role("region", name="Inbox of the coordination office")
    inbox.get_by_role("link", name="Fahrdienst zum Amt").click()
    expect(moderator.get_by_text(QUESTION)).to_be_visible()
    moderator.locator("main form textarea[name=raw]").last.fill(OFFICE_ANSWER)
    moderator.locator("main form").filter(has=moderator.locator("textarea")).last.get_by_role(
        "button", name="Reply"
    ).click()
    expect(moderator.get_by_text(OFFICE_ANSWER)).to_be_visible()

    _wait_for_bell(asker)  # the participants are told after the moderator's response
    asker.goto("/notifications")
    entry = asker.locator("main").get_by_role("link", name=re.compile("Fahrdienst zum Amt"))
    expect(entry).to_be_visible()
    expect(_badge(asker)).to_contain_text("1")
    entry.click()
    expect(asker.get_by_text(OFFICE_ANSWER)).to_be_visible()
    expect(_badge(asker)).to_have_count(0)
