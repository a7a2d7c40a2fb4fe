"""Layout checks axe cannot make, on every key page at 360 and 1280 px.

One test per group of pages (guest, member, staff), parametrised over the two
widths; each loads the demo forum once and walks its pages. On every page:

- the header is at most 120 px tall (one row plus the navigation tabs), and
  its search button (where shown) stays on one line;
- nothing scrolls sideways (``document.scrollingElement.scrollWidth``);
- no text column is narrower than 140 px (``NARROW_TEXT`` says how that is measured);
- no element is styled to break words anywhere (``word-break: break-all`` /
  ``break-word``, ``overflow-wrap: anywhere``): German words hyphenate instead;
- no highlighted word (``<mark>``) is a flex or grid item, which drops the
  spaces around it ("meinemEhrenamtunfallversichert").

Screenshots of every page land in test-artifacts/screenshots/layout-*.png
for a person to look at.
"""

from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page

from forum.boards import queries
from forum.boards.models import Category, Topic
from forum.demo import DEMO_PASSWORD, load_demo
from forum.extensions import db
from forum.moderation.models import FlagReason, ReviewItem
from forum.moderation.services import flag_post
from forum.urls import category_url, topic_url
from forum.users.models import User
from tests.browser.conftest import log_in, open_account_menu

HEADER_MAX = 120
NARROW = 140

# A "text column" is a box (any display but inline or contents) inside <main>
# that holds at least 20 characters of its own text, i.e. in text nodes that
# are its direct children: a paragraph, a list item, a table cell, a <dd>, a
# flex or grid item with a sentence in it. Inline elements (a link or a
# <mark> in a sentence) are measured through the box they sit in. Controls,
# badges, icons and screen-reader-only text are left out: their width is
# their content's. Such a box narrower than 140 px reads a word or two per
# line, which is what a join request's answers did at 360 px (55 px).
NARROW_TEXT = """([narrow, minChars]) => {
  const skip = "button, input, select, textarea, svg, img, kbd, .badge, .count-badge, "
    + ".visually-hidden";
  // Screen-reader-only text (a table's head on a phone) is clipped to a pixel.
  const clipped = (element) => {
    for (let node = element; node && node !== document.body; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.clipPath !== "none" || style.clip !== "auto") return true;
    }
    return false;
  };
  const found = [];
  for (const element of document.querySelectorAll("main *")) {
    if (element.closest(skip) || clipped(element)) continue;
    const style = getComputedStyle(element);
    if (["inline", "contents", "none"].includes(style.display)) continue;
    if (style.visibility === "hidden") continue;
    const own = Array.from(element.childNodes)
      .filter((node) => node.nodeType === Node.TEXT_NODE)
      .map((node) => node.textContent).join("").replace(/\\s+/g, " ").trim();
    if (own.length < minChars) continue;
    const box = element.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const inner = box.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (inner < narrow) {
      const name = `${element.tagName.toLowerCase()}.${element.className || "-"}`;
      found.push(`${name} ${Math.round(inner)}px "${own.slice(0, 40)}"`);
    }
  }
  return found;
}"""

# Every element of the page, the header and footer included.
BREAKING_STYLES = """() => {
  const found = [];
  for (const element of document.querySelectorAll("body *")) {
    const style = getComputedStyle(element);
    const breaks = ["break-all", "break-word"].includes(style.wordBreak);
    if (breaks || style.overflowWrap === "anywhere") {
      found.push(`${element.tagName.toLowerCase()}.${element.className || "-"}: `
        + `word-break ${style.wordBreak}, overflow-wrap ${style.overflowWrap}`);
    }
  }
  return found;
}"""

# Whitespace between flex or grid items is dropped: a <mark> must sit in running text.
SPLIT_MARKS = """() => Array.from(document.querySelectorAll("main mark"))
  .filter((mark) => /(flex|grid)/.test(getComputedStyle(mark.parentElement).display))
  .map((mark) => `${mark.parentElement.tagName.toLowerCase()} > mark "${mark.textContent}"`)"""

LAYOUT = """() => ({
  header: document.querySelector("body > header").getBoundingClientRect().height,
  // The header's search button, where it shows: one line, beside the field.
  searchButton: document.querySelector(".header-search-button").getBoundingClientRect().height,
  scrollWidth: document.scrollingElement.scrollWidth,
  innerWidth: window.innerWidth,
})"""


@dataclass(frozen=True)
class Screen:
    name: str
    path: str
    # Open the account menu before measuring (its panel must fit the screen too).
    open_menu: bool = False
    # Focus the header's search field (on a phone a tap on the icon opens it).
    open_search: bool = False


@pytest.fixture
def app_config(app_config):
    return {**app_config, "PLUGINS": ["events", "solved"]}


