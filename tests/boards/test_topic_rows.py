"""A topic list's rows come from a per-process cache of rendered rows
(forum/topic_rows.py): a reply, a rename or a new read position shows at once,
and no reader gets a row of a topic they may not read through the cache."""

import re

import pytest

from forum.boards.models import Topic
from forum.boards.views import KEPT_LATEST
from forum.topic_rows import row_cache
from tests.conftest import login

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(params=["kept member pages", "rows only"])
def app_config(app_config, request):
    """Every rule here holds with members' lists kept (forum/member_pages) and without."""
    if request.param == "rows only":
        app_config["KEPT_PAGES_CACHE_KB"] = 0
    return app_config


def _row_html(html: str, topic) -> str:
    """The HTML of one topic's row on a list (its <li> element)."""
    link = html.index(f'href="/t/{topic.slug}/{topic.id}"')
    start = html.rindex('<li class="topic-item', 0, link)
    return html[start : html.index("</li>", html.index('class="topic-stats"', start))]


def _replies(row: str) -> str:
    return re.search(r'class="stat-replies"><dt>Replies</dt><dd>(\d+)</dd>', row).group(1)


@pytest.fixture
def listed(make, places):
    """A members' topic with a reply, by an author with a display name."""
    author = make.user("verfasserin", display_name="Vera Fasser")
    topic = make.topic(author, category=places.members, title="Ein Thema für die Liste")
    make.post(topic, author, raw="Die erste Antwort.")
    return topic, author


def test_a_second_reader_gets_the_kept_rows(app, client, member, second, listed):
    # The rows themselves: a kept member list would serve its own copy.
    app.extensions.pop(KEPT_LATEST, None)
    client.get("/latest")
    cache = row_cache(app)
    kept = len(cache)
    assert kept == 1
    # Mark the kept row: the second member's list shows the mark, so it was
    # served from the cache, not rendered again.
    with cache.lock:
        for key in list(cache.blocks):
            cache.blocks[key] = cache.blocks[key].replace("für die Liste", "GEMERKT")
    assert "Ein Thema GEMERKT" in second.get("/latest").get_data(as_text=True)
    assert len(cache) == kept


@pytest.mark.parametrize("path", ["/latest", "category"])
def test_a_reply_shows_for_every_reader(app, client, member, second, listed, make, places, path):
    topic, _author = listed
    if path == "category":
        path = f"/c/{places.members.slug}/{places.members.id}"
    for reader in (client, second):
        assert _replies(_row_html(reader.get(path).get_data(as_text=True), topic)) == "1"
    make.post(topic, make.user("neuling"), raw="Noch eine Antwort.")
    for reader in (client, second):
        row = _row_html(reader.get(path).get_data(as_text=True), topic)
        assert _replies(row) == "2"
        # The new poster joins the row's avatars.
        assert "/user_avatar/neuling/32.svg" in row


def test_the_read_state_is_each_reader_s_own(app, client, member, second, listed, make):
    topic, _author = listed
    # The first member reads the topic; the second never opened it.
    client.get(f"/t/{topic.slug}/{topic.id}")
    second.get("/latest")
    make.post(topic, make.user("neuling"), raw="Noch eine Antwort.")
    mine = _row_html(client.get("/latest").get_data(as_text=True), topic)
    assert "1 unread" in mine and f'href="/t/{topic.slug}/{topic.id}/3#post_3"' in mine
    theirs = _row_html(second.get("/latest").get_data(as_text=True), topic)
    assert "badge-unread" not in theirs and "badge-new" in theirs
    # Read to the end: the badge goes, for this reader only.
    client.get(f"/t/{topic.slug}/{topic.id}/3")
    assert "1 unread" not in _row_html(client.get("/latest").get_data(as_text=True), topic)


def test_a_rename_pinning_and_closing_show_at_once(update, app, client, member, listed):
    topic, _author = listed
    assert "Ein Thema für die Liste" in client.get("/latest").get_data(as_text=True)
    update(Topic, topic.id, title="Ein neuer Titel", closed=True)
    row = _row_html(client.get("/latest").get_data(as_text=True), topic)
    assert "Ein neuer Titel" in row and "für die Liste" not in row
    assert '<span class="badge">Closed</span>' in row


def test_a_staff_topic_never_reaches_a_member(app, client, make, second, places, coordinator):
    hidden = make.topic(coordinator, category=places.staff, title="Nur für die Koordination")
    make.topic(coordinator, category=places.members, title="Für alle Mitglieder")
    login(client, coordinator)
    for path in ("/latest", f"/c/{places.staff.slug}/{places.staff.id}"):
        assert "Nur für die Koordination" in client.get(path).get_data(as_text=True)
    html = second.get("/latest").get_data(as_text=True)
    assert "Für alle Mitglieder" in html and "Koordination" not in html
    assert f"/t/{hidden.slug}/{hidden.id}" not in html
    assert second.get(f"/c/{places.staff.slug}/{places.staff.id}").status_code == 404


def test_a_members_topic_never_reaches_a_guest(app, client, member, listed):
    assert "Ein Thema für die Liste" in client.get("/latest").get_data(as_text=True)
    guest = app.test_client()
    guest.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "Ein Thema für die Liste" not in guest.get("/latest").get_data(as_text=True)


def test_the_language_is_part_of_the_key(update, app, client, member, listed):
    from forum.users.models import User

    assert "<dt>Replies</dt>" in client.get("/latest").get_data(as_text=True)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    update(User, member.id, locale=None)
    html = client.get("/latest").get_data(as_text=True)
    assert "<dt>Antworten</dt>" in html and "<dt>Replies</dt>" not in html


def test_the_row_template_reads_only_what_the_key_holds(app):
    """Whatever boards/_topic_row.html shows must come from the facts (the key)
    or the list's links and labels: a template variable beyond them could differ
    between readers who share a kept row."""
    from jinja2 import meta, nodes

    source = app.jinja_env.loader.get_source(app.jinja_env, "boards/_topic_row.html")[0]
    tree = app.jinja_env.parse(source)
    own = {name.name for name in tree.find_all(nodes.Name) if name.ctx == "store"}
    assert meta.find_undeclared_variables(tree) - own <= {"f", "p", "_", "ngettext"}
