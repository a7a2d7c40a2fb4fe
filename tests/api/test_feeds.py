"""RSS and Atom feeds, personal feed addresses and the embeddable list."""

import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import feedparser
import pytest

from tests.conftest import login


@pytest.fixture
def places(make):
    public = make.category("Ehrenamt entdecken", read_level="public")
    members = make.category("Allgemeines", read_level="members")
    return public, members


@pytest.fixture
def content(make, places):
    public, members = places
    author = make.user("anna", display_name="Anna Becker")
    open_topic = make.topic(
        author, public, "Lesepaten gesucht", "Bitte [hier](/about) lesen, **danke**."
    )
    make.post(open_topic, make.user("bernd"), "Ich helfe gern.", reply_to_post_number=1)
    secret = make.topic(author, members, "Internes Geheimthema", "Nur für Mitglieder.")
    return open_topic, secret


def _parse(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo, feed.bozo_exception
    return feed


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_guests_latest_feed_has_public_topics_only(client, content, kind):
    open_topic, _secret = content
    response = client.get(f"/latest.{kind}")
    assert response.headers["Content-Type"].endswith("+xml; charset=utf-8")
    feed = _parse(response)
    assert [entry.title for entry in feed.entries] == ["Lesepaten gesucht"]
    [entry] = feed.entries
    assert entry.link == f"http://forum.test/t/{open_topic.slug}/{open_topic.id}"
    html = entry.content[0].value if kind == "atom" else entry.summary
    # Links absolute on BASE_URL, the text as cooked.
    assert 'href="http://forum.test/about"' in html and "<strong>danke</strong>" in html
    assert "Geheimthema" not in response.get_data(as_text=True)


def test_topic_category_and_user_feeds(client, content, places):
    open_topic, secret = content
    public, members = places
    topic_feed = _parse(client.get(f"/t/{open_topic.slug}/{open_topic.id}.rss"))
    assert [e.title for e in topic_feed.entries] == ["Lesepaten gesucht #2", "Lesepaten gesucht"]
    category_feed = _parse(client.get(f"/c/{public.slug}/{public.id}.atom"))
    assert [e.title for e in category_feed.entries] == ["Lesepaten gesucht"]
    user_feed = _parse(client.get("/u/anna/activity.rss"))
    assert [e.title for e in user_feed.entries] == ["Lesepaten gesucht"]
    assert client.get(f"/c/{members.slug}/{members.id}.rss").status_code == 404
    assert client.get(f"/t/{secret.slug}/{secret.id}.rss").status_code == 404
    assert client.get("/u/niemand/activity.rss").status_code == 404


def test_a_session_does_not_open_members_content_in_feeds(client, make, content):
    """A feed address is copied into readers without cookies: only the key counts."""
    login(client, make.user("carla"))
    feed = _parse(client.get("/latest.rss"))
    assert [e.title for e in feed.entries] == ["Lesepaten gesucht"]


def test_personal_feed_shows_member_categories_until_renewed(client, make, content, places):
    _open, secret = content
    _public, members = places
    login(client, make.user("carla"))
    page = client.get("/feeds").get_data(as_text=True)
    key = re.search(r"/latest\.rss\?key=([^\"&]+)", page).group(1)
    feed = _parse(client.get(f"/latest.rss?key={key}"))
    assert {e.title for e in feed.entries} == {"Lesepaten gesucht", "Internes Geheimthema"}
    assert client.get(f"/t/{secret.slug}/{secret.id}.atom?key={key}").status_code == 200
    assert client.get(f"/c/{members.slug}/{members.id}.rss?key={key}").status_code == 200
    assert client.get(f"/latest.rss?key={key}").headers["Cache-Control"] == "private, no-store"

    response = client.post("/feeds/renew")
    assert response.status_code == 302
    assert client.get(f"/latest.rss?key={key}").status_code == 404
    page = client.get("/feeds").get_data(as_text=True)
    new_key = re.search(r"/latest\.rss\?key=([^\"&]+)", page).group(1)
    assert new_key != key
    assert client.get(f"/latest.rss?key={new_key}").status_code == 200
    assert client.get("/latest.rss?key=kaputt").status_code == 404


def test_guests_and_applicants_get_no_personal_feed(client, make, content):
    assert "key=" not in client.get("/feeds").get_data(as_text=True)
    assert client.post("/feeds/renew").status_code in (302, 401)
    login(client, make.user("neu", role="applicant"))
    assert "key=" not in client.get("/feeds").get_data(as_text=True)
    assert client.post("/feeds/renew").status_code == 403


def test_pages_point_to_their_feeds(client, content, places):
    open_topic, _secret = content
    public, _members = places
    for path, feed in [
        ("/latest", "/latest.rss"),
        (f"/c/{public.slug}/{public.id}", f"/c/{public.slug}/{public.id}.rss"),
        (f"/t/{open_topic.slug}/{open_topic.id}", f"/t/{open_topic.slug}/{open_topic.id}.rss"),
        ("/u/anna", "/u/anna/activity.rss"),
    ]:
        page = client.get(path).get_data(as_text=True)
        assert '<link rel="alternate" type="application/rss+xml"' in page, path
        assert f'href="{feed}"' in page, path


def test_members_pages_announce_no_feed_that_would_answer_404(client, make, content, places):
    """A feed without a key shows what guests see; members' pages point to none
    (members copy their personal addresses from /feeds)."""
    _open_topic, secret = content
    _public, members = places
    login(client, make.user("mitglied"))
    for path in (f"/t/{secret.slug}/{secret.id}", f"/c/{members.slug}/{members.id}"):
        page = client.get(path).get_data(as_text=True)
        assert "Internes Geheimthema" in page or members.name in page, path
        assert 'rel="alternate"' not in page, path


def test_embed_lists_public_topics_and_may_be_framed(client, make, content, places):
    public, members = places
    login(client, make.user("carla"))
    response = client.get(f"/embed/latest?category={public.id}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'class="forum-embed-item"' in body and "Lesepaten gesucht" in body
    assert "<script" not in body and "Geheimthema" not in body
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    assert "Set-Cookie" not in response.headers
    assert "Geheimthema" not in client.get("/embed/latest").get_data(as_text=True)
    assert client.get(f"/embed/latest?category={members.id}").status_code == 404
    assert client.get("/embed/latest?category=99999999999").status_code == 404
    # Every other page keeps refusing to be framed.
    latest = client.get("/latest")
    assert "frame-ancestors 'none'" in latest.headers["Content-Security-Policy"]
    assert latest.headers["X-Frame-Options"] == "DENY"


def test_every_feed_parses_clean_with_sanitised_absolute_html(client, make, places):
    """Each feed in both formats, for a guest and with a member's key: no bozo,
    no script or event handler from a post, links absolute."""
    public, _members = places
    author = make.user("dora")
    topic = make.topic(
        author,
        public,
        "Sommerfest <b>im Park</b> & mehr",
        'Siehe [Plan](/plan) <script>alert(1)</script> <img src="/x.png" onerror="alert(2)">',
    )
    make.post(topic, make.user("emil"), "Ich bringe Kuchen & Saft mit.", reply_to_post_number=1)
    login(client, make.user("carla"))
    page = client.get("/feeds").get_data(as_text=True)
    key = re.search(r"/latest\.rss\?key=([^\"&]+)", page).group(1)
    paths = (
        "/latest",
        f"/c/{public.slug}/{public.id}",
        f"/t/{topic.slug}/{topic.id}",
        "/u/dora/activity",
    )
    for path in paths:
        for kind in ("rss", "atom"):
            for query in ("", f"?key={key}"):
                response = client.get(f"{path}.{kind}{query}")
                feed = _parse(response)
                assert feed.entries, (path, kind, query)
                for html in _entry_html(response.get_data()):
                    tags = _Tags()
                    tags.feed(html)
                    assert "script" not in tags.names, (path, kind)
                    assert not [a for a in tags.attributes if a.startswith("on")], (path, kind)
                    assert all(link.startswith("http://forum.test/") for link in tags.links)
                assert all(e.link.startswith("http://forum.test/") for e in feed.entries)


class _Tags(HTMLParser):
    """The tags, attribute names and links of an entry's HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.names, self.attributes, self.links = set(), set(), []

    def handle_starttag(self, tag, attrs):
        self.names.add(tag)
        for name, value in attrs:
            self.attributes.add(name)
            if name in ("href", "src"):
                self.links.append(value or "")


def _entry_html(body: bytes) -> list[str]:
    """The HTML of every entry as the feed carries it (escaped once in the XML)."""
    root = ElementTree.fromstring(body)  # noqa: S314 (the forum's own feed, in a test)
    atom = "{http://www.w3.org/2005/Atom}"
    found = [e.text or "" for e in root.iter("description")]
    found += [e.text or "" for e in root.iter(f"{atom}content")]
    found += [e.text or "" for e in root.iter(f"{atom}summary")]
    return found
