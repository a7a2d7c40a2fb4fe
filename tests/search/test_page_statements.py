"""The search page runs at most ten SQL statements while it is answered (issue
15), as a guest and as a member: a word found, a typo corrected, nothing found,
a filtered query.

Counted as tests/conftest.py counts them: every round trip, PostgreSQL's SET
statements included. The page is asked once before counting, as a running
process has read its settings (tests/conftest.py read_settings_once). What runs
after the response (the log of searches that found nothing, forum/search/misses.py)
is counted apart, as tests/boards/test_query_counts.py does.

The largest is a member's corrected typo on PostgreSQL, at ten: the member's
row and header counts (one statement, forum/messages/queries.py), the form's categories,
the organisations, the search's vocabulary and search, whether the word is
held and the vocabulary near it, the check of the correction with its post,
the corrected search's vocabulary, and its search with the results' posts.
"""

import pytest

from tests.conftest import counting_statements, login, read_settings_once

LIMIT = 10

QUERIES = {
    "found": "Nachbarschaftshilfe",
    "corrected": "Nachbarschafthilfe",
    "nothing": "Quastenflosser",
    "filtered": "Nachbarschaftshilfe #fragen status:open",
}


@pytest.fixture
def public(make):
    return make.category("Fragen", slug="fragen", read_level="public")


@pytest.fixture
def topics(make, public):
    make.topic(category=public, title="Nachbarschaftshilfe in Meinersen", raw="Wer hilft mit?")
    make.topic(category=public, title="Sommerfest der Tafel", raw="Kuchen und Kaffee")


def count(app, client, text: str) -> tuple[int, str]:
    """Return the statements run while the page was answered, and the page."""
    with counting_statements(app) as statements:
        response = client.get("/search", query_string={"q": text}, buffered=False)
        assert response.status_code == 200
        during = len(statements)
        page = response.get_data(as_text=True)
        response.close()
    return during, page


@pytest.mark.parametrize("kind", list(QUERIES))
@pytest.mark.parametrize("reader", ["guest", "member"])
def test_the_search_page_takes_at_most_ten_statements(
    app, client, make, topics, search_backend, kind, reader
):
    if reader == "member":
        login(client, make.user("schreiberin"))
    read_settings_once(client)
    client.get("/search", query_string={"q": "Sommerfest"}).close()
    during, page = count(app, client, QUERIES[kind])
    # The page shows what it should: the topic, or (nothing found) no topic.
    assert ("Meinersen" in page) is (kind != "nothing")
    if kind == "corrected":
        assert "Nachbarschafthilfe" in page  # "Showing results for … instead of …"
    assert during <= LIMIT, during


def test_the_questions_category_is_offered_from_the_form_s_categories(app, client, make, topics):
    # The offer to ask comes from the categories the form lists (no statement
    # of its own): still offered to a guest, never in a category nobody may ask in.
    app.config["QUESTIONS_CATEGORY"] = "fragen"
    page = client.get("/search", query_string={"q": "Quastenflosser"}).get_data(as_text=True)
    assert 'action="/search/ask"' in page
    app.config["QUESTIONS_CATEGORY"] = "gibtsnicht"
    page = client.get("/search", query_string={"q": "Quastenflosser"}).get_data(as_text=True)
    assert 'action="/search/ask"' not in page
