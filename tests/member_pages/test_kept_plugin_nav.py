"""A plugin's navigation links on a kept member page (forum/member_pages/slots.py):
the hook is asked on every page, a translated label shows in the reader's language,
and a label that says something else each time is never served from an earlier page."""

import itertools

import pytest
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from forum.hookspecs import hookimpl
from forum.kept_pages import kept_pages
from forum.plugins import NavLink
from forum.plugins.loading import get_manager
from tests.member_pages.conftest import signed_in

_COUNT = itertools.count(1)


def _appointments() -> str:
    return f"Termine heute: {next(_COUNT)}"


class _NavPlugin:
    @hookimpl
    def register_nav_links(self, user):
        return [
            NavLink(_l("Latest"), "boards.latest"),
            NavLink(LazyString(_appointments), "boards.index"),
        ]


@pytest.fixture
def topic_url(app, make):
    get_manager(app).register(_NavPlugin(), name="nav-test")
    category = make.category("Mitgliederforum", read_level="members")
    topic = make.topic(make.user("autorin"), category=category, raw="Hallo alle.")
    return f"/t/{topic.slug}/{topic.id}?page=1"


def test_changing_labels_are_current_on_every_kept_page(app, make, topic_url):
    reader = signed_in(app, make.user("leserin"))
    pages = [reader.get(topic_url).get_data(as_text=True) for _ in range(3)]
    assert len(kept_pages(app)) >= 2  # served kept
    counts = [int(page.split("Termine heute: ")[1].split("<")[0]) for page in pages]
    assert counts[0] < counts[1] < counts[2]


def test_translated_labels_in_the_readers_language(app, make, topic_url):
    reader = signed_in(app, make.user("leserin"))
    english = [reader.get(topic_url).get_data(as_text=True) for _ in range(2)]
    reader.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    german = [reader.get(topic_url).get_data(as_text=True) for _ in range(2)]
    with app.test_request_context(headers={"Accept-Language": "de"}):
        neueste = str(_l("Latest"))
    assert neueste != "Latest"
    # The plugin's link to the latest topics (the header's own is another element).
    assert all('<a href="/latest">Latest</a>' in page for page in english)
    assert all(f'<a href="/latest">{neueste}</a>' in page for page in german)
    assert not any(f'<a href="/latest">{neueste}</a>' in page for page in english)
