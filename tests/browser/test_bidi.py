"""Names and titles of others next to the page's words: a link is isolated (as
<bdi> is), so a right-to-left title, or one written before its direction
controls were refused (tests/test_visible_text.py), reorders nothing around it."""

import sqlalchemy as sa
from playwright.sync_api import expect

from forum.boards.models import Topic
from forum.extensions import db

#: Stored as it was before: an override left open, then Hebrew.
OLD_TITLE = "Sommerfest \u202eטסקט ישן"  # noqa: RUF001


def test_a_title_with_an_open_override_stays_inside_its_link(live_app, make, open_page):
    author = make.user("anna")
    category = make.category("Allgemein", read_level="public")
    topic = make.topic(author, category, "Sommerfest im Park", "Wer hilft beim Aufbau?")
    with live_app.app_context():
        db.session.execute(sa.update(Topic).where(Topic.id == topic.id).values(title=OLD_TITLE))
        db.session.commit()
    page = open_page()
    page.goto("/latest")
    link = page.locator("main a", has_text="Sommerfest")
    expect(link).to_have_count(1)
    assert link.evaluate("a => getComputedStyle(a).unicodeBidi") == "isolate"
