"""The pages mails lead to: the unsubscribe confirmation and the mail choices in settings.

axe-core finds no WCAG 2.1 A/AA violation; on a 360 px phone nothing scrolls sideways.
Screenshots land in test-artifacts/screenshots/ for a person to look at.
"""

from axe_playwright_python.sync_playwright import Axe

from forum.mailing.tokens import unsubscribe_token
from tests.browser.conftest import WCAG_A_AA, log_in


def _check(page, screenshots, name: str, width: int) -> None:
    results = Axe().run(page, options=WCAG_A_AA)
    assert not results.violations_count, results.generate_report()
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{name}: {scroll} px wide at {width} px"
    page.screenshot(path=str(screenshots / f"mail-{name}-{width}.png"), full_page=True)


def test_unsubscribing_in_the_browser(live_app, make, open_page, screenshots):
    anke = make.user("anke")
    with live_app.app_context():
        link = f"/email/unsubscribe/{unsubscribe_token(anke.id, 'reply')}"
    for width in (360, 1280):
        page = open_page(width=width)
        page.goto(link)
        assert "Mails, wenn jemand Ihnen antwortet" in page.locator("main").inner_text()
        _check(page, screenshots, "unsubscribe", width)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("[role=status]")
    assert "Erledigt" in page.locator("[role=status]").inner_text()
    _check(page, screenshots, "unsubscribed", 1280)


def test_mail_choices_in_the_settings(live_app, make, open_page, screenshots):
    make.user("anke")
    for width in (360, 1280):
        page = open_page(width=width)
        log_in(page, "anke", make.password)
        page.goto("/settings")
        page.get_by_label("Zusammenfassung beliebter Themen").select_option("biweekly")
        page.get_by_label("jemand mir eine persönliche Nachricht schreibt").uncheck()
        _check(page, screenshots, "settings", width)
    page.locator("form[action$='/settings'] button[type=submit]").click()
    page.wait_for_load_state()
    page.goto("/settings")
    assert page.get_by_label("Zusammenfassung beliebter Themen").input_value() == "biweekly"
    assert not page.get_by_label("jemand mir eine persönliche Nachricht schreibt").is_checked()
