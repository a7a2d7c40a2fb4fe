"""Personal messages in a real browser: a member asks the coordination office
privately, a moderator answers, the member reads the answer. axe finds no
WCAG 2.1 A/AA violation on /messages and on the conversation at 360 and 1280 px;
nothing scrolls sideways on a phone. Screenshots land in test-artifacts/screenshots/."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from forum.extensions import db
from forum.users.models import User
from tests.browser.conftest import WCAG_A_AA, log_in
from tests.browser.test_accessibility import MEASURE_TARGETS, TARGET_MIN

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
QUESTION = "Ich würde gern beim Fahrdienst helfen, habe aber kein eigenes Auto. Geht das trotzdem?"
ANSWER = "Ja, sehr gern! Wir haben zwei Vereinsautos, die Sie nutzen können."


@pytest.fixture
def people(live_app, make):
    member = make.user("anke.schulz", locale="en")
    make.user("lena.brandes", locale="en")
    coordinator = make.user("koordination", role="moderator", locale="en")
    with live_app.app_context():
        db.session.get(User, member.id).published_post_count = 3
        db.session.commit()
    return member, coordinator


def _check(page: Page, where: str, width: int, screenshots, name: str) -> list[str]:
    problems = []
    page.screenshot(path=screenshots / f"messages-{name}-{width}.png", full_page=True)
    results = Axe().run(page, options=WCAG_A_AA)
    if results.violations_count:
        problems.append(f"--- {where} ---\n{results.generate_report()}")
    if width == 360:
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            problems.append(f"--- {where}: scrolls sideways by {overflow}px")
        small = page.evaluate(MEASURE_TARGETS, TARGET_MIN)
        if small:
            problems.append(f"--- {where}: targets under 44px:\n  " + "\n  ".join(small))
    return problems


def test_a_member_asks_the_office_and_a_moderator_answers(live_app, people, open_page, screenshots):
    member_page = open_page(locale="en-US", width=1280)
    log_in(member_page, "anke.schulz", PASSWORD)
    member_page.get_by_role("link", name=re.compile("^Messages")).click()
    member_page.get_by_role("link", name="Ask the coordination office").click()
    expect(member_page.get_by_label("To the coordination office")).to_be_checked()
    member_page.get_by_label("Title").fill("Fahrdienst ohne eigenes Auto")
    member_page.locator("textarea[name=raw]").fill(QUESTION)
    member_page.get_by_role("button", name="Send message").click()
    expect(member_page.get_by_role("heading", name="Fahrdienst ohne eigenes Auto")).to_be_visible()
    expect(member_page.get_by_text("Coordination office", exact=True)).to_be_visible()
    conversation = member_page.url.split("#")[0]

    moderator_page = open_page(locale="en-US", width=1280)
    log_in(moderator_page, "koordination", PASSWORD)
    header_link = moderator_page.get_by_role("link", name=re.compile("^Messages"))
    expect(header_link).to_contain_text("1")
    header_link.click()
    inbox = moderator_page.get_by_role("region", name="Inbox of the coordination office")
    inbox.get_by_role("link", name="Fahrdienst ohne eigenes Auto").click()
    expect(moderator_page.get_by_text(QUESTION)).to_be_visible()
    moderator_page.locator("main form textarea[name=raw]").last.fill(ANSWER)
    moderator_page.locator("main form").filter(
        has=moderator_page.locator("textarea")
    ).last.get_by_role("button", name="Reply").click()
    expect(moderator_page.get_by_text(ANSWER)).to_be_visible()

    member_page.goto("/messages")
    expect(member_page.locator(".conversation .count-badge")).to_contain_text("1")
    member_page.get_by_role("link", name="Fahrdienst ohne eigenes Auto").click()
    expect(member_page.get_by_text(ANSWER)).to_be_visible()

    problems: list[str] = []
    for width in (360, 1280):
        for who, account in (("member", "anke.schulz"), ("moderator", "koordination")):
            page = open_page(locale="de-DE", width=width)
            log_in(page, account, PASSWORD)
            for name, path in (("list", "/messages"), ("conversation", conversation)):
                page.goto(path)
                where = f"{who} {name} ({width}px)"
                problems += _check(page, where, width, screenshots, f"{who}-{name}")
        page.goto("/messages/new?to=lena.brandes")
        problems += _check(page, f"new ({width}px)", width, screenshots, "new")
    assert not problems, "\n".join(problems)
