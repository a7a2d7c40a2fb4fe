"""The kept member pages' store counts what it holds (forum/kept_pages.py): the
page's parts, its posts' texts and outlets, and each post variant rendered for
a reader after the page was kept; it never holds more than its bytes, and lets
go of pages that can no longer be served."""

import sys

import pytest

from forum import kept_pages as kept_pages_module
from forum.kept_pages import KeptPages, kept_pages
from forum.member_pages.topic import KeptTopicPage
from forum.users.models import User
from tests.conftest import ServerLikeClient, login

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def app_config(app_config):
    app_config["HOLD_FIRST_POSTS"] = 0
    return app_config


def _held_bytes(page: KeptTopicPage) -> int:
    """The texts a kept page holds (a lower bound of what it costs)."""
    strings = [part for part in page.parts if isinstance(part, str | bytes)]
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
    pages = [value for value, *_entry in store.pages.values() if isinstance(value, KeptTopicPage)]
    assert len(pages) == 1 and pages[0].variants  # each reader's own posts: their variants
    assert store.bytes >= _held_bytes(pages[0])


def test_variants_never_take_the_store_beyond_its_bytes(app, make):
    app.config["KEPT_PAGES_CACHE_KB"] = 96
    app.extensions.pop("forum.kept_pages", None)
    _read_by_many(app, make, 5)
    store = kept_pages(app)
    held = sum(
        _held_bytes(value) for value, *_entry in store.pages.values()
        if isinstance(value, KeptTopicPage)
    )  # fmt: skip
    assert held <= store.bytes <= store.max_bytes


def test_a_new_generation_lets_the_old_pages_go(app, make):
    url, people = _read_by_many(app, make, 3)
    client = ServerLikeClient(app, app.response_class, use_cookies=True)
    login(client, people[1])
    other = make.topic(people[0], category=make.category("Vereine", read_level="members"))
    assert client.get(f"/t/{other.slug}/{other.id}?page=1").status_code == 200
    store = kept_pages(app)
    assert [key for key in store.pages if key[:2] == ("page", other.id)]
    make.post(other, people[2], raw="Neu.")  # a bump: every kept page is dead
    assert client.get(url).status_code == 200  # the first topic's page kept anew
    assert not [key for key in store.pages if key[0] in ("page", "topic") and key[1] == other.id]
    assert len({entry[2] for entry in store.pages.values()}) == 1
    assert store.bytes == sum(entry[1] for entry in store.pages.values())


def test_pages_past_their_time_go_at_the_next_sweep(monkeypatch):
    store = KeptPages(1 << 20)
    clock = [1000.0]
    monkeypatch.setattr(kept_pages_module.time, "monotonic", lambda: clock[0])
    store.swept = clock[0]
    store.set(("page", 1), "eins", 100, "g1", expires=1060.0)
    store.set(("facts", 1), "fakten", 100, "g1")  # kept with its generation only
    clock[0] += 61
    store.set(("page", 2), "zwei", 100, "g1", expires=1121.0)
    assert store.get(("page", 1)) is None
    assert store.get(("facts", 1)) == "fakten" and store.get(("page", 2)) == "zwei"
    store.set(("page", 3), "drei", 100, "g2", expires=1121.0)
    assert list(store.pages) == [("page", 3)]
    assert store.bytes == store.pages[("page", 3)][1]
