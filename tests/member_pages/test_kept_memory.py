"""The kept member pages' store counts what it holds (forum/kept_pages.py): the
page's parts, its posts' texts and outlets, and each post variant rendered for
a reader after the page was kept; it never holds more than its bytes."""

import sys

import pytest

from forum.kept_pages import kept_pages
from forum.member_pages.topic import KeptTopicPage
from forum.users.models import User
from tests.conftest import ServerLikeClient, login

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def app_config(app_config):
    app_config["HOLD_FIRST_POSTS"] = 0
    return app_config


def _held_bytes(page: KeptTopicPage) -> int:
    """The strings a kept page holds (a lower bound of what it costs)."""
    strings = [part for part in page.parts if isinstance(part, str)]
    for facts, _post, outlet, below in page.posts:
        strings += (facts.cooked, outlet, below)
    for pieces in page.variants.values():
        strings += pieces
    return sum(sys.getsizeof(s) for s in strings)


def _read_by_many(app, make, readers: int) -> tuple[str, list[User]]:
    category = make.category("Mitgliederforum", read_level="members")
    people = [make.user(f"leser{i}") for i in range(readers)]
    topic = make.topic(people[0], category=category, raw="Hallo alle. " * 100)
    for i in range(11):
        make.post(topic, people[i % readers], raw=f"Antwort {i}: " + "Wer hilft mit? " * 80)
    url = f"/t/{topic.slug}/{topic.id}?page=1"
    for person in people[1:]:
        client = ServerLikeClient(app, app.response_class, use_cookies=True)
        login(client, person)
        assert client.get(url).status_code == 200
    return url, people


def test_the_store_counts_the_variants_its_pages_hold(app, make):
    _read_by_many(app, make, 5)
    store = kept_pages(app)
    pages = [value for value, _weight in store.pages.values() if isinstance(value, KeptTopicPage)]
    assert len(pages) == 1 and pages[0].variants  # each reader's own posts: their variants
    assert store.bytes >= _held_bytes(pages[0])


def test_variants_never_take_the_store_beyond_its_bytes(app, make):
    app.config["KEPT_PAGES_CACHE_KB"] = 96
    app.extensions.pop("forum.kept_pages", None)
    _read_by_many(app, make, 5)
    store = kept_pages(app)
    held = sum(
        _held_bytes(value) for value, _weight in store.pages.values()
        if isinstance(value, KeptTopicPage)
    )  # fmt: skip
    assert held <= store.bytes <= store.max_bytes
