"""The new-topic composer's "check for similar topics" step in a real browser,
on a desktop and on a 360 px phone: the list appears, the draft stays."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

PASSWORD = "correct horse battery"


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "WTF_CSRF_ENABLED": True, "HOLD_FIRST_POSTS": 0,
            "SEARCH_INDEX_DIR": str(tmp_path / "search-index")}  # fmt: skip


@pytest.mark.parametrize("width", [1280, 360])
def test_similar_topics_before_asking(width, live_app, make, open_page, screenshots):
    make.user("autorin", locale="en")
    neighbour = make.user("nachbar", locale="en")
    category = make.category("Fragen", read_level="members")
    make.topic(neighbour, category, "Fahrdienst zum Arzt in Wittingen", "Wer fährt mittwochs?")
    make.topic(neighbour, category, "Arzttermine und Fahrdienste", "Eine Liste der Fahrer.")
    page = open_page(locale="en-US", width=width)
    log_in(page, "autorin", PASSWORD)
    page.goto("/new-topic")
    page.get_by_label("Title").fill("Gibt es einen Fahrdienst zum Arzt?")
    page.locator("textarea.composer-input").fill("Meine Mutter braucht eine Fahrt.")
    page.get_by_role("button", name="Check for similar topics").click()
    heading = page.get_by_role("heading", name="Similar topics")
    expect(heading).to_be_visible()
    links = page.locator(".similar-list a")
    expect(links.first).to_have_text("Fahrdienst zum Arzt in Wittingen")
    expect(links.first).to_have_attribute("target", "_blank")
    expect(page.get_by_label("Title")).to_have_value("Gibt es einen Fahrdienst zum Arzt?")
    draft = page.locator("textarea.composer-input")
    expect(draft).to_have_value("Meine Mutter braucht eine Fahrt.")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(screenshots / f"similar-topics-{width}.png"), full_page=True)
