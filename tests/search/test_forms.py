"""Prefixes, hyphens, gender-inclusive forms, long queries and title ranking,
on both backends."""

import pytest


@pytest.fixture
def public(make):
    return make.category("Fragen", slug="fragen", read_level="public")


def test_prefix_finds_longer_words_and_marks_them(make, public, find):
    make.topic(category=public, title="Einkaufszettel für Frau Meier", raw="Milch und Brot.")
    make.topic(category=public, title="Fahrdienst", raw="Wir gehen gemeinsam einkaufen.")
    make.topic(category=public, title="Kaufladen", raw="Ein Laden im Dorf.")
    found = find("Einkauf*")
    assert sorted(found.titles) == ["Einkaufszettel für Frau Meier", "Fahrdienst"]
    assert "<mark>einkaufen</mark>" in " ".join(found.excerpts)
    assert find("einkaufsz*").titles == ["Einkaufszettel für Frau Meier"]
    # Cut to the stem: "Hilfe*" also finds "Hilfen" and "Hilfsangebot".
    make.topic(category=public, title="Hilfsangebote", raw="Hilfen im Alltag.")
    assert find("Hilfe*").titles == ["Hilfsangebote"]


def test_prefix_marks_the_title(client, make, public):
    make.topic(category=public, title="Einkaufszettel", raw="Milch.")
    page = client.get("/search", query_string={"q": "einkauf*"}).get_data(as_text=True)
    assert "<mark>Einkaufszettel</mark>" in page


def test_short_or_bare_prefixes(make, public, find, query_error):
    make.topic(category=public, title="Montag", raw="Abfahrt um acht.")
    # Two letters are too short to start words with: the word itself.
    assert find("ab*").titles == []
    assert find("Abfahrt*").titles == ["Montag"]
    assert "too common" in query_error("*")


@pytest.mark.parametrize("query", ["Erste-Hilfe-Kurs", '"Erste-Hilfe-Kurs"', "Erste-Hilfe"])
def test_hyphenated_words(make, public, find, query):
    make.topic(category=public, title="Kurs im Mai", raw="Der Erste-Hilfe-Kurs ist voll.")
    make.topic(category=public, title="Hilfe gesucht", raw="Der erste Termin fällt aus.")
    expected = ["Kurs im Mai"] if "Kurs" in query else ["Kurs im Mai", "Hilfe gesucht"]
    assert sorted(find(query).titles) == sorted(expected)


GENDER_TEXTS = [
    "Betreuer*innen",
    "Betreuer:innen",
    "Betreuer_innen",
    "BetreuerInnen",
    "Betreuer/-innen",
]


@pytest.mark.parametrize("written", GENDER_TEXTS)
def test_gender_forms_are_found_by_every_form(make, public, find, written):
    make.topic(category=public, title="Jugendfreizeit", raw=f"Wir suchen {written} für Juli.")
    make.topic(category=public, title="Anderes", raw="Wir suchen Köche für Juli.")
    for query in ("Betreuer", "Betreuerin", "Betreuerinnen", written, f'"suchen {written}"'):
        found = find(query)
        assert found.titles == ["Jugendfreizeit"], query
        assert f"<mark>{written}</mark>" in found.excerpts[0], query


def test_gender_forms_of_a_stem(make, public, find):
    make.topic(category=public, title="Lesen im Kindergarten", raw="Lesepat*innen gesucht.")
    make.topic(category=public, title="Vorlesen", raw="Eine Lesepatin liest vor.")
    # (PostgreSQL also finds "Lesepatin": "lesepat:*" is a compound's head to it.)
    assert find("Lesepaten").titles[0] == "Lesen im Kindergarten"
    assert sorted(find("Lesepatin").titles) == ["Lesen im Kindergarten", "Vorlesen"]
    # A gender form in the query finds each form it stands for.
    assert sorted(find("Lesepat*innen").titles) == ["Lesen im Kindergarten", "Vorlesen"]


