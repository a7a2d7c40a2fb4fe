"""PostgreSQL keeps a search's statements per shape (postgres_shapes.py): a
search of the same shape with other values runs the kept statement with its
own values, and finds what it would have found with a statement of its own."""

import pytest

from forum.extensions import db


@pytest.fixture
def kept(search_backend, monkeypatch):
    if search_backend != "postgres":
        pytest.skip("only the PostgreSQL backend keeps its statements per shape")
    from collections import OrderedDict

    from forum.search import postgres_shapes

    # An empty store for this test (the process keeps statements across tests).
    store = OrderedDict()
    monkeypatch.setattr(postgres_shapes, "_kept", store)
    return store


def _titles(app, text, user=None) -> list[str]:
    from forum.search import services
    from forum.users.models import User

    with app.test_request_context(headers={"Accept-Language": "en"}):
        if user is not None:
            user = db.session.get(User, user.id)
        return sorted(r.topic.title for r in services.search(user, text).results)


def test_one_statement_per_shape_serves_other_words_and_readers(app, make, kept):
    author = make.user("autorin")
    public = make.category("Fragen", slug="fragen", read_level="public")
    members = make.category("Intern", slug="intern", read_level="members")
    make.topic(author, public, "Tafel Gifhorn", "Die Tafel sucht Fahrer.")
    make.topic(author, public, "Flohmarkt Wittingen", "Der Flohmarkt ist am Samstag.")
    make.topic(author, members, "Tafel intern", "Die Tafel plant den Dienst.")
    member = make.user("mitglied")

    assert _titles(app, "Tafel") == ["Tafel Gifhorn"]
    shapes = len(kept)
    assert shapes > 0
    # Another word of the same shape: the same statements, its own results.
    assert _titles(app, "Flohmarkt") == ["Flohmarkt Wittingen"]
    assert len(kept) == shapes
    # A member's levels are another shape, and do not leak into a guest's.
    assert _titles(app, "Tafel", member) == ["Tafel Gifhorn", "Tafel intern"]
    assert len(kept) > shapes
    assert _titles(app, "Tafel") == ["Tafel Gifhorn"]
    # Two words are another shape again; each finds only what holds both.
    assert _titles(app, "Tafel Fahrer") == ["Tafel Gifhorn"]
    assert _titles(app, "Flohmarkt Samstag") == ["Flohmarkt Wittingen"]


def test_the_store_keeps_the_most_recently_used(monkeypatch):
    from collections import OrderedDict

    from forum.search import postgres_shapes

    monkeypatch.setattr(postgres_shapes, "_kept", OrderedDict())
    monkeypatch.setattr(postgres_shapes, "KEPT_SHAPES", 2)
    built = []

    def build(name):
        built.append(name)
        return name

    for key in ("a", "b", "a", "c", "a", "b"):
        assert postgres_shapes.kept(key, lambda key=key: build(key)) == key
    # "b" was dropped for "c" (the least recently used), then built again.
    assert built == ["a", "b", "c", "b"]
    assert postgres_shapes.kept(None, lambda: build("unnamed")) == "unnamed"
    assert built[-1] == "unnamed"
