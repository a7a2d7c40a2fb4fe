"""Kept member pages (forum/member_pages) with plugins on: the solved plugin's
shared mark and buttons and the events plugin's navigation link come out as the
ordinary page has them, for the topic's author, another member and staff, in
any order; a contribution not marked shared keeps the page from being kept."""

import re

import pytest
import sqlalchemy as sa

from forum.boards.models import Post, ReadLevel
from forum.boards.topic_views import KEPT_TOPIC_PAGES
from forum.extensions import db
from forum.hookspecs import hookimpl
from forum.kept_pages import kept_pages
from forum.plugins import Contribution
from forum.plugins.loading import get_manager
from tests.conftest import ServerLikeClient, login

_KEY = re.compile(r'name="submission_key" value="[0-9a-f]{32}"')
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app_config(app_config, plugin_app_config, tmp_path):
    return {
        **app_config,
        **plugin_app_config(["solved", "events"]),
        "SOLVED_CATEGORIES": ["fragen-antworten"],
        "HOLD_FIRST_POSTS": 0,
        "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
    }


@pytest.fixture(autouse=True)
def _close_search(app):
    yield
    app.extensions["search"].close()


def _client(app, user):
    client = ServerLikeClient(app, app.response_class, use_cookies=True)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, user)
    return client


def _page(app, client, url, *, kept: bool) -> str:
    server = app.extensions.pop(KEPT_TOPIC_PAGES, None)
    if kept:
        app.extensions[KEPT_TOPIC_PAGES] = server
    try:
        response = client.get(url)
    finally:
        app.extensions[KEPT_TOPIC_PAGES] = server
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return _TOKEN.sub("TOKEN", _KEY.sub("KEY", html))


@pytest.fixture
def question(app, make):
    category = make.category(
        "Fragen & Antworten", slug="fragen-antworten", read_level=ReadLevel.MEMBERS
    )
    people = {
        "author": make.user("fragende"),
        "member": make.user("helferin"),
        "other": make.user("anderer"),
        "moderator": make.user("moderatorin", role="moderator"),
    }
    topic = make.topic(people["author"], category, "Wo gibt es das Formular?", "Ich suche es.")
    make.post(topic, people["member"], "Im Bürgerbüro.")
    make.post(topic, people["other"], "Beim Kreis online.")
    return topic, people


def test_solved_and_events_on_kept_pages_are_the_ordinary_ones(app, question):
    topic, people = question
    url = f"/t/{topic.slug}/{topic.id}?page=1"
    clients = {name: _client(app, user) for name, user in people.items()}
    with app.app_context():
        second = db.session.scalar(
            sa.select(Post.id).where(Post.topic_id == topic.id, Post.post_number == 2)
        )
    for client in clients.values():
        # Read once: where each stopped reading moves no more between the two renders.
        _page(app, client, url, kept=False)
    for round_ in range(2):
        for name in ["member", "author", "other", "moderator", "author", "member"]:
            page = _page(app, clients[name], url, kept=True)
            assert page == _page(app, clients[name], url, kept=False), (round_, name)
            assert "/events" in page  # the events plugin's navigation link
            may_accept = name in ("author", "moderator")
            action = "accept" if round_ == 0 else "unaccept"
            assert (f"/solved/p/{second}/{action}" in page) == may_accept, name
        # The author accepts the first answer: everyone sees the mark at once.
        response = clients["author"].post(f"/solved/p/{second}/accept")
        assert response.status_code == 302
        # The flashed confirmation: shown once (a page with one is never served kept).
        assert "is now the solution" in _page(app, clients["author"], url, kept=True)
    assert "Solution</span>" in _page(app, clients["other"], url, kept=True)
    # The solved plugin's parts are shared: the pages were kept.
    assert [key for key in kept_pages(app).pages if key[0] == "page"]


class _PersonalPlugin:
    """A plugin whose topic header shows the reader's own name: not marked shared."""

    @hookimpl
    def extra_outlet(self, outlet, user):
        if outlet != "topic_header":
            return None
        return Contribution("kept_test_personal.html", {"name": user.username})


def test_a_contribution_not_marked_shared_is_never_kept(app, question):
    topic, people = question
    from jinja2 import ChoiceLoader, DictLoader

    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"kept_test_personal.html": "<p>Für {{ name }}</p>"}), app.jinja_env.loader]
    )
    get_manager(app).register(_PersonalPlugin(), name="kept-test-personal")
    url = f"/t/{topic.slug}/{topic.id}?page=1"
    one, two = _client(app, people["member"]), _client(app, people["other"])
    for _ in range(2):
        first = _page(app, one, url, kept=True)
        second = _page(app, two, url, kept=True)
        assert "Für helferin" in first and "Für helferin" not in second
        assert "Für anderer" in second and "Für anderer" not in first
    assert [key for key in kept_pages(app).pages if key[0] == "page"] == []
