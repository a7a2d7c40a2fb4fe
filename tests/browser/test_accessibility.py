"""Every key page, as guest, member, moderator and admin, in German and English,
light and dark: axe-core finds no WCAG 2.1 A/AA violation; on a 360 px phone
nothing scrolls sideways and every control is at least 44 px.

One test per role: loading the demo content and logging in are the slow parts,
so each test walks all of its pages in three passes. Screenshots of every page
at 360 and 1280 px land in test-artifacts/screenshots/ for a person to look at.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page

from forum.boards.models import Category, Topic
from forum.demo import DEMO_PASSWORD, load_demo
from forum.extensions import db
from forum.moderation.models import ReviewItem
from forum.urls import category_url, topic_url
from forum.users.models import User
from tests.browser.conftest import WCAG_A_AA, log_in

# Controls smaller than this fail; links inside running text (a post's body, a
# sentence) are exempt, as WCAG's target-size rules exempt inline links.
TARGET_MIN = 44
MEASURE_TARGETS = """(minimum) => {
  const selector = ["a", "button", "input:not([type=hidden])", "select", "summary", "textarea"]
    .flatMap((control) => [`header ${control}`, `main ${control}`, `footer ${control}`])
    .join(", ");
  const inSentence = (element) => Array.from(element.parentElement.childNodes).some(
    (node) => node.nodeType === Node.TEXT_NODE && /[\\p{L}\\p{N}]/u.test(node.textContent));
  const small = [];
  for (const element of document.querySelectorAll(selector)) {
    const box = element.getBoundingClientRect();
    const exempt = element.closest(".cooked, .visually-hidden, .skip-link");
    if (!box.width || !box.height || exempt) continue;
    if (element.matches("a") && inSentence(element)) continue;
    let target = box;
    if (element.matches("input[type=checkbox], input[type=radio]")) {
      target = element.parentElement.getBoundingClientRect();  // the label row is the target
    }
    if (target.height < minimum - 0.5 || target.width < minimum - 0.5) {
      small.push(`${element.tagName.toLowerCase()}.${element.className || "-"} `
        + `"${(element.textContent || element.name || "").trim().slice(0, 40)}" `
        + `${Math.round(target.width)}x${Math.round(target.height)}`);
    }
  }
  return small;
}"""


@dataclass(frozen=True)
class Screen:
    name: str
    path: str
    # Something to do after loading, e.g. submit an empty form to show its errors.
    then: Callable[[Page], None] | None = None


def _submit_empty(page: Page) -> None:
    page.locator("main form[data-composer] [name=submit]").click()
    page.wait_for_selector("main .field-error")


@pytest.fixture
def app_config(app_config):
    # The plugins' pages and outlets are key pages too.
    return {**app_config, "PLUGINS": ["events", "solved"]}


@pytest.fixture
def screens(live_app, make) -> dict[str, list[Screen]]:
    """Load the demo forum and return each role's key pages."""
    app: Flask = live_app
    make.user("neuling", role="applicant")
    with app.app_context(), app.test_request_context():
        load_demo()

        def category(slug: str) -> str:
            return category_url(db.session.scalar(sa.select(Category).where(Category.slug == slug)))

        def topic(title_start: str) -> Topic:
            return db.session.scalar(sa.select(Topic).where(Topic.title.startswith(title_start)))

        public_topic = topic("Bin ich bei meinem Ehrenamt")
        member_topic = topic("Vorstellungsrunde")
        item = db.session.scalar(sa.select(ReviewItem.id).limit(1))
        member_topic_path = topic_url(member_topic)
        return {
            "guest": [
                Screen("landing", "/"),
                Screen("latest", "/latest"),
                Screen("category", category("fragen-antworten")),
                Screen("topic", topic_url(public_topic)),
                Screen("search", "/search?q=Unfallversicherung"),
                Screen("login", "/login"),
                Screen("register", "/register"),
                Screen("netiquette", "/netiquette"),
                Screen("impressum", "/impressum"),
                Screen("events", "/events"),
            ],
            "member": [
                Screen("categories", "/"),
                Screen("latest", "/latest"),
                Screen("category", category("allgemeines")),
                Screen("help-category", category("nachbarschaftshilfe")),
                Screen("topic", member_topic_path),
                Screen("new-topic-error", "/new-topic", _submit_empty),
                Screen("reply", f"/t/{member_topic.id}/reply?to=2&quote=1"),
                Screen("search", "/search?q=Fahrdienst"),
                Screen("profile", "/u/anke.schulz"),
                Screen("settings", "/settings"),
                Screen("notifications", "/notifications"),
                Screen("bookmarks", "/bookmarks"),
                Screen("unread", "/unread"),
                Screen("events", "/events"),
                Screen("question-with-solution-tools", topic_url(public_topic)),
            ],
            "moderator": [
                Screen("review", "/review"),
                Screen("review-item", f"/review/{item}"),
                Screen("topic", member_topic_path),
                Screen("member", "/u/anke.schulz/moderate"),
            ],
            "admin": [
                Screen("admin", "/admin/"),
                Screen("admin-settings", "/admin/settings"),
                Screen("admin-questions", "/admin/questions"),
                Screen("admin-texts", "/admin/texts"),
                Screen("admin-log", "/admin/log"),
                Screen("admin-plugins", "/admin/plugins"),
                Screen("admin-invitations", "/admin/invitations"),
                Screen("admin-watched-words", "/admin/watched-words"),
                Screen("admin-rejection-templates", "/admin/rejection-templates"),
            ],
            "applicant": [Screen("join", "/join")],
        }


ACCOUNTS = {
    "guest": None,
    "applicant": ("neuling", "correct horse battery"),
    "member": ("anke.schulz", DEMO_PASSWORD),
    "moderator": ("moderation", DEMO_PASSWORD),
    "admin": ("koordination", DEMO_PASSWORD),
}
# (language, colour scheme, width): German on a phone in both schemes, English on a desktop.
PASSES = [
    ("de", "light", 360),
    ("de", "dark", 360),
    ("en", "light", 1280),
    ("en", "dark", 1280),
]


def _set_language(app: Flask, username: str, language: str) -> None:
    with app.app_context():
        db.session.execute(sa.update(User).where(User.username == username).values(locale=language))
        db.session.commit()


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_key_pages_are_accessible_and_fit_a_phone(role, live_app, screens, open_page, screenshots):
    problems: list[str] = []
    for language, scheme, width in PASSES:
        page = open_page(locale=f"{language}-DE", color_scheme=scheme, width=width)
        account = ACCOUNTS[role]
        if account:
            _set_language(live_app, account[0], language)
            log_in(page, *account)
        for screen in screens[role]:
            where = f"{role} {screen.name} ({language}, {scheme}, {width}px)"
            response = page.goto(screen.path)
            assert response.status < 400, f"{where}: HTTP {response.status}"
            if screen.then:
                screen.then(page)
            assert page.locator("html").get_attribute("lang") == language, where
            if scheme == "light":
                shot = screenshots / f"{role}-{screen.name}-{width}.png"
                page.screenshot(path=shot, full_page=True)
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
    assert not problems, "\n".join(problems)
