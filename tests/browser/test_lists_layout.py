"""Lists, the help board and the topic page on a 360 px phone and a 1280 px desktop
(issue 16): nothing scrolls sideways, a list row stacks inside the screen, the
sticky reply bar is in reach and never covers the last post, the help map's tiles
are big enough to tap, and axe finds nothing in light or dark mode.

One test per colour scheme walks every page at both widths; the demo forum is
loaded once per test. Screenshots (light) land in test-artifacts/screenshots/.
"""

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe

from forum.boards.models import Category, Topic
from forum.demo import DEMO_PASSWORD, load_demo
from forum.extensions import db
from forum.urls import category_url, topic_url
from tests.browser.conftest import WCAG_A_AA, log_in

WIDTHS = (360, 1280)

#: Rows, posters and the bar measured in the page: overflowing rows, avatars
#: without a name, and (on a topic) where the bar sits against the last post.
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const out = {
    overflow: document.documentElement.scrollWidth - width,
    wideRows: [], unnamedAvatars: 0, smallTiles: [], bar: null,
  };
  for (const row of document.querySelectorAll(".topic-item")) {
    const box = row.getBoundingClientRect();
    const outside = box.right > width + 0.5 || box.left < -0.5;
    if (outside) out.wideRows.push(row.textContent.trim().slice(0, 40));
  }
  out.unnamedAvatars = Array.from(document.querySelectorAll(".topic-posters img"))
    .filter((img) => !img.alt.trim()).length;
  out.posters = document.querySelectorAll(".topic-posters img").length;
  for (const tile of document.querySelectorAll(".help-map-svg .tile")) {
    const box = tile.getBoundingClientRect();
    if (box.width < 44 || box.height < 44) out.smallTiles.push(tile.getAttribute("aria-label"));
  }
  out.tiles = document.querySelectorAll(".help-map-svg .tile").length;
  const bar = document.querySelector(".topic-bar");
  if (bar) {
    const inReach = bar.getBoundingClientRect().bottom <= window.innerHeight + 0.5;
    window.scrollTo(0, document.documentElement.scrollHeight);
    const posts = document.querySelectorAll(".posts > article.post");
    const last = posts[posts.length - 1].getBoundingClientRect();
    const top = bar.getBoundingClientRect().top;
    // Jumping to the last post (as "Newest post" does) leaves it clear of the bar.
    posts[posts.length - 1].scrollIntoView({block: "end"});
    const jumped = posts[posts.length - 1].getBoundingClientRect().bottom;
    const barTop = bar.getBoundingClientRect().top;
    window.scrollTo(0, 0);
    out.bar = {inReach, coversAtEnd: last.bottom - top, coversAfterJump: jumped - barTop,
               sticky: getComputedStyle(bar).position};
  }
  return out;
}"""


# The CSP refuses a screenshot's injected stylesheet; the CSSOM may still change it.
UNSTICK = """(on) => {
  const bar = document.querySelector(".topic-bar");
  if (bar) bar.style.position = on ? "static" : "";
}"""


@pytest.fixture
def app_config(app_config):
    # The events plugin's date badge and the solved plugin's mark are part of a row.
    return {**app_config, "PLUGINS": ["events", "solved"]}


@pytest.fixture
def pages(live_app, make) -> dict[str, str]:
    with live_app.app_context(), live_app.test_request_context():
        load_demo()

        def category(slug: str) -> str:
            return category_url(db.session.scalar(sa.select(Category).where(Category.slug == slug)))

        introductions = Topic.title.startswith("Vorstellungsrunde")
        topic = db.session.scalar(sa.select(Topic).where(introductions))
        return {
            "latest": "/latest",
            "category": category("allgemeines"),
            "help-board": category("nachbarschaftshilfe"),
            "topic": topic_url(topic),
        }


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_lists_and_topic_fit_a_phone_and_a_desktop(scheme, pages, open_page, screenshots):
    problems: list[str] = []
    for width in WIDTHS:
        page = open_page(locale="de-DE", color_scheme=scheme, width=width)
        log_in(page, "anke.schulz", DEMO_PASSWORD)
        for name, path in pages.items():
            where = f"{name} ({scheme}, {width}px)"
            response = page.goto(path)
            assert response.status < 400, f"{where}: HTTP {response.status}"
            if scheme == "light":
                # A full-page capture draws the sticky bar where the first screen
                # ends; in place it shows the page as it reads when scrolled.
                page.evaluate(UNSTICK, True)
                page.screenshot(path=screenshots / f"lists-{name}-{width}.png", full_page=True)
                page.evaluate(UNSTICK, False)
                if name == "topic":  # the first screen, with the bar at the bottom
                    page.screenshot(path=screenshots / f"lists-topic-bar-{width}.png")
            results = Axe().run(page, options=WCAG_A_AA)
            if results.violations_count:
                problems.append(f"--- {where} ---\n{results.generate_report()}")
            found = page.evaluate(MEASURE)
            if found["overflow"] > 0:
                problems.append(f"{where}: scrolls sideways by {found['overflow']}px")
            if found["wideRows"]:
                problems.append(f"{where}: rows wider than the screen: {found['wideRows']}")
            if name != "topic" and not found["posters"]:
                problems.append(f"{where}: no posters' avatars in the list")
            if found["unnamedAvatars"]:
                problems.append(f"{where}: {found['unnamedAvatars']} avatars without a name")
            if name == "help-board" and (found["tiles"] != 10 or found["smallTiles"]):
                problems.append(f"{where}: tiles {found['tiles']}, too small {found['smallTiles']}")
            if name == "topic":
                bar = found["bar"]
                if bar is None or bar["sticky"] != "sticky" or not bar["inReach"]:
                    problems.append(f"{where}: the reply bar is not at hand: {bar}")
                elif bar["coversAtEnd"] > 0.5 or bar["coversAfterJump"] > 0.5:
                    problems.append(f"{where}: the reply bar covers the last post: {bar}")
                if not page.locator(".topic-bar .topic-reply").is_visible():
                    problems.append(f"{where}: no reply button in the bar")
    assert not problems, "\n".join(problems)
