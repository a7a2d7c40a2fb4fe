"""Every admin page, the older ones and the new ones, in a real browser: axe-core
finds no WCAG 2.1 A/AA violation at 360 and 1280 px, nothing scrolls sideways on
a phone. The data carries markup in every field an admin can type into, so the
screenshots (test-artifacts/screenshots/admin-all-*.png) also show it escaped."""

import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe

from forum.boards.models import Category
from forum.demo import DEMO_PASSWORD, load_demo
from forum.extensions import db
from forum.membership.models import MembershipQuestion, RejectionTemplate
from forum.site.models import SiteText
from forum.users.models import User
from tests.browser.conftest import WCAG_A_AA, log_in

MARKUP = '<img src=x onerror="alert(1)"><b>fett</b>'


def _paths(app) -> dict[str, str]:
    with app.app_context():
        first = db.session.scalar

        def one(model, *where):
            return first(sa.select(model).where(*where).limit(1))

        category = one(Category, Category.slug == "allgemeines")
        question = one(MembershipQuestion)
        template = one(RejectionTemplate)
        text = one(SiteText, SiteText.key == "netiquette")
        member = one(User, User.username == "anke.schulz")
        return {
            "dashboard": "/admin/",
            "settings": "/admin/settings",
            "texts": "/admin/texts",
            "text-edit": f"/admin/texts/{text.key}",
            "text-version": f"/admin/texts/{text.key}/{text.version}",
            "questions": "/admin/questions",
            "question-edit": f"/admin/questions/{question.id}",
            "rejection-templates": "/admin/rejection-templates",
            "rejection-template-edit": f"/admin/rejection-templates/{template.id}",
            "watched-words": "/admin/watched-words",
            "invitations": "/admin/invitations",
            "log": "/admin/log",
            "plugins": "/admin/plugins",
            "categories": "/admin/categories",
            "category-new": "/admin/categories/new",
            "category-edit": f"/admin/categories/{category.id}",
            "category-delete": f"/admin/categories/{category.id}/delete",
            "setup-site": "/admin/setup/site",
            "setup-legal": "/admin/setup/legal",
            "setup-membership": "/admin/setup/membership",
            "setup-categories": "/admin/setup/categories",
            "people": "/admin/users",
            "person": f"/admin/users/{member.id}",
        }


def _hostile_entries(page) -> None:
    """Type markup into the admin's own forms, as an attacker with an admin's session would."""
    page.goto("/admin/watched-words")
    page.locator("main form [name=word]").fill(MARKUP)
    page.locator("main form [name=word]").press("Enter")
    page.goto("/admin/rejection-templates")
    form = page.locator("main form").filter(has=page.locator("[name=title]")).first
    form.locator("[name=title]").fill(MARKUP)
    form.locator("[name=body]").fill(MARKUP)
    form.locator("button[type=submit]").click()
    page.goto("/admin/invitations")
    page.locator("main form [name=email]").fill("gast.mit.einem.langen.namen@example.org")
    page.locator("main form button[type=submit]").click()
    page.goto("/admin/questions")
    form = page.locator("main form").filter(has=page.locator("[name=text]")).first
    form.locator("[name=text]").fill(MARKUP)
    form.locator("button[type=submit]").click()


def test_every_admin_page_is_accessible_and_fits_a_phone(live_app, open_page, screenshots):
    with live_app.app_context(), live_app.test_request_context():
        load_demo()
    problems: list[str] = []
    alerts: list[str] = []
    paths: dict[str, str] = {}
    for language, width in (("de", 360), ("en", 1280)):
        page = open_page(locale=f"{language}-DE", width=width)
        page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
        log_in(page, "koordination", DEMO_PASSWORD)
        if not paths:
            _hostile_entries(page)
            paths = _paths(live_app)
        for name, path in paths.items():
            where = f"{name} ({language}, {width}px)"
            response = page.goto(path)
            assert response.status == 200, f"{where}: HTTP {response.status}"
            page.screenshot(path=screenshots / f"admin-all-{name}-{width}.png", full_page=True)
            results = Axe().run(page, options=WCAG_A_AA)
            if results.violations_count:
                problems.append(f"--- {where} ---\n{results.generate_report()}")
            if width == 360:
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                if overflow > 0:
                    problems.append(f"--- {where}: scrolls sideways by {overflow}px")
            assert page.locator("main img[src=x]").count() == 0, f"{where}: markup rendered"
    assert not alerts
    assert not problems, "\n".join(problems)
