"""Training offers of organisations ("Fortbildung") in the events calendar and
its feeds: all-day entries with place, cost and registration; members-only
organisations' offers in personal feeds only; ended or filled ones leave."""

from datetime import date, timedelta

import pytest
from icalendar import Calendar

from forum.extensions import db
from forum.organisations import opportunities, services
from forum.organisations.fields import list_fields
from forum.users.models import User

SOON = date.today() + timedelta(days=20)


@pytest.fixture
def app_config(app_config, plugin_app_config):
    return {**app_config, **plugin_app_config(["events"]), "EVENTS_CATEGORIES": ["veranstaltungen"]}


def _training(app, staff, org_name, title, municipality="gifhorn", members_only=False, **more):
    with app.app_context():
        list_fields()
        organisation = services.create_organisation(
            org_name, municipality, members_only=members_only
        )
        values = {"kind": "training", "title": title, "municipality": municipality,
                  "starts_on": SOON, "place": "Kreishaus Gifhorn", "cost": "15 Euro",
                  "registration": "bis 1. März beim Kreissportbund", **more}  # fmt: skip
        opportunities.create_opportunity(db.session.get(User, staff.id), organisation, values)


def _entries(response) -> dict[str, object]:
    assert response.status_code == 200
    return {str(e.get("summary")): e for e in Calendar.from_ical(response.data).walk("VEVENT")}


def test_training_offers_in_the_calendar_and_the_feeds(app, client, make, login_as, english):
    staff = make.user("koordination", role="moderator")
    _training(app, staff, "Kreissportbund", "Übungsleiter-Lizenz C", "gifhorn")
    _training(app, staff, "Geheimer Kreis", "Interne Schulung", members_only=True)
    _training(app, staff, "Tafel Brome", "Hygieneschulung", "brome", starts_on=date(2020, 1, 1),
              ends_on=date(2020, 1, 2))  # fmt: skip
    _training(app, staff, "Feuerwehr Brome", "Kein Kurs", "brome", kind="opportunity")

    page = client.get("/events").get_data(as_text=True)
    assert "Training offers" in page and "Übungsleiter-Lizenz C" in page and "15 Euro" in page
    assert "Interne Schulung" not in page and "Hygieneschulung" not in page
    assert "Kein Kurs" not in page
    assert "Übungsleiter-Lizenz C" not in client.get("/events?municipality=brome").get_data(True)

    public = _entries(client.get("/events.ics"))
    assert set(public) == {"Training: Übungsleiter-Lizenz C"}
    entry = public["Training: Übungsleiter-Lizenz C"]
    assert entry.decoded("dtstart") == SOON
    assert entry.decoded("dtend") == SOON + timedelta(days=1)
    assert "Kreishaus Gifhorn" in str(entry.get("location"))
    assert "15 Euro" in str(entry.get("description"))
    assert "bis 1. März" in str(entry.get("description"))
    assert "/engagement/" in str(entry.get("url"))

    member = make.user()
    login_as(member)
    page = client.get("/events").get_data(as_text=True)
    assert "Interne Schulung" in page
    token = page.split('value="http://localhost/events/feed/', 1)[1].split('"', 1)[0]
    client.post("/logout")
    personal = _entries(client.get(f"/events/feed/{token}"))
    assert set(personal) == {"Training: Übungsleiter-Lizenz C", "Training: Interne Schulung"}
