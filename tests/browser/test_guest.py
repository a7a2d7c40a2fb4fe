"""A guest looks around the public part of the forum in a real browser."""

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, expect

from forum.boards.models import Category, Topic
from forum.demo import load_demo
from forum.extensions import db
from forum.urls import topic_url

PUBLIC_TOPIC = "Bin ich bei meinem Ehrenamt unfallversichert?"
WCAG_A_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args) -> dict:
    # German is the forum's first language; the browser asks for it like most visitors do.
    return {**browser_context_args, "locale": "de-DE"}


@pytest.fixture
def demo_forum(live_app) -> Iterator[Flask]:
    with live_app.app_context():
        load_demo()
    yield live_app
    # Workaround: tests/conftest.py empties `categories` with one DELETE, which
    # SQLite refuses while a subcategory still points at its parent.
    with live_app.app_context():
        db.session.execute(sa.update(Category).values(parent_id=None))
        db.session.commit()


def _public_topic_path(app: Flask) -> str:
    with app.app_context():
        topic = db.session.scalar(sa.select(Topic).where(Topic.title == PUBLIC_TOPIC))
        with app.test_request_context():
            return topic_url(topic)


def test_guest_finds_and_reads_a_public_topic(demo_forum, page: Page):
    page.goto("/")
    expect(page).to_have_title(re.compile("Ehrenamt im Landkreis Gifhorn"))
    expect(page.get_by_role("heading", name="Fragen & Antworten")).to_be_visible()
    # The closed group stays closed: member categories are not even listed.
    expect(page.get_by_role("heading", name="Allgemeines")).to_have_count(0)
    expect(page.get_by_text("Moderationsleitfaden")).to_have_count(0)

    page.get_by_role("link", name="Fragen & Antworten", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fragen & Antworten")
    page.get_by_role("link", name=PUBLIC_TOPIC).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(PUBLIC_TOPIC)
    expect(page.locator("#post_1")).to_contain_text("Ich fahre für unsere Nachbarschaftshilfe")
    expect(page.locator("#post_2")).to_contain_text("gesetzliche Unfallversicherung")


def test_pages_meet_wcag_a_and_aa_on_phone_and_desktop(demo_forum, page: Page, screenshots):
    # One test for all four views: loading the demo content is the slow part.
    reports = []
    for name, path in [("home", "/"), ("topic", _public_topic_path(demo_forum))]:
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(path)
            expect(page.locator("main h1")).to_be_visible()
            page.screenshot(path=screenshots / f"{name}-{width}.png", full_page=True)
            results = Axe().run(page, options=WCAG_A_AA)
            if results.violations_count:
                reports.append(f"--- {name} at {width}px ---\n{results.generate_report()}")
    assert not reports, "\n".join(reports)


#: Text elements narrower than this that hold more than NARROW_TEXT characters
#: have been squeezed into a column of a few letters (TESTING.md's layout check).
NARROW_PX, NARROW_TEXT = 140, 25


def test_the_search_help_keeps_readable_columns_on_a_phone(live_app, page: Page):
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/search")
    page.locator("details").first.evaluate("details => { details.open = true; }")
    squeezed = page.evaluate(
        """([px, chars]) => [...document.querySelectorAll('main dd, main td, main p, main li')]
            .filter(el => el.getClientRects().length
                    && el.getBoundingClientRect().width < px
                    && el.textContent.trim().length > chars)
            .map(el => el.textContent.trim())""",
        [NARROW_PX, NARROW_TEXT],
    )
    assert squeezed == []
