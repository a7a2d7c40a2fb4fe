"""The small scripts that only some pages load: lists.js ("More topics" in
place) and new-topic.js (the help fields and a category's topic template).
Without them the pages work as links and forms; these prove the scripts do
their part where they are loaded."""

import re

import pytest
from playwright.sync_api import expect

from forum.boards.models import Category, CategoryKind
from forum.extensions import db
from tests.browser.conftest import log_in

PASSWORD = "correct horse battery"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "TOPICS_PER_PAGE": 3}


def test_more_topics_come_into_the_list_in_place(live_app, make, open_page):
    category = make.category("Allgemeines", read_level="public")
    author = make.user("autorin")
    for n in range(5):
        make.topic(author, category, f"Thema Nummer {n} über das Sommerfest")
    page = open_page(locale="en-GB", width=360)
    page.goto("/latest")
    items = page.locator(".topic-list > li")
    expect(items).to_have_count(3)
    page.get_by_role("link", name="More topics").click()
    expect(items).to_have_count(5)
    expect(page).to_have_url(re.compile(r"/latest$"))  # no page load: the list grew
    # Keyboard and screen-reader users continue at the first new topic.
    expect(page.locator(".topic-list > li").nth(3).locator(".topic-title > a")).to_be_focused()
    expect(page.get_by_role("link", name="More topics")).to_have_count(0)


def test_the_new_topic_form_shows_help_fields_and_fills_a_template(live_app, make, open_page):
    make.user("anke", locale="en")
    make.category("Allgemeines")
    help_category = make.category("Nachbarschaftshilfe", kind=CategoryKind.HELP)
    with live_app.app_context():
        db.session.get(Category, help_category.id).topic_template = "**Was wird gebraucht?**"
        db.session.commit()
    page = open_page(locale="en-GB", width=360)
    log_in(page, "anke", PASSWORD)
    page.goto("/new-topic")
    fields = page.locator("[data-help-fields]")
    category = page.locator("select[name=category]")
    category.select_option(label="Allgemeines")
    expect(fields).to_be_hidden()
    category.select_option(label="Nachbarschaftshilfe")
    expect(fields).to_be_visible()
    expect(page.locator("textarea[name=raw]")).to_have_value("**Was wird gebraucht?**")
    # Text the writer typed is never replaced by a template.
    page.locator("textarea[name=raw]").fill("Mein eigener Text")
    category.select_option(label="Allgemeines")
    expect(fields).to_be_hidden()
    expect(page.locator("textarea[name=raw]")).to_have_value("Mein eigener Text")