@pytest.fixture
def screens(live_app, make) -> dict[str, list[Screen]]:
    """The demo forum plus a flag in the review queue; each group's pages."""
    app: Flask = live_app
    with app.app_context(), app.test_request_context():
        load_demo()

        def category(slug: str) -> str:
            return category_url(db.session.scalar(sa.select(Category).where(Category.slug == slug)))

        def topic(title_start: str) -> Topic:
            return db.session.scalar(sa.select(Topic).where(Topic.title.startswith(title_start)))

        public_topic = topic("Bin ich bei meinem Ehrenamt")
        member_topic = topic("Vorstellungsrunde")
        flagger = db.session.scalar(sa.select(User).where(User.username == "anke.schulz"))
        flagged = next(
            post
            for number in range(2, member_topic.highest_post_number + 1)
            if (post := queries.get_post_by_number(member_topic, number)).user_id != flagger.id
        )
        flag_post(flagger, flagged, FlagReason.OTHER, "Bitte prüfen: Telefonnummer im Beitrag.")
        items = db.session.scalars(sa.select(ReviewItem.id).order_by(ReviewItem.id)).all()
        return {
            "guest": [
                Screen("landing", "/"),
                Screen("latest", "/latest"),
                Screen("category", category("fragen-antworten")),
                Screen("topic", topic_url(public_topic)),
                Screen("search", "/search?q=Ehrenamt"),
                Screen("events", "/events"),
                Screen("login", "/login"),
            ],
            "member": [
                Screen("categories", "/", open_menu=True),
                Screen("latest", "/latest", open_search=True),
                Screen("category", category("allgemeines")),
                Screen("help-category", category("nachbarschaftshilfe")),
                Screen("topic", topic_url(member_topic)),
                Screen("composer", "/new-topic"),
                Screen("reply", f"/t/{member_topic.id}/reply?to=2&quote=1"),
                Screen("search", "/search?q=Ehrenamt"),
                Screen("notifications", "/notifications"),
                Screen("profile", "/u/anke.schulz"),
                Screen("settings", "/settings"),
                Screen("messages", "/messages"),
                Screen("events", "/events"),
            ],
            "staff": [
                Screen("review", "/review"),
                *[Screen(f"review-item-{n}", f"/review/{item}") for n, item in enumerate(items)],
                Screen("member-tools", "/u/anke.schulz/moderate"),
                Screen("admin", "/admin/"),
                Screen("admin-log", "/admin/log"),
                Screen("admin-settings", "/admin/settings"),
                Screen("admin-people", "/admin/users"),
                Screen("admin-person", f"/admin/users/{flagger.id}"),
                Screen("admin-categories", "/admin/categories"),
                Screen("admin-questions", "/admin/questions"),
                Screen("admin-texts", "/admin/texts"),
                Screen("admin-plugins", "/admin/plugins"),
                Screen("admin-watched-words", "/admin/watched-words"),
                Screen("admin-api-keys", "/admin/api"),
            ],
        }


ACCOUNTS = {"guest": None, "member": "anke.schulz", "staff": "koordination"}


def _check(page: Page, where: str, width: int) -> list[str]:
    problems = []
    layout = page.evaluate(LAYOUT)
    if layout["header"] > HEADER_MAX:
        problems.append(f"{where}: header {layout['header']:.0f}px tall")
    if layout["searchButton"] > 50:
        problems.append(f"{where}: the search button wraps ({layout['searchButton']:.0f}px tall)")
    if layout["scrollWidth"] > layout["innerWidth"]:
        problems.append(f"{where}: scrolls sideways ({layout['scrollWidth']}px)")
    for found, what in (
        (page.evaluate(NARROW_TEXT, [NARROW, 20]), f"text narrower than {NARROW}px"),
        (page.evaluate(BREAKING_STYLES), "styled to break words anywhere"),
        (page.evaluate(SPLIT_MARKS), "highlight in a flex/grid box (spaces lost)"),
    ):
        if found:
            problems.append(f"{where}: {what}:\n  " + "\n  ".join(found[:10]))
    return problems


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("group", list(ACCOUNTS))
def test_key_pages_keep_their_layout(group, width, screens, open_page, screenshots):
    page = open_page(width=width)
    if ACCOUNTS[group]:
        log_in(page, ACCOUNTS[group], DEMO_PASSWORD)
    problems: list[str] = []
    for screen in screens[group]:
        where = f"{group} {screen.name} ({width}px)"
        response = page.goto(screen.path)
        assert response.status < 400, f"{where}: HTTP {response.status}"
        if screen.open_menu:
            open_account_menu(page)
        if screen.open_search:
            page.locator("#header-search-q").focus()
            field = page.locator("#header-search-q").bounding_box()
            button = page.locator(".header-search-button").bounding_box()
            # Open: a field to type in and its button beside it, both on the screen.
            assert field["width"] >= 180 and button, f"{where}: the search did not open"
            assert button["x"] + button["width"] <= width, f"{where}: search button off screen"
        problems += _check(page, where, width)
        shot = screenshots / f"layout-{group}-{screen.name}-{width}.png"
        page.screenshot(path=shot, full_page=True)
    assert not problems, "\n".join(problems)
