"""A member asks, another replies mentioning her (the composer suggests the name); she
sees the bell's count, opens the notification, lands on the post, and the count drops.
The notifications page has no WCAG A/AA violation at 360 and 1280 px."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import WCAG_A_AA, log_in

PASSWORD = "correct horse battery"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True, "HOLD_FIRST_POSTS": 0}


def _badge(page: Page):
    return page.locator("header .notification-bell .count-badge")


def _axe(page: Page, where: str) -> None:
    results = Axe().run(page, options=WCAG_A_AA)
    assert not results.violations_count, f"{where}\n{results.generate_report()}"


def test_a_mention_brings_the_asker_back(live_app, make, open_page, screenshots):
    make.user("anke.schulz", locale="en")
    make.user("lena.brandes", locale="en")
    category = make.category("Fragen", read_level="members")
    make.user("anke.s2", locale="en")  # a second name that starts the same

    asker = open_page(locale="en-GB")
    log_in(asker, "anke.schulz", PASSWORD)
    asker.goto(f"/new-topic?category={category.id}")
    asker.locator("input[name=title]").fill("Wer fährt Dienstag nach Wittingen?")
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
    option = replier.get_by_role("option", name=re.compile(r"@anke\.schulz"))
    expect(option).to_be_visible()
    expect(textarea).to_have_attribute("aria-activedescendant", re.compile("mention-list"))
    textarea.press("ArrowDown")
    textarea.press("ArrowUp")
    textarea.press("Enter")
    expect(textarea).to_have_value("Ich nehme dich mit, @anke.schulz ")
    textarea.press_sequentially("bis Dienstag!")
    replier.locator("main form [name=submit]").click()
    replier.wait_for_url(re.compile(r"#post_2$"))
    expect(replier.locator("#post_2 a.mention")).to_have_attribute("href", "/u/anke.schulz")

    # Back in her window: the bell refreshes when the window gets focus (the
    # notification is written after Lena's response, so look again if needed).
    for _attempt in range(20):
        asker.wait_for_timeout(2100)
        asker.evaluate("window.dispatchEvent(new Event('focus'))")
        if _badge(asker).count():
            break
    expect(_badge(asker)).to_contain_text("1")
    asker.locator("header .notification-bell").click()
    asker.wait_for_url(re.compile(r"/notifications$"))
    entry = asker.get_by_role(
        "link", name="lena.brandes mentioned you in “Wer fährt Dienstag nach Wittingen?”."
    )
    expect(entry).to_be_visible()
    _axe(asker, "/notifications 1280 px")
    asker.screenshot(path=screenshots / "member-notifications-1280.png", full_page=True)
    entry.click()
    asker.wait_for_url(re.compile(r"/t/.+/2#post_2$"))
    expect(asker.locator("#post_2")).to_contain_text("Ich nehme dich mit")
    expect(_badge(asker)).to_have_count(0)

    phone = open_page(locale="en-GB", width=360)
    log_in(phone, "anke.schulz", PASSWORD)
    phone.goto("/notifications")
    _axe(phone, "/notifications 360 px")
    overflow = phone.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    phone.screenshot(path=screenshots / "member-notifications-360.png", full_page=True)
    phone.goto(topic_path)
    phone.locator("#topic-level summary").click()
    phone.screenshot(path=screenshots / "member-topic-level-360.png", full_page=True)
    _axe(phone, "topic with the watching control, 360 px")


def test_the_account_menu_closes_with_escape_and_a_click_elsewhere(live_app, make, open_page):
    make.user("anke.schulz", locale="en")
    page = open_page(locale="en-GB", width=360)
    log_in(page, "anke.schulz", PASSWORD)
    menu = page.locator("header details.user-menu")
    summary = menu.locator("summary")
    summary.click()
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    # Focus goes back to the button that opened it (keyboard users keep their place).
    expect(summary).to_be_focused()
    summary.click()
    expect(menu.get_by_role("link", name="Settings")).to_be_visible()
    page.locator("main h1").first.click()
    expect(menu).not_to_have_attribute("open", "")
