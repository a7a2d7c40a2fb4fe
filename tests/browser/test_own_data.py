"""A member's own data in a real browser: she downloads it from Settings and deletes
her account; the page and its errors pass axe at 360 and 1280 px and fit a phone."""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import WCAG_A_AA, log_in

PASSWORD = "correct horse battery"


def _check(page, where: str, problems: list[str]) -> None:
    results = Axe().run(page, options=WCAG_A_AA)
    if results.violations_count:
        problems.append(f"--- {where} ---\n{results.generate_report()}")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 0:
        problems.append(f"--- {where}: scrolls sideways by {overflow}px")


@pytest.mark.parametrize("width", [360, 1280])
def test_member_downloads_her_data_and_deletes_her_account(
    live_app, make, open_page, screenshots, width
):
    anke = make.user("anke", display_name="Anke Schulz")
    make.topic(author=anke, title="Fahrdienst zum Arzt gesucht")
    problems: list[str] = []
    page = open_page(locale="en-GB", width=width)
    log_in(page, "anke", PASSWORD)
    page.goto("/settings")
    _check(page, f"settings {width}px", problems)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert data["profile"]["username"] == "anke"
    assert data["posts"][0]["topic_title"] == "Fahrdienst zum Arzt gesucht"

    # Without her password nothing happens, and the errors are shown by the fields.
    page.get_by_label("Keep them").check()
    page.get_by_label("Yes, delete my account.").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(
        page.locator("#settings-delete ~ form .field-error, main .field-error").first
    ).to_be_visible()
    expect(page.get_by_label("Keep them")).to_be_checked()
    page.screenshot(path=screenshots / f"settings-delete-errors-{width}.png", full_page=True)
    _check(page, f"settings delete errors {width}px", problems)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Yes, delete my account.").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator(".flash")).to_contain_text("Your account is deleted.")
    expect(page.locator("form[action$='/logout']")).to_have_count(0)
    assert not problems, "\n".join(problems)