def test_long_query_is_cut_at_a_word_and_says_so(app, make, public, find):
    make.topic(category=public, title="Kleiderkammer", raw="Kleidung für alle.")
    limit = app.config["SEARCH_MAX_QUERY_LENGTH"]
    # The limit falls in the middle of "Kleiderkammerwort": it is left out whole.
    text = "Kleiderkammer " * (limit // 14) + "Kleiderkammerwort " * 20
    assert text[limit - 1].isalpha() and text[limit].isalpha()
    found = find(text)
    assert found.titles == ["Kleiderkammer"]
    assert any("only its first" in notice for notice in found.notices)
    assert not find("Kleiderkammer").notices


def test_title_holding_the_words_outranks_a_text_holding_them_close(make, public, find):
    make.topic(
        category=public,
        title="Allgemeine Fragen",
        raw="Kleiderkammer Öffnungszeiten. " * 3 + "Kleiderkammer Öffnungszeiten im Aushang.",
    )
    make.topic(category=public, title="Öffnungszeiten der Kleiderkammer", raw="Siehe Aushang.")
    assert find("Kleiderkammer Öffnungszeiten").titles[0] == "Öffnungszeiten der Kleiderkammer"
    assert find("Kleiderkammer").titles[0] == "Öffnungszeiten der Kleiderkammer"


def test_verb_forms_meet_through_their_lemma(make, public, find):
    make.topic(category=public, title="Umzug", raw="Wer hilft beim Umzug am Samstag?")
    make.topic(category=public, title="Danke", raw="Uns wurde schnell geholfen.")
    make.topic(category=public, title="Ehrenamt", raw="Helfen macht Freude.")
    make.topic(category=public, title="Anderes", raw="Die Hilfe kam spät.")
    everyone = ["Danke", "Ehrenamt", "Umzug"]
    for query in ("hilft", "geholfen", "helfen", "half"):
        found = find(query)
        assert sorted(found.titles) == everyone, query
        assert all("<mark>" in excerpt for excerpt in found.excerpts), query
    assert find('"wurde schnell geholfen"').titles == ["Danke"]


def test_strong_verbs_and_irregular_forms(make, public, find):
    make.topic(category=public, title="Vorlesen", raw="Im Kindergarten lasen wir Märchen vor.")
    make.topic(category=public, title="Transport", raw="Herr Kaya fuhr die Gruppe nach Gifhorn.")
    make.topic(category=public, title="Spenden", raw="Sie nahm die Sachspenden entgegen.")
    assert find("gelesen").titles == ["Vorlesen"]
    assert find("lesen Märchen").titles == ["Vorlesen"]
    assert find("fahren").titles == ["Transport"]
    assert find("genommen").titles == ["Spenden"]


def test_lemma_table_is_simplemmas(app):
    """The shipped table agrees with simplemma (regenerate it after an upgrade:
    python -m forum.search.lemmas_build)."""
    import simplemma

    from forum.search.analysis import fold
    from forum.search.lemmas import table

    for word in ("hilft", "geholfen", "ging", "nahm", "sprach", "brachte"):
        assert fold(simplemma.lemmatize(word, lang="de")) in table().lemmas(fold(word)), word
    assert table().lemmas("haus") == ()  # the stemmer joins Häuser and Haus already


def test_first_part_of_a_compound_no_word_list_knows(make, public, find):
    make.topic(category=public, title="Beiträge", raw="Die Krankenversicherungsbeiträge steigen.")
    make.topic(category=public, title="Ausflug", raw="Der Unfallversicherungsschutz gilt.")
    make.topic(category=public, title="Kranke besuchen", raw="Wir besuchen Kranke zu Hause.")
    found = find("Kranken")
    # The word itself first, then the compound it starts.
    assert found.titles == ["Kranke besuchen", "Beiträge"]
    assert "<mark>Krankenversicherungsbeiträge</mark>" in found.excerpts[1]
    assert find("Unfall").titles == ["Ausflug"]
    assert find("Unfallversicherung").titles == ["Ausflug"]
    # A word inside another is no first part.
    assert find("Versicherungsschutz").titles == []
