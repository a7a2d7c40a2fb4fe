"""The admin's people pages in a real browser: find a member, make her a moderator,
and she sees the review queue; axe finds nothing at 360 and 1280 px, nothing
scrolls sideways on a phone, every control is a 44 px target."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from forum.extensions import db
from forum.membership.models import MembershipApplication
from tests.browser.conftest import WCAG_A_AA, log_in
from tests.browser.test_accessibility import MEASURE_TARGETS, TARGET_MIN

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture
def people(live_app, make):
    admin = make.user("verwaltung", role="admin", display_name="Vera Verwaltung")
    hanna = make.user("hmueller", display_name="Hanna Müller", email="hanna.mueller@example.org")
    for n in range(12):
        make.user(f"mitglied{n}", display_name=f"Mitglied Nummer {n}")
    make.user("bewerber", role="applicant", confirmed=False)
    with live_app.app_context():
        db.session.add(
            MembershipApplication(
                user_id=hanna.id,
                answers=[{"question": "Was möchten Sie tun?", "answer": "Vorlesen im Altenheim."}],
                netiquette_version=2,
            )
        )
        db.session.commit()
    return {"admin": admin, "hanna": hanna}


def _check(page, where: str, problems: list[str], shot) -> None:
    page.screenshot(path=shot, full_page=True)
    top = page.locator(".admin-main h1").bounding_box()["y"]
    clip = {"x": 0, "y": top, "width": page.viewport_size["width"], "height": 1000}
    page.screenshot(path=shot.with_name(shot.stem + "-main.png"), full_page=True, clip=clip)
    results = Axe().run(page, options=WCAG_A_AA)
    if results.violations_count:
        problems.append(f"--- {where} ---\n{results.generate_report()}")
    if page.viewport_size["width"] == 360:
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            problems.append(f"--- {where}: scrolls sideways by {overflow}px")
        small = page.evaluate(MEASURE_TARGETS, TARGET_MIN)
        if small:
            problems.append(f"--- {where}: targets under 44px:\n  " + "\n  ".join(small))


def test_admin_finds_a_member_and_makes_her_moderator(live_app, people, open_page, screenshots):
    page = open_page(locale="en-US", width=360)
    log_in(page, "verwaltung", PASSWORD)
    page.goto("/admin/users")
    page.get_by_label("Name, username or e-mail").fill("Hanna")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("1 person found")).to_be_visible()
    page.get_by_role("link", name="Hanna Müller").click()
    expect(page.get_by_text("Vorlesen im Altenheim.")).to_be_visible()
    page.get_by_role("combobox", name="Role").select_option("moderator")
    page.get_by_role("button", name="Change role").click()
    expect(page.get_by_text("hmueller is now: Moderator.")).to_be_visible()
    expect(page.get_by_text("Role changed")).to_be_visible()

    hanna = open_page(locale="en-US", width=360)
    log_in(hanna, "hmueller", PASSWORD)
    response = hanna.goto("/review")
    assert response.status == 200
    expect(hanna.get_by_role("heading", level=1)).to_be_visible()


@pytest.mark.parametrize("width", [360, 1280])
def test_people_pages_are_accessible(live_app, people, open_page, screenshots, width):
    problems: list[str] = []
    for language in ("de", "en"):
        page = open_page(locale=f"{language}-DE", width=width)
        log_in(page, "verwaltung", PASSWORD)
        hanna = people["hanna"].id
        screens = {
            "people": "/admin/users",
            "people-filtered": "/admin/users?q=mitglied&status=member&sort=posts",
            "person": f"/admin/users/{hanna}",
        }
        for name, path in screens.items():
            response = page.goto(path)
            assert response.status == 200, path
            _check(
                page,
                f"{name} {language} {width}px",
                problems,
                screenshots / f"admin-{name}-{language}-{width}.png",
            )
        # The errors of an unconfirmed delete, shown on the person's page.
        page.goto(f"/admin/users/{hanna}")
        page.locator("form[action$='/delete'] button[type=submit]").click()
        page.wait_for_selector("main .field-error")
        _check(
            page,
            f"person errors {language} {width}px",
            problems,
            screenshots / f"admin-person-errors-{language}-{width}.png",
        )
    assert not problems, "\n".join(problems)
