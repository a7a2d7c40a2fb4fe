"""The organisation directory, a profile, the opportunities and their forms:
axe-core finds no WCAG 2.1 A/AA violation at 360 and 1280 px; on a phone
nothing scrolls sideways and every control is at least 44 px."""

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe

from forum.demo import DEMO_PASSWORD, load_demo
from forum.extensions import db
from forum.organisations.models import Opportunity
from tests.browser.conftest import WCAG_A_AA, log_in
from tests.browser.test_accessibility import MEASURE_TARGETS, TARGET_MIN


@pytest.fixture
def paths(live_app) -> dict[str, list[str]]:
    with live_app.app_context():
        load_demo()
        opportunity = db.session.scalar(sa.select(Opportunity.id).order_by(Opportunity.id))
    shared = [
        "/organisationen", "/organisationen?municipality=gifhorn&seeking=y",
        "/o/gifhorner-tafel", "/engagement", "/engagement?suitable=seniors&hours=10",
        f"/engagement/{opportunity}",
    ]  # fmt: skip
    return {
        "guest": shared,
        # Petra represents the Tafel: its forms, and the request form for another club
        # (the guest's pages are the same for her, but for the profile's buttons).
        "petra.lange": [
            *shared,
            "/o/gifhorner-tafel/bearbeiten",
            "/o/gifhorner-tafel/engagement/neu",
            "/o/sv-blau-weiss-isenbuettel/vertreten",
            "/organisationen/neu",
            "/engagement/meine",
        ],
    }


@pytest.mark.parametrize("who", ["guest", "petra.lange"])
def test_organisation_pages_are_accessible_and_fit_a_phone(who, paths, open_page):
    problems: list[str] = []
    for width in (360, 1280):
        page = open_page(width=width)
        if who != "guest":
            log_in(page, who, DEMO_PASSWORD)
        for path in paths[who]:
            where = f"{who} {path} ({width}px)"
            response = page.goto(path)
            assert response.status < 400, f"{where}: HTTP {response.status}"
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
    assert not problems, "\n".join(problems)
