"""The anonymous page cache (forum/pagecache.py), through the real app."""

import pytest

from forum.boards.models import ReadLevel
from forum.security import CONTENT_SECURITY_POLICY
from tests.conftest import login

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Permissions-Policy",
)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "PAGE_CACHE_ENABLED": True}


@pytest.fixture
def guest(app):
    """A guest without any cookie, as a first visit (a new client per request)."""

    def get(path, **kwargs):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = client.get(path, **kwargs)
        response.close()
        return response

    return get


@pytest.fixture
def world(make):
    category = make.category("Offen für alle", read_level=ReadLevel.PUBLIC)
    author = make.user("autorin")
    topic = make.topic(author=author, category=category, title="Ein Thema für Gäste")
    return {"category": category, "author": author, "topic": topic}


def _paths(world):
    topic, category = world["topic"], world["category"]
    return [
        "/",
        "/latest",
        f"/c/{category.slug}/{category.id}",
        f"/t/{topic.slug}/{topic.id}",
        f"/t/{topic.slug}/{topic.id}?page=1",
        "/search",
    ]


def test_guest_pages_come_from_the_cache_with_the_same_headers(guest, world):
    for path in _paths(world):
        first, second = guest(path), guest(path)
        assert first.status_code == second.status_code == 200, path
        assert first.headers["X-Page-Cache"] == "miss", path
        assert second.headers["X-Page-Cache"] == "hit", path
        assert second.get_data() == first.get_data(), path
        assert "Set-Cookie" not in first.headers and "Set-Cookie" not in second.headers
        for name in SECURITY_HEADERS:
            assert second.headers[name] == first.headers[name], (path, name)
        assert second.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_a_new_reply_shows_up_for_guests_at_once(guest, make, world):
    topic = world["topic"]
    path = f"/t/{topic.slug}/{topic.id}"
    assert guest(path).headers["X-Page-Cache"] == "miss"
    assert guest("/latest").headers["X-Page-Cache"] == "miss"
    assert guest(path).headers["X-Page-Cache"] == "hit"
    make.post(topic, raw="Eine ganz frische Antwort für alle.")
    page = guest(path)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "Eine ganz frische Antwort für alle." in page.get_data(as_text=True)
    assert guest("/latest").headers["X-Page-Cache"] == "miss"


def test_a_reply_through_the_form_drops_the_guests_page(app, client, guest, make, world):
    topic = world["topic"]
    path = f"/t/{topic.slug}/{topic.id}"
    # The topic's author: a new member's first replies would wait for review.
    login(client, world["author"])
    guest(path)
    response = client.post(
        f"/t/{topic.id}/reply", data={"raw": "Geantwortet über das Formular.", "submit": "y"}
    )
    assert response.status_code == 302
    page = guest(path)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "Geantwortet über das Formular." in page.get_data(as_text=True)


def test_a_members_request_neither_reads_nor_fills_the_cache(app, client, guest, make, world):
    topic = world["topic"]
    path = f"/t/{topic.slug}/{topic.id}"
    member = make.user("mitglied")
    login(client, member)
    guest(path)
    for _ in range(2):
        page = client.get(path)
        assert "X-Page-Cache" not in page.headers
        assert "mitglied" in page.get_data(as_text=True)
    # The member's visit stored nothing: a guest still gets the guest's page.
    page = guest(path)
    assert page.headers["X-Page-Cache"] == "hit"
    assert "mitglied" not in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "headers",
    [{"Api-Key": "irgendwas"}, {"Authorization": "Bearer x"}, {"Api-Username": "system"}],
)
def test_requests_naming_someone_bypass_the_cache(guest, world, headers):
    guest("/latest")
    assert "X-Page-Cache" not in guest("/latest", headers=headers).headers


def test_a_session_cookie_bypasses_the_cache(app, guest, world):
    guest("/latest")
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], "x")
    assert "X-Page-Cache" not in client.get("/latest").headers
    client = app.test_client()
    client.set_cookie("remember_token", "1|abc")
    assert "X-Page-Cache" not in client.get("/latest").headers


def test_the_language_is_part_of_the_key(app, world):
    pages = {}
    for language in ("de", "en", "de"):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        response = client.get("/latest")
        pages.setdefault(language, []).append(response)
    assert pages["de"][0].headers["X-Page-Cache"] == "miss"
    assert pages["en"][0].headers["X-Page-Cache"] == "miss"
    assert pages["de"][1].headers["X-Page-Cache"] == "hit"
    assert 'lang="en"' in pages["en"][0].get_data(as_text=True)[:100]
    assert 'lang="de"' in pages["de"][1].get_data(as_text=True)[:100]


