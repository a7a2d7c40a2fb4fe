"""A member creates an event in the composer, answers it and downloads its calendar file."""

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect

from forum.boards.models import ReadLevel
from tests.plugins.conftest import _plugin_database, plugin_app_config  # noqa: F401 (fixtures)

PASSWORD = "correct horse battery"
YEAR = datetime.now(UTC).year + 1
WCAG_A_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def app_config(app_config, plugin_app_config):  # noqa: F811 (the imported fixture)
    return {
        **app_config,
        **plugin_app_config(["events"]),
        "EVENTS_CATEGORIES": ["veranstaltungen"],
        "HOLD_FIRST_POSTS": 0,
        # The RSVP buttons are real forms: check their CSRF tokens too.
        "WTF_CSRF_ENABLED": True,
    }


@pytest.fixture
def page(live_app, browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url, locale="en-US", accept_downloads=True)
    yield context.new_page()
    context.close()


def _assert_accessible(page: Page) -> None:
    results = Axe().run(page, options=WCAG_A_AA)
    assert results.violations_count == 0, results.generate_report()


def test_member_creates_an_event_answers_and_downloads_it(live_app, make, page: Page, tmp_path):
    make.user("organisatorin", locale="en")
    category = make.category(
        "Veranstaltungen", slug="veranstaltungen", read_level=ReadLevel.MEMBERS
    )
    page.goto("/login")
    page.get_by_label("Username or e-mail address").fill("organisatorin")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # Logged in: the header's account menu names the member.
    expect(page.locator("header .user-menu > summary")).to_contain_text("Menu for organisatorin")

    page.goto(f"/new-topic?category={category.id}")
    page.get_by_label("Title").fill("Erste-Hilfe-Auffrischung für Übungsleitende")
    page.get_by_label("Text", exact=True).fill("Acht Stunden, mit Mittagessen.")
    page.get_by_label("Starts").fill(f"{YEAR}-03-14T09:00")
    page.get_by_label("Ends").fill(f"{YEAR}-03-14T17:00")
    page.get_by_label("Place (address)").fill("DRK-Zentrum, Gifhorn")
    page.get_by_label("Municipality", exact=True).last.select_option("gifhorn")
    page.get_by_label("Maximum participants").fill("10")
    page.get_by_role("button", name="Create topic").click()

    box = page.locator(".event-box")
    expect(box).to_contain_text("DRK-Zentrum, Gifhorn")
    expect(box).to_contain_text("9:00")
    expect(box.locator(".event-going-count")).to_have_text("0 / 10")
    box.get_by_role("button", name="Going", exact=True).click()
    expect(page.locator(".event-box .event-my-status")).to_have_text("Your answer: Going")
    expect(page.locator(".event-box .event-going-count")).to_have_text("1 / 10")
    _assert_accessible(page)

    with page.expect_download() as download_info:
        page.locator(".event-box").get_by_role("link", name="Add to calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    (vevent,) = Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    assert str(vevent["summary"]) == "Erste-Hilfe-Auffrischung für Übungsleitende"
    start = vevent.decoded("dtstart")
    assert start == datetime(YEAR, 3, 14, 9, tzinfo=ZoneInfo("Europe/Berlin"))

    page.get_by_role("link", name="Events").click()
    expect(page.get_by_role("heading", name=f"March {YEAR}")).to_be_visible()
    expect(page.get_by_role("link", name="Erste-Hilfe-Auffrischung")).to_be_visible()
    _assert_accessible(page)
