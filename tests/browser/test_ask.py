"""Answers before questions in a real browser, on a desktop and a 360 px phone:
a guest's question from the landing page finds the answers, "Join and ask"
keeps it through logging in, and the composer shows it; similar topics appear
while a member types a title. Both pages pass axe (WCAG A/AA)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import WCAG_A_AA

PASSWORD = "correct horse battery"
QUESTION = "Wer fährt mich zum Arzt nach Wittingen?"


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "WTF_CSRF_ENABLED": True, "HOLD_FIRST_POSTS": 0,
            "SEARCH_INDEX_DIR": str(tmp_path / "search-index")}  # fmt: skip


def _axe(page, where: str) -> None:
    results = Axe().run(page, options=WCAG_A_AA)
    assert not results.violations_count, f"{where}:\n{results.generate_report()}"


@pytest.mark.parametrize("width", [1280, 360])
def test_a_guests_question_waits_in_the_composer(width, live_app, make, open_page):
    neighbour = make.user("nachbar", locale="en")
    qa = make.category("Fragen & Antworten", slug="fragen-antworten", read_level="public")
    make.topic(neighbour, qa, "Fahrdienst zum Arzt in Wittingen", "Herr Kaya fährt mittwochs.")
    make.user("neu", locale="en")
    page = open_page(locale="en-US", width=width)
    page.goto("/")
    page.get_by_role("searchbox", name="Your question").fill(QUESTION)
    page.get_by_role("button", name="Search answers").click()
    # The answer first, then the offer to ask.
    expect(page.locator(".similar-list a").first).to_have_text("Fahrdienst zum Arzt in Wittingen")
    expect(page.get_by_role("heading", name="Nothing fits? Ask your question")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    _axe(page, f"search with the offer to ask ({width}px)")
    page.get_by_role("button", name="Join and ask").click()
    expect(page.get_by_text("Your question is kept.")).to_be_visible()
    assert page.url.endswith("/register")
    # Joined meanwhile (tests/search/test_ask.py registers through mail): logging in
    # in this browser leads (home, then the composer) to the question.
    log_in(page, "neu", PASSWORD)
    assert page.url.endswith("/new-topic")
    expect(page.get_by_label("Title")).to_have_value(QUESTION)
    expect(page.get_by_label("Category")).to_have_value(str(qa.id))


@pytest.mark.parametrize("width", [1280, 360])
def test_similar_topics_appear_while_typing(width, live_app, make, open_page):
    make.user("autorin", locale="en")
    neighbour = make.user("nachbar", locale="en")
    category = make.category("Fragen", read_level="members")
    make.topic(neighbour, category, "Fahrdienst zum Arzt in Wittingen", "Wer fährt mittwochs?")
    page = open_page(locale="en-US", width=width)
    log_in(page, "autorin", PASSWORD)
    page.goto("/new-topic")
    page.locator("textarea.composer-input").fill("Meine Mutter braucht eine Fahrt.")
    page.get_by_label("Title").press_sequentially("Fahrdienst Arzt", delay=20)
    live = page.locator("[data-similar-live]")
    expect(live).to_have_attribute("aria-live", "polite")
    link = live.locator(".similar-list a").first
    expect(link).to_have_text("Fahrdienst zum Arzt in Wittingen")
    expect(link).to_have_attribute("target", "_blank")
    expect(page.locator("textarea.composer-input")).to_have_value(
        "Meine Mutter braucht eine Fahrt."
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    _axe(page, f"composer with similar topics ({width}px)")