def test_the_language_switch_works_without_a_session_token(app, guest, world):
    page = guest("/latest").get_data(as_text=True)
    assert "csrf_token" not in page
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get("/language/de?next=/latest")
    assert response.status_code == 302 and response.location.endswith("/latest")
    page = client.get("/latest")
    assert "X-Page-Cache" not in page.headers
    assert 'lang="de"' in page.get_data(as_text=True)[:100]
    assert client.get("/language/xx").status_code == 404
    # An address elsewhere is not followed.
    assert not client.get("/language/en?next=https://evil.test/").location.startswith("https://")


def test_no_page_with_a_query_result_a_flash_or_an_error_is_kept(app, guest, world):
    for path in ("/search?q=Thema", "/t/weg/999999", "/c/weg/999999"):
        guest(path)
        assert guest(path).headers.get("X-Page-Cache") != "hit", path
    # A guest with a flashed message has a session cookie: never from the cache.
    client = app.test_client()
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Eine Nachricht nur für dich")]
    page = client.get("/latest")
    assert "X-Page-Cache" not in page.headers
    assert "Eine Nachricht nur für dich" not in guest("/latest").get_data(as_text=True)


def test_the_ttl_is_a_runtime_setting(app, guest, world):
    from forum.extensions import db
    from forum.site.services import set_setting

    with app.app_context():
        set_setting("PAGE_CACHE_SECONDS", 0)
        db.session.commit()
    guest("/latest")
    assert "X-Page-Cache" not in guest("/latest").headers


def test_a_cached_topic_page_still_counts_views(app, guest, world):
    from forum.boards.models import Topic
    from forum.extensions import db

    topic = world["topic"]
    seen = [guest(f"/t/{topic.slug}/{topic.id}").headers["X-Page-Cache"] for _ in range(3)]
    # Writing the view counts (after each view in tests) drops no page.
    assert seen == ["miss", "hit", "hit"]
    with app.app_context():
        assert db.session.get(Topic, topic.id).views == 3


def test_redis_store_when_configured(app_config, tmp_path):
    """The same behaviour with the pages and the generation in Redis."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    from forum import create_app
    from forum.pagecache import RedisStore

    app = create_app({**app_config, "PAGE_CACHE_URL": url}, instance_path=str(tmp_path / "i"))
    store = app.extensions["forum.page_cache"]
    assert isinstance(store, RedisStore)
    store.clear()
    from tests.conftest import Factory

    make = Factory(app)
    category = make.category("Redis-Kategorie", read_level=ReadLevel.PUBLIC)
    topic = make.topic(category=category, title="Ein Thema im Redis")
    try:
        path = f"/t/{topic.slug}/{topic.id}"
        client = app.test_client()
        assert client.get(path).headers["X-Page-Cache"] == "miss"
        assert app.test_client().get(path).headers["X-Page-Cache"] == "hit"
        make.post(topic, raw="Neu im Redis-Thema.")
        page = app.test_client().get(path)
        assert page.headers["X-Page-Cache"] == "miss"
        assert "Neu im Redis-Thema." in page.get_data(as_text=True)
    finally:
        store.clear()
        from forum.extensions import db

        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_client_that_prefers_json_gets_json_not_the_kept_page(guest, world):
    """The pages' JSON twins (/latest with Accept: application/json, Discourse's way) pass by."""
    assert guest("/latest").mimetype == "text/html"
    assert guest("/latest").headers.get("X-Page-Cache") == "hit"
    answer = guest("/latest", headers={"Accept": "application/json"})
    assert answer.mimetype == "application/json"
    assert "X-Page-Cache" not in answer.headers
    # A browser's Accept still gets the kept page.
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert guest("/latest", headers={"Accept": browser}).headers.get("X-Page-Cache") == "hit"


def test_only_the_parameters_a_page_reads_make_a_cached_page(guest, world):
    """Otherwise ``?x=<random>`` would fill the cache with one page under endless keys."""
    topic = world["topic"]
    for path in (
        "/latest?utm_source=newsletter",
        f"/t/{topic.slug}/{topic.id}?page=1&page=2",
        f"/t/{topic.slug}/{topic.id}?page=1&x=" + "a" * 300,
        "/?x=1",
    ):
        first, second = guest(path), guest(path)
        assert first.status_code == 200, path
        assert "X-Page-Cache" not in first.headers and "X-Page-Cache" not in second.headers, path
    # The parameters the pages read still make cached pages.
    for path in ("/latest?before=2020-01-01T00:00:00_1", f"/t/{topic.slug}/{topic.id}?page=1"):
        guest(path)
        assert guest(path).headers["X-Page-Cache"] == "hit", path
