"""The new-topic composer's "check for similar topics" step (no JavaScript):
up to five topics the writer may read, the draft kept, on both backends."""

import sqlalchemy as sa

from forum.boards.models import Topic


def _check(client, category, title, raw="Mein Entwurf bleibt."):
    data = {"category": category.id, "title": title, "raw": raw, "similar": "1"}
    response = client.post("/new-topic", data=data)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_similar_topics_keep_the_draft(app, client, make, login_as):
    public = make.category("Fragen", slug="fragen", read_level="public")
    staff = make.category("Vorstand", slug="vorstand", read_level="staff")
    author = make.user("autorin")
    make.topic(author, public, "Führungszeugnis für die Jugendarbeit", "Wo beantragen?")
    make.topic(author, public, "Jugendfeuerwehr sucht Betreuer", "Dienstags im Gerätehaus.")
    for number in range(6):
        make.topic(author, public, f"Sommerfest {number}", "Kuchen und Führungszeugnis.")
    make.topic(make.user("chef", role="moderator"), staff, "Führungszeugnis intern", "Geheim.")
    make.topic(author, public, "Kuchenbasar", "Nichts davon.")
    writer = make.user("anna")
    login_as(writer)
    page = _check(client, public, "Brauche ich ein Führungszeugnis?")
    assert "Similar topics" in page
    # The title's topic first, at most five, none the writer may not read.
    titles = [t for t in ["Führungszeugnis für die Jugendarbeit", "Führungszeugnis intern",
                          "Kuchenbasar"] if t in page]  # fmt: skip
    assert titles == ["Führungszeugnis für die Jugendarbeit"]
    assert page.index("Führungszeugnis für die Jugendarbeit") < page.index("Sommerfest")
    assert page.count('target="_blank" rel="noopener"') == 5
    # The draft is kept, and nothing was created.
    assert 'value="Brauche ich ein Führungszeugnis?"' in page and "Mein Entwurf bleibt." in page
    with app.app_context():
        from forum.extensions import db

        assert not db.session.scalar(sa.select(Topic).where(Topic.title.like("Brauche%")))
    assert "No similar topics found." in _check(client, public, "Xylophon Unterricht")
    assert "No similar topics found." in _check(client, public, "")


def test_similar_topics_as_json_while_typing(client, make, login_as):
    public = make.category("Fragen", slug="fragen", read_level="public")
    members = make.category("Intern", slug="intern", read_level="members")
    author = make.user("autorin")
    make.topic(author, public, "Führungszeugnis für die Jugendarbeit", "Wo beantragen?")
    make.topic(author, members, "Führungszeugnis im Verein", "Nur für Mitglieder.")
    for number in range(6):
        make.topic(author, public, f"Sommerfest {number}", "Kuchen und Führungszeugnis.")

    def similar(title: str) -> list[dict]:
        response = client.get("/similar.json", query_string={"title": title})
        assert response.status_code == 200 and response.is_json
        return response.get_json()["topics"]

    # A guest finds what a guest may find, at most five, the title's topic first.
    found = similar("Brauche ich ein Führungszeugnis?")
    assert len(found) == 5 and found[0]["title"] == "Führungszeugnis für die Jugendarbeit"
    assert "Führungszeugnis im Verein" not in [t["title"] for t in found]
    assert set(found[0]) == {"id", "title", "url", "category", "marks"}
    assert found[0]["url"].startswith("/t/") and found[0]["category"] == "Fragen"
    # A member also finds the members' topic.
    login_as(make.user("anna"))
    titles = [t["title"] for t in similar("Führungszeugnis Verein")]
    assert titles[0] == "Führungszeugnis im Verein"
    assert similar("") == [] and similar("und oder") == [] and similar("x" * 5000) == []


def test_the_composer_loads_the_script_and_an_empty_live_region(client, make, login_as):
    make.category("Fragen", slug="fragen", read_level="public")
    login_as(make.user("anna"))
    page = client.get("/new-topic").get_data(as_text=True)
    assert "js/similar.js" in page
    assert 'aria-live="polite" data-similar-live data-url="/similar.json"' in page
