"""The coordinator's first day, in a browser, from an empty database: create-admin,
the first start, categories with three read levels, a topic, and a category made
members-only that a guest then loses in lists and search. Then every new admin
page passes axe at 360 and 1280 px (light and dark) and fits a phone."""

import re

import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from forum.boards.models import Category
from forum.demo import DEMO_PASSWORD, load_demo
from forum.extensions import db
from tests.browser.conftest import WCAG_A_AA, log_in
from tests.browser.test_accessibility import MEASURE_TARGETS, TARGET_MIN

PASSWORD = "ein langes geheimes passwort"


def _check(page: Page, where: str, problems: list[str], width: int, scheme: str) -> None:
    results = Axe().run(page, options=WCAG_A_AA)
    if results.violations_count:
        problems.append(f"--- {where} ---\n{results.generate_report()}")
    if width == 360 and scheme == "light":
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            problems.append(f"--- {where}: scrolls sideways by {overflow}px")
        small = page.evaluate(MEASURE_TARGETS, TARGET_MIN)
        if small:
            problems.append(f"--- {where}: targets under 44px:\n  " + "\n  ".join(small))


def test_first_day_from_an_empty_database(live_app, open_page, screenshots):
    live_app.extensions.pop("forum.setup")  # a forum nobody has set up yet
    result = live_app.test_cli_runner().invoke(
        args=["create-admin", "sabine", "sabine@example.org"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    problems: list[str] = []

    guest = open_page(locale="en-GB")
    guest.goto("/")
    expect(guest.locator("h1")).to_have_text("This forum is being set up")

    page = open_page(locale="en-GB", width=360)
    log_in_first = page.goto("/login")
    assert log_in_first.status == 200
    page.locator("input[name=login]").fill("sabine")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto("/")
    expect(page).to_have_url(f"{page.url.split('/admin')[0]}/admin/setup/site")
    for step in ("site", "legal", "membership", "categories"):
        page.screenshot(path=screenshots / f"setup-{step}-360.png", full_page=True)
        _check(page, f"setup {step}", problems, 360, "light")
        if step == "site":
            page.get_by_label("Name of the forum").fill("Ehrenamt im Landkreis")
            page.get_by_label("One line about the forum").fill("Zusammen mehr bewegen.")
        elif step == "legal":
            page.get_by_label("Responsible organisation").fill("Landkreis Gifhorn")
            page.get_by_label("Postal address").fill("Schlossplatz 1\n38518 Gifhorn")
            page.get_by_label("Contact e-mail address").fill("kaputt")
            page.get_by_role("button", name="Save and continue").click()
            # The error keeps everything typed.
            expect(page.get_by_label("Responsible organisation")).to_have_value("Landkreis Gifhorn")
            page.get_by_label("Contact e-mail address").fill("ehrenamt@example.org")
        elif step == "categories":
            # Three read levels: public, members, staff; drop two starters.
            page.locator("[name=koordination_read_level]").select_option("staff")
            page.locator("[name=vereine_include]").uncheck()
            page.locator("[name=fragen_include]").uncheck()
            page.get_by_role("button", name="Create the categories and finish").click()
            break
        page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(f"{page.url.split('/admin')[0]}/admin/categories")
    page.screenshot(path=screenshots / "admin-categories-journey-360.png", full_page=True)
    _check(page, "categories after set-up", problems, 360, "light")
    with live_app.app_context():
        levels = dict(db.session.execute(sa.select(Category.slug, Category.read_level)).all())
    assert {str(level) for level in levels.values()} == {"public", "members", "staff"}
    assert "vereine-und-initiativen" not in levels

    # A topic in the public category, found by a guest ...
    with live_app.app_context():
        public = db.session.scalar(sa.select(Category).where(Category.slug == "ehrenamt-entdecken"))
        public_id = public.id
    # The help category's topic template comes with the category (forum.js) ...
    page.goto("/new-topic")
    page.get_by_label("Category").select_option(label="Nachbarschaftshilfe")
    expect(page.locator("textarea[name=raw]")).to_have_value(re.compile("Was wird gebraucht"))
    page.get_by_label("Category").select_option(label="Ehrenamt entdecken")
    expect(page.locator("textarea[name=raw]")).to_have_value("")
    page.goto(f"/new-topic?category={public_id}")
    page.get_by_label("Title").fill("Lesepaten für die Grundschule gesucht")
    page.locator("textarea[name=raw]").fill("Wer liest einmal in der Woche mit Kindern?")
    page.locator("main form [name=submit]").click()
    expect(page.locator("h1")).to_contain_text("Lesepaten")
    guest.goto("/")
    expect(guest.get_by_role("link", name="Ehrenamt entdecken").first).to_be_visible()
    guest.goto("/search?q=Lesepaten")
    expect(guest.locator("main")).to_contain_text("Lesepaten für die Grundschule")

    # ... until the coordinator makes the category members-only.
    page.goto(f"/admin/categories/{public_id}")
    page.get_by_label("Who may read").select_option("members")
    page.get_by_role("button", name="Save category").click()
    expect(page.locator(".flash")).to_contain_text("The category is saved.")
    guest.goto("/")
    expect(guest.get_by_role("link", name="Ehrenamt entdecken")).to_have_count(0)
    guest.goto("/latest")
    expect(guest.locator("main")).not_to_contain_text("Lesepaten")
    guest.goto("/search?q=Lesepaten")
    expect(guest.locator("main")).not_to_contain_text("Lesepaten für die Grundschule")
    assert not problems, "\n".join(problems)


def test_new_admin_pages_are_accessible_and_fit_a_phone(live_app, make, open_page, screenshots):
    with live_app.app_context(), live_app.test_request_context():
        load_demo()
        category = db.session.scalar(sa.select(Category).where(Category.slug == "allgemeines"))
        category_id = category.id
    paths = {
        "categories": "/admin/categories",
        "category-new": "/admin/categories/new",
        "category-edit": f"/admin/categories/{category_id}",
        "category-delete": f"/admin/categories/{category_id}/delete",
        "setup-site": "/admin/setup/site",
        "setup-legal": "/admin/setup/legal",
        "setup-membership": "/admin/setup/membership",
        "setup-categories": "/admin/setup/categories",
    }
    problems: list[str] = []
    for language, scheme, width in (("de", "light", 360), ("de", "dark", 360),
                                    ("en", "light", 1280), ("en", "dark", 1280)):  # fmt: skip
        page = open_page(locale=f"{language}-DE", color_scheme=scheme, width=width)
        log_in(page, "koordination", DEMO_PASSWORD)
        for name, path in paths.items():
            response = page.goto(path)
            assert response.status == 200, path
            if scheme == "light":
                page.screenshot(path=screenshots / f"admin-{name}-{width}.png", full_page=True)
            _check(page, f"{name} ({language}, {scheme}, {width}px)", problems, width, scheme)
        # A refused form, with its errors, too.
        page.goto("/admin/categories/new")
        page.locator("[name=name]").fill("")
        page.locator(".category-form button[type=submit]").click()
        page.wait_for_selector("main .field-error, main .form-error")
        _check(page, f"category-new error ({language}, {scheme}, {width}px)", problems, width,
               scheme)  # fmt: skip
    assert not problems, "\n".join(problems)


def test_drag_handle_saves_the_new_order(live_app, make, open_page):
    admin = make.user("ordnerin", role="admin")
    ids = [make.category(name, slug=name.lower(), color="3d8a5a").id
           for name in ("Erste", "Zweite", "Dritte")]  # fmt: skip
    page = open_page(locale="en-GB")
    log_in(page, admin.username, "correct horse battery")
    page.goto("/admin/categories")
    handle = page.locator(f"#category-{ids[2]} [data-drag-handle]")
    expect(handle).to_be_visible()  # shown only with JavaScript
    with page.expect_response("**/admin/categories/reorder") as answer:
        handle.drag_to(page.locator(f"#category-{ids[0]}"), target_position={"x": 5, "y": 2})
    assert answer.value.status == 204
    expect(page.locator("[data-reorder-status]")).to_have_text("The new order is saved.")
    page.reload()
    names = page.locator(".category-tree > .category-row .category-row-main > a").all_inner_texts()
    assert names == ["Dritte", "Erste", "Zweite"]
