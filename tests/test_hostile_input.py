"""Requests that once gave a 500 (issue #10): each now gets a message or is ignored.

tests/test_no_500.py sends odd values to every route; these are the cases
found by hand, kept as plain regression tests with the answer each expects.
"""

import re

import pytest

from forum.boards.models import ReadLevel
from tests.conftest import login

HUGE = "99999999999999999999"
JSON_BODIES = ["[1,2,3]", "42", '"x"', "null", "true", '{"login": 1, "password": [1]}',
               '{"email": {"a": 1}}', '{"username": false, "email": 1.5}']  # fmt: skip


@pytest.fixture(params=["whoosh", "postgres"])
def search_backend(request, database_url) -> str:
    if request.param == "postgres" and not database_url.startswith("postgresql"):
        pytest.skip("the postgres search backend needs a PostgreSQL test database")
    return request.param


@pytest.fixture
def csrf_client(app, client):
    """A client with CSRF protection on and a valid token: what a real form sends."""
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.environ_base["HTTP_X_CSRFTOKEN"] = token
    return client


@pytest.mark.parametrize("path", ["/login", "/register", "/password/forgot"])
def test_a_json_body_to_a_form_is_refused_in_the_readers_language(csrf_client, path):
    for body in JSON_BODIES:
        response = csrf_client.post(path, data=body, content_type="application/json")
        assert response.status_code == 415, (path, body)
        assert "This page takes form data only" in response.get_data(as_text=True)
    csrf_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    response = csrf_client.post(path, data="[1]", content_type="application/json")
    assert "Diese Seite nimmt nur Formulardaten an" in response.get_data(as_text=True)


def test_form_data_still_works_with_the_token_header(csrf_client, make):
    user = make.user()
    response = csrf_client.post("/login", data={"login": user.username, "password": make.password})
    assert response.status_code == 302


SEARCHES = [
    (f"topic:{HUGE}", f"There is no topic {HUGE}"),
    ("topic:2147483648", "There is no topic 2147483648"),
    ("topic:0", "There is no topic 0"),
    ("topic:²", "topic: needs the number"),
    ("after:0001-01-01", "1 topic found"),
    ("before:0001-01-01", "0 topics found"),
    ("after:9999-12-31", "0 topics found"),
    ("before:9999-12-31 Tafel", "1 topic found"),
    ("after:0001-01-01 Tafel", "1 topic found"),
    ("after:\uff12\uff10\uff12\uff15-01-01", "is not a date"),
]
ODD_WORDS = ["*", "a*", "*a", ":*", "der.die.das", "in.der", "mit*", "Tafel*", '"*"', '"der.die"',
             "& | !", "Tafel:*", "'", "\\"]  # fmt: skip


def test_odd_search_filters_get_a_message(app, client, make, search_backend):
    app.config["SEARCH_BACKEND"] = search_backend
    category = make.category(read_level=ReadLevel.PUBLIC)
    make.topic(category=category, title="Tafel in Gifhorn", raw="Lebensmittel.")
    with app.app_context():
        from forum.search.services import make_backend, reindex

        app.extensions["search"].close()
        app.extensions["search"] = make_backend(app)
        reindex(app)
    try:
        for query, expected in SEARCHES:
            response = client.get("/search", query_string={"q": query})
            assert response.status_code == 200, query
            assert expected in response.get_data(as_text=True), query
        for query in ODD_WORDS:
            response = client.get("/search", query_string={"q": query})
            assert response.status_code == 200, query
    finally:
        app.extensions["search"].close()


CURSORS = [HUGE, "-1", f"2025-01-01T00:00:00_{HUGE}", "2025-01-01T00:00:00_-5", "x_y", "_",
           "0001-01-01T00:00:00+14:00_1", "9999-12-31T23:59:59-14:00_1", "²_²"]  # fmt: skip


def test_cursors_and_ids_in_query_strings_are_ignored_when_out_of_range(
    app, client, make, login_as
):
    moderator = make.user(role="admin")
    category = make.category(read_level=ReadLevel.PUBLIC)
    make.topic(moderator, category)
    login_as(moderator)
    for cursor in CURSORS:
        for url in ("/latest", f"/c/{category.slug}/{category.id}", "/bookmarks", "/latest.json",
                    "/review", f"/c/{category.slug}/{category.id}.json"):  # fmt: skip
            response = client.get(url, query_string={"before": cursor})
            assert response.status_code == 200, (url, cursor)
    for value in (HUGE, "2147483648", "-1", "0", "²"):
        assert client.get("/new-topic", query_string={"category": value}).status_code == 200
        response = client.get("/admin/log", query_string={"before_id": value})
        assert response.status_code in (200, 400), value
        assert "Something went wrong" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/latest", "/search", "/categories", "/login"])
def test_raw_bytes_beyond_ascii_in_the_query_string_are_no_500(client, make, path):
    """A client may send bytes beyond ASCII in the request line as they are
    (browsers percent-encode them); Werkzeug decoded them strictly: a 500."""
    query = b"q=\xff\xfe&page=\xe4".decode("latin-1")  # as a WSGI server hands them on
    for who in ("guest", "member"):
        if who == "member":
            login(client, make.user("rohbytes"))
        response = client.get(path, environ_overrides={"QUERY_STRING": query})
        assert response.status_code < 500, (who, response.status_code)
