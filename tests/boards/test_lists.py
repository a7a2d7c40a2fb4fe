"""Topic lists (pinning, keyset paging) and pages of posts, with small pages."""

import re
from datetime import timedelta
from html import unescape

import pytest

from forum.boards.models import Topic
from forum.db import utcnow


def _html(response) -> str:
    return response.get_data(as_text=True)


def _url(topic, post_number=None) -> str:
    suffix = f"/{post_number}" if post_number else ""
    return f"/t/{topic.slug}/{topic.id}{suffix}"


# --- Lists: pinning and paging ----------------------------------------------------------


@pytest.fixture
def app_config(app_config):
    app_config["TOPICS_PER_PAGE"] = 2
    app_config["POSTS_PER_PAGE"] = 2
    return app_config


def _topics_in_order(html: str, titles) -> list[str]:
    found = [(html.index(t), t) for t in titles if t in html]
    return [t for _, t in sorted(found)]


def _aged_topics(make, update, category, count: int) -> list[Topic]:
    """Create topics bumped one hour apart, the last one most recently."""
    topics = []
    for number in range(1, count + 1):
        topic = make.topic(category=category, title=f"Thema Nummer {number}")
        stamp = utcnow() - timedelta(hours=count - number + 1)
        update(Topic, topic.id, bumped_at=stamp, created_at=stamp)
        topics.append(topic)
    return topics


def test_globally_pinned_topic_comes_first_in_latest(client, make, places, update):
    topics = _aged_topics(make, update, places.public, 3)
    # Pinned, and the oldest: only pinning can bring it up.
    update(Topic, topics[0].id, pinned_at=utcnow(), pinned_globally=True)
    html = _html(client.get("/latest"))
    assert _topics_in_order(html, ["Thema Nummer 1", "Thema Nummer 3", "Thema Nummer 2"]) == [
        "Thema Nummer 1",
        "Thema Nummer 3",
        "Thema Nummer 2",
    ]
    assert "Pinned" in html


def test_category_pin_counts_in_its_category_only(client, make, places, update):
    topics = _aged_topics(make, update, places.public, 3)
    update(Topic, topics[0].id, pinned_at=utcnow(), pinned_globally=False)
    category_html = _html(client.get(f"/c/ehrenamt-entdecken/{places.public.id}"))
    assert _topics_in_order(category_html, ["Thema Nummer 1", "Thema Nummer 3"]) == [
        "Thema Nummer 1",
        "Thema Nummer 3",
    ]
    latest_html = _html(client.get("/latest"))
    assert "Thema Nummer 1" not in latest_html  # two per page: 3 and 2 come first
    assert _topics_in_order(latest_html, ["Thema Nummer 3", "Thema Nummer 2"]) == [
        "Thema Nummer 3",
        "Thema Nummer 2",
    ]


def _more_link(html: str) -> str | None:
    match = re.search(r'<a class="button" rel="next" href="([^"]+)"', html)
    return unescape(match.group(1)) if match else None


def _walk_latest(client, start="/latest") -> list[list[str]]:
    pages, url = [], start
    while url:
        html = _html(client.get(url))
        pages.append(re.findall(r"Thema Nummer \d+", html))
        url = _more_link(html)
        assert len(pages) < 10
    return pages


def test_latest_pages_with_a_before_cursor(client, make, places, update):
    _aged_topics(make, update, places.public, 5)
    assert _walk_latest(client) == [
        ["Thema Nummer 5", "Thema Nummer 4"],
        ["Thema Nummer 3", "Thema Nummer 2"],
        ["Thema Nummer 1"],
    ]


def test_topics_bumped_at_the_same_moment_are_split_by_id(client, make, places, update):
    # The cursor's time matches a whole page and more: the id decides (the row
    # value (bumped_at, id) < (time, id)), so nothing is lost or shown twice.
    topics = _aged_topics(make, update, places.public, 5)
    stamp = utcnow() - timedelta(hours=2)
    for topic in topics:
        update(Topic, topic.id, bumped_at=stamp)
    assert _walk_latest(client) == [
        ["Thema Nummer 5", "Thema Nummer 4"],
        ["Thema Nummer 3", "Thema Nummer 2"],
        ["Thema Nummer 1"],
    ]


def test_pinned_topic_is_not_repeated_on_later_pages(client, make, places, update):
    topics = _aged_topics(make, update, places.public, 5)
    update(Topic, topics[0].id, pinned_at=utcnow(), pinned_globally=True)
    pages = _walk_latest(client)
    seen = [title for page in pages for title in page]
    assert sorted(seen) == sorted({*seen}), pages
    assert pages[0][0] == "Thema Nummer 1"


def test_garbage_cursor_starts_from_the_top(client, make, places, update):
    _aged_topics(make, update, places.public, 3)
    for cursor in ("x", "nicht_ein_datum", "2020-01-01T00:00:00+00:00_abc", "_"):
        response = client.get("/latest", query_string={"before": cursor})
        assert response.status_code == 200
        assert "Thema Nummer 3" in _html(response)


def test_cursor_without_time_zone_is_not_a_server_error(client, make, places, update):
    _aged_topics(make, update, places.public, 3)
    response = client.get("/latest", query_string={"before": "2999-01-01T00:00:00_1"})
    assert response.status_code in (200, 404)


# --- Topic pages, views ----------------------------------------------------------------


def test_posts_come_in_pages(client, make, places):
    topic = make.topic(category=places.public, raw="Erster Beitrag")
    for number in range(2, 6):
        make.post(topic, raw=f"Beitrag Nummer {number}")
    page_one = _html(client.get(_url(topic)))
    assert "Erster Beitrag" in page_one and "Beitrag Nummer 2" in page_one
    assert "Beitrag Nummer 3" not in page_one
    assert f'href="{_url(topic)}?page=3"' in page_one

    page_two = _html(client.get(f"{_url(topic)}?page=2"))
    assert "Beitrag Nummer 3" in page_two and "Beitrag Nummer 4" in page_two
    assert "Erster Beitrag" not in page_two and "Beitrag Nummer 5" not in page_two
    # A post's own URL opens the page it is on.
    assert "Beitrag Nummer 5" in _html(client.get(_url(topic, 5)))
    # Pages past the end show the last page.
    assert "Beitrag Nummer 5" in _html(client.get(f"{_url(topic)}?page=99"))
