"""The directory and the profile: filters, sorting, the members-only choice,
contact details, and a fixed number of statements."""

import re

from forum.extensions import db
from forum.organisations.models import Organisation
from tests.conftest import counting_statements, read_settings_once


def test_guests_see_public_organisations_with_their_card(client, make_org):
    make_org(short_line="Fußball für alle", fields=["sport", "kinder-jugend"])
    make_org("Geheimer Kreis", "gifhorn", members_only=True)
    page = client.get("/organisationen").get_data(as_text=True)
    assert "SV Blau-Weiß Isenbüttel" in page
    assert "Fußball für alle" in page
    assert "Samtgemeinde Isenbüttel" in page
    assert "Kinder &amp; Jugend" in page
    assert "Geheimer Kreis" not in page
    assert client.get("/o/geheimer-kreis").status_code == 404


def test_members_see_members_only_organisations(client, make, make_org, login_as):
    make_org("Geheimer Kreis", "gifhorn", members_only=True)
    login_as(make.user())
    assert "Geheimer Kreis" in client.get("/organisationen").get_data(as_text=True)
    assert client.get("/o/geheimer-kreis").status_code == 200


def test_the_english_address_redirects_with_its_filters(client):
    response = client.get("/organisations?municipality=brome")
    assert response.status_code == 301
    assert response.location.endswith("/organisationen?municipality=brome")


def test_filters_by_municipality_field_seeking_and_name(client, make_org):
    make_org("Tafel Gifhorn", "gifhorn", fields=["soziales"], seeking_volunteers=True)
    make_org("Feuerwehr Brome", "brome", fields=["feuerwehr-rettung"])
    make_org("Tierheim Brome", "brome", fields=["tierschutz"], seeking_volunteers=True)

    def names(query):
        page = client.get(f"/organisationen?{query}").get_data(as_text=True)
        return set(re.findall(r'href="/o/([\w-]+)"', page))

    assert names("municipality=brome") == {"feuerwehr-brome", "tierheim-brome"}
    assert names("field=soziales") == {"tafel-gifhorn"}
    assert names("seeking=y") == {"tafel-gifhorn", "tierheim-brome"}
    assert names("q=heim") == {"tierheim-brome"}
    assert names("q=%25") == set()
    assert names("municipality=atlantis&field=nichts&sort=x") == set()


def test_sorted_by_name_or_by_latest_activity(app, client, make_org):
    make_org("Zirkus Wittingen", "wittingen")
    make_org("Angelverein Meinersen", "meinersen")
    by_name = client.get("/organisationen").get_data(as_text=True)
    assert by_name.index("Angelverein") < by_name.index("Zirkus")
    by_activity = client.get("/organisationen?sort=activity").get_data(as_text=True)
    assert by_activity.index("Zirkus") > by_activity.index("Angelverein")


def test_profile_shows_contact_details_to_members_and_a_button_to_guests(
    client, make, make_org, login_as
):
    rep = make.user("vorsitz")
    make_org(
        reps=[rep], contact_name="Petra Pohl", contact_email="petra@example.org",
        meeting_place="Sportplatz", description="Wir **spielen** Fußball.",
    )  # fmt: skip
    page = client.get("/o/sv-blau-weiss-isenbuettel").get_data(as_text=True)
    assert "Petra Pohl" in page and "Sportplatz" in page
    assert "<strong>spielen</strong>" in page
    assert "petra@example.org" not in page
    assert "Contact the organisation" in page
    assert ">vorsitz</a>" in page
    login_as(make.user())
    page = client.get("/o/sv-blau-weiss-isenbuettel").get_data(as_text=True)
    assert "petra@example.org" in page
    assert "/messages/new?to=vorsitz" in page


def test_directory_and_profile_need_a_fixed_number_of_statements(app, client, make, make_org):
    def count(url):
        with counting_statements(app) as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    make_org("Erster Verein", "gifhorn", fields=["sport"])
    read_settings_once(client)
    small = count("/organisationen"), count("/o/erster-verein")
    for n in range(12):
        make_org(f"Verein {n}", "brome", fields=["sport", "kultur", "bildung"])
    reps = [make.user() for _ in range(3)]
    make_org("Großer Verein", "gifhorn", reps=reps)
    assert (count("/organisationen"), count("/o/grosser-verein")) == small
    with app.app_context():
        assert db.session.query(Organisation).count() == 14
