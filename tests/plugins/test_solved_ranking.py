"""The solved plugin ranks solved topics a little higher, through the
``extra_search_boosts`` hook, on both backends."""

import time

import pytest

from .test_solved import _close_search, accept, app_config, ask, qa  # noqa: F401 (fixtures)


def _titles(client, query: str) -> list[str]:
    import re

    page = client.get("/search", query_string={"q": query}).get_data(as_text=True)
    found = re.findall(r'<h2 class="search-title">\s*<a href="[^"]+">(.+?)</a>', page)
    return [re.sub(r"</?mark>", "", title) for title in found]


@pytest.mark.parametrize("search_backend", ["whoosh", "postgres"])
def test_a_solved_topic_comes_before_an_equal_unsolved_one(client, make, login_as, qa):  # noqa: F811
    older = ask(make, qa, title="Führungszeugnis beantragen eins")
    # The index keeps times in whole seconds, and equal matches go newer first, then
    # by the later document: "zwei" must be newer by the clock, not only by its
    # document, or indexing "eins" again (on accepting) would decide the order.
    time.sleep(1.1)
    ask(make, qa, title="Führungszeugnis beantragen zwei")
    # Equal matches: the newer first.
    assert _titles(client, "Führungszeugnis")[:2] == [
        "Führungszeugnis beantragen zwei",
        "Führungszeugnis beantragen eins",
    ]
    login_as(older.author)
    assert accept(client, older.answers[1]).status_code == 302
    # Accepting indexed the topic again: the solved one comes first ...
    assert _titles(client, "Führungszeugnis")[:2] == [
        "Führungszeugnis beantragen eins",
        "Führungszeugnis beantragen zwei",
    ]
    # As-you-type similar topics mark it too (the plugin's list mark, as text).
    found = client.get("/similar.json?title=Führungszeugnis beantragen").get_json()["topics"]
    assert [(t["title"], t["marks"]) for t in found] == [
        ("Führungszeugnis beantragen eins", "✓ Solved"),
        ("Führungszeugnis beantragen zwei", ""),
    ]
    # ... and again second once the answer is withdrawn.
    assert accept(client, older.answers[1], "unaccept").status_code == 302
    assert _titles(client, "Führungszeugnis")[0] == "Führungszeugnis beantragen zwei"
