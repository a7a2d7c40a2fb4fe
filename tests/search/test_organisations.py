"""Organisations in the search (both backends): a block of matching
organisations above the topic results, only organisations with ``org:`` or
``#organisationen``; members-only organisations for members only."""

import re

import pytest

from forum.extensions import db
from forum.organisations import services
from forum.organisations.fields import list_fields
from tests.conftest import login


@pytest.fixture
def organisations(app, make):
    with app.app_context():
        list_fields()
        services.create_organisation(
            "SV Blau-Weiß Isenbüttel", "isenbuettel", fields=["sport"], short_line="Fußball"
        )
        services.create_organisation(
            "Tafel Gifhorn", "gifhorn", fields=["soziales"],
            description="Wir verteilen Lebensmittel an Bedürftige.",
        )  # fmt: skip
        services.create_organisation(
            "Geheimer Kreis", "gifhorn", members_only=True, description="Lebensmittel teilen"
        )
        db.session.commit()


def _names(client, query: str) -> set[str]:
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200, query
    page = response.get_data(as_text=True)
    block = page.split('id="search-organisations-heading"', 1)
    if len(block) == 1:
        return set()
    return set(re.findall(r'href="/o/([\w-]+)"', block[1].split("</section>", 1)[0]))


def test_organisations_above_the_topics(client, make, organisations):
    public = make.category("Fragen", slug="fragen", read_level="public")
    make.topic(category=public, title="Lebensmittel abgeben", raw="Wo kann ich spenden?")
    response = client.get("/search", query_string={"q": "Lebensmittel"})
    page = response.get_data(as_text=True)
    assert page.index("Tafel Gifhorn") < page.index("abgeben") and "1 topic found" in page
    assert _names(client, "Lebensmittel") == {"tafel-gifhorn"}  # the members-only one is hidden
    assert _names(client, "Sport") == {"sv-blau-weiss-isenbuettel"}  # by its field
    assert _names(client, "isenbüttel fußball") == {"sv-blau-weiss-isenbuettel"}
    assert _names(client, "Gifhorn") == {"tafel-gifhorn"}  # municipality and name
    assert _names(client, "Lebensmittel @niemand") == set()  # other filters: topics only
    assert _names(client, "Tafel%") == set()


def test_only_organisations_with_the_filter_word(client, make, organisations):
    assert _names(client, "org:") == {"sv-blau-weiss-isenbuettel", "tafel-gifhorn"}
    assert _names(client, "org:Sport") == {"sv-blau-weiss-isenbuettel"}
    assert _names(client, "#organisationen Lebensmittel") == {"tafel-gifhorn"}
    page = client.get("/search", query_string={"q": "org:Schach"}).get_data(as_text=True)
    assert "No organisation matches these words." in page
    assert "topics found" not in page


def test_members_find_members_only_organisations(client, make, organisations):
    login(client, make.user())
    assert _names(client, "Lebensmittel") == {"tafel-gifhorn", "geheimer-kreis"}
    assert _names(client, "org: Kreis") == {"geheimer-kreis"}
