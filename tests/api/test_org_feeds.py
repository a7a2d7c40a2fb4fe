"""Feeds of the organisation directory, one organisation and the open
opportunities: clean RSS and Atom, guests' and members' (key) view, the
lists' filters, expiry, hostile names and the pages that announce them."""

import re
from datetime import date, timedelta

import feedparser
import pytest

from forum.boards.models import Topic
from forum.extensions import db
from forum.organisations import opportunities, services
from forum.organisations.fields import list_fields
from forum.organisations.models import Opportunity, OpportunityStatus, Organisation
from forum.users.models import User
from tests.api.test_feeds import _entry_html, _Tags
from tests.conftest import counting_statements, login, read_settings_once

HOSTILE = '<script>alert("name")</script> & <b onmouseover="x()">Verein</b>'

_OPPORTUNITY = {
    "kind": "opportunity", "description": "", "place": "", "from_home": False,
    "commitment": "regular", "hours_per_month": None, "starts_on": None, "ends_on": None,
    "requirements": "", "suitable_for": [], "contact_name": "", "cost": "", "registration": "",
    "municipality": "gifhorn",
}  # fmt: skip


@pytest.fixture
def world(app, make):
    """A public and a members-only organisation, each with an opportunity and an
    announcement; an expired and a filled opportunity; a member's feed key."""
    rep = make.user("petra")
    public_category = make.category("Vereine", read_level="public")
    with app.app_context():
        list_fields()
        author = db.session.get(User, rep.id)
        sv = services.create_organisation(
            "SV Gifhorn", "gifhorn", fields=["sport"], short_line="Fußball für alle",
            description="Wir **spielen** [hier](/o/sv-gifhorn).",
        )  # fmt: skip
        circle = services.create_organisation(
            "Stiller Kreis", "brome", members_only=True, description="Nur für Mitglieder."
        )
        for organisation in (sv, circle):
            services.add_representative(None, organisation, author)
        db.session.commit()

        def offer(organisation, title, **values):
            return opportunities.create_opportunity(
                author, organisation, {**_OPPORTUNITY, "title": title, **values}
            ).id

        ids = {
            "platzwart": offer(sv, "Platzwart gesucht", description="Jeden **Samstag**."),
            "kurs": offer(sv, "Erste-Hilfe-Kurs", kind="training", municipality="brome"),
            "still": offer(circle, "Stille Aufgabe", municipality="brome"),
            "expired": offer(sv, "Abgelaufene Aufgabe", ends_on=date.today() - timedelta(days=1)),
            "filled": offer(sv, "Schon besetzt"),
        }
        db.session.get(Opportunity, ids["filled"]).status = OpportunityStatus.FILLED
        db.session.commit()
        slugs = {"sv": sv.slug, "circle": circle.slug}
        org_ids = {"sv": sv.id, "circle": circle.id}
    for key, title in (("sv", "Sommerfest am Sportplatz"), ("circle", "Treffen im Kreis")):
        topic = make.topic(rep, public_category, title, "Alle sind eingeladen, kommt vorbei!")
        with app.app_context():
            db.session.get(Topic, topic.id).organisation_id = org_ids[key]
            db.session.commit()
    return {"slugs": slugs, "ids": ids}


def _parse(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo, feed.bozo_exception
    return feed


def _titles(client, url) -> set[str]:
    return {entry.title for entry in _parse(client.get(url)).entries}


def _member_key(client, make) -> str:
    """The member's key, from the personal address of the opportunities on /feeds."""
    login(client, make.user("carla"))
    page = client.get("/feeds").get_data(as_text=True)
    key = re.search(r"/engagement\.rss\?key=([^\"&]+)", page).group(1)
    assert f"/organisationen.rss?key={key}" in page
    client.post("/logout")
    return key


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_guests_get_public_organisations_and_opportunities_only(client, world, kind):
    sv, circle = world["slugs"]["sv"], world["slugs"]["circle"]
    response = client.get(f"/organisationen.{kind}")
    assert response.headers["Content-Type"].endswith("+xml; charset=utf-8")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    feed = _parse(response)
    [entry] = feed.entries
    assert entry.title == "SV Gifhorn" and entry.link == f"http://forum.test/o/{sv}"
    html = entry.content[0].value if kind == "atom" else entry.summary
    assert "Fußball für alle" in html and "<strong>spielen</strong>" in html
    assert f'href="http://forum.test/o/{sv}"' in html
    assert _titles(client, f"/engagement.{kind}") == {"Platzwart gesucht", "Erste-Hilfe-Kurs"}
    assert _titles(client, f"/o/{sv}.{kind}") == {
        "Platzwart gesucht",
        "Erste-Hilfe-Kurs",
        "Sommerfest am Sportplatz",
    }
    assert client.get(f"/o/{circle}.{kind}").status_code == 404
    assert client.get(f"/o/niemand.{kind}").status_code == 404
    for path in ("/organisationen", "/engagement", f"/o/{sv}"):
        body = client.get(f"{path}.{kind}").get_data(as_text=True)
        assert "Stille" not in body and "Kreis" not in body, path


def test_a_members_key_shows_members_only_organisations(client, make, world):
    circle = world["slugs"]["circle"]
    key = _member_key(client, make)
    assert _titles(client, f"/organisationen.rss?key={key}") == {"SV Gifhorn", "Stiller Kreis"}
    assert "Stille Aufgabe" in _titles(client, f"/engagement.atom?key={key}")
    assert _titles(client, f"/o/{circle}.rss?key={key}") == {"Stille Aufgabe", "Treffen im Kreis"}
    response = client.get(f"/o/{circle}.atom?key={key}")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert client.get("/engagement.rss?key=kaputt").status_code == 404
    # A session is not a key: feed readers send no cookies.
    login(client, make.user("dora"))
    assert "Stille Aufgabe" not in _titles(client, "/engagement.rss")
    assert client.get(f"/o/{circle}.rss").status_code == 404


def test_the_lists_feeds_take_the_pages_filters(client, make, world):
    key = _member_key(client, make)
    assert _titles(client, "/engagement.rss?municipality=gifhorn") == {"Platzwart gesucht"}
    assert _titles(client, "/engagement.atom?kind=training") == {"Erste-Hilfe-Kurs"}
    assert _titles(client, f"/engagement.rss?municipality=brome&key={key}") == {
        "Erste-Hilfe-Kurs",
        "Stille Aufgabe",
    }
    assert _titles(client, "/engagement.rss?field=sport") == {
        "Platzwart gesucht",
        "Erste-Hilfe-Kurs",
    }
    assert _titles(client, "/engagement.rss?field=kultur") == set()
    assert _titles(client, f"/organisationen.atom?municipality=brome&key={key}") == {
        "Stiller Kreis"
    }
    assert _titles(client, "/organisationen.rss?field=sport&q=gif") == {"SV Gifhorn"}
    # Unknown values are ignored as on the pages.
    assert _titles(client, "/engagement.rss?municipality=x&hours=y&suitable=z&kind=q") == {
        "Platzwart gesucht",
        "Erste-Hilfe-Kurs",
    }
    feed = _parse(client.get("/engagement.rss?municipality=gifhorn&hours=kaputt"))
    assert feed.feed.link == "http://forum.test/engagement?municipality=gifhorn"


def test_expired_and_filled_opportunities_leave_the_feeds(app, client, make, world):
    sv = world["slugs"]["sv"]
    key = _member_key(client, make)
    for url in ("/engagement.rss", f"/engagement.atom?key={key}", f"/o/{sv}.rss"):
        body = client.get(url).get_data(as_text=True)
        assert "Platzwart gesucht" in body, url
        assert "Abgelaufene Aufgabe" not in body and "Schon besetzt" not in body, url
    with app.app_context():
        db.session.get(Opportunity, world["ids"]["platzwart"]).ends_on = date.today()
        db.session.commit()
    assert "Platzwart gesucht" in _titles(client, "/engagement.rss")
    with app.app_context():
        item = db.session.get(Opportunity, world["ids"]["platzwart"])
        item.ends_on = date.today() - timedelta(days=1)
        db.session.commit()
    assert "Platzwart gesucht" not in _titles(client, "/engagement.rss")
    assert "Platzwart gesucht" not in _titles(client, f"/o/{sv}.atom")


def test_hostile_names_and_descriptions_stay_text(app, client, make, world):
    """Every feed in both formats, for a guest and with a key: no bozo, no
    script or event handler in an entry, the name shown as the text it is."""
    rep = make.user("eve")
    with app.app_context():
        author = db.session.get(User, rep.id)
        hostile = services.create_organisation(
            HOSTILE, "gifhorn", short_line='<img src=x onerror="alert(1)"> Kurz',
            description='Text <script>alert(2)</script> <img src="/x.png" onerror="alert(3)">'
            ' [klick](javascript:alert(4))',
        )  # fmt: skip
        services.add_representative(None, hostile, author)
        db.session.commit()
        opportunities.create_opportunity(
            author, db.session.get(Organisation, hostile.id),
            {**_OPPORTUNITY, "title": HOSTILE, "place": '"><svg onload=alert(5)>',
             "description": '<iframe src="https://evil.example"></iframe> **fett**'},
        )  # fmt: skip
        slug = hostile.slug
    key = _member_key(client, make)
    for path in ("/organisationen", "/engagement", f"/o/{slug}"):
        for kind in ("rss", "atom"):
            for query in ("", f"?key={key}"):
                response = client.get(f"{path}.{kind}{query}")
                feed = _parse(response)
                assert HOSTILE in {entry.title for entry in feed.entries}, (path, kind)
                if path.startswith("/o/"):
                    assert feed.feed.title.endswith(HOSTILE)
                for html in _entry_html(response.get_data()):
                    tags = _Tags()
                    tags.feed(html)
                    assert not tags.names & {"script", "iframe", "svg"}, (path, kind, html)
                    assert not [a for a in tags.attributes if a.startswith("on")], (path, html)
                    # Absolute (a member's own link to elsewhere stays as it is).
                    assert all(link.startswith(("http://", "https://")) for link in tags.links)
                assert all(e.link.startswith("http://forum.test/") for e in feed.entries)


def test_pages_announce_their_feeds(client, make, world):
    sv, circle = world["slugs"]["sv"], world["slugs"]["circle"]
    for path, feed in [
        ("/organisationen", "/organisationen.rss"),
        ("/organisationen?municipality=brome&sort=activity", "/organisationen.atom?"),
        ("/engagement", "/engagement.rss"),
        ("/engagement?municipality=gifhorn&page=1", "/engagement.rss?municipality=gifhorn"),
        (f"/o/{sv}", f"/o/{sv}.rss"),
    ]:
        page = client.get(path).get_data(as_text=True)
        assert '<link rel="alternate" type="application/rss+xml"' in page, path
        assert f'href="{feed}' in page, path
    page = client.get("/organisationen?municipality=brome").get_data(as_text=True)
    assert 'href="/organisationen.rss?municipality=brome"' in page
    feeds = client.get("/feeds").get_data(as_text=True)
    assert 'href="/organisationen.atom"' in feeds and 'href="/engagement.rss"' in feeds
    # A members-only organisation's feed would answer guests 404: not announced.
    login(client, make.user("mitglied"))
    page = client.get(f"/o/{circle}").get_data(as_text=True)
    assert "Stiller Kreis" in page and 'rel="alternate"' not in page


def test_the_api_document_lists_the_feeds(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    for path in (
        "/organisationen.rss", "/organisationen.atom", "/o/{slug}.rss", "/o/{slug}.atom",
        "/engagement.rss", "/engagement.atom",
    ):  # fmt: skip
        assert "application/rss+xml" in str(paths[path]["get"]["responses"]["200"]), path
    names = {p["name"] for p in paths["/engagement.rss"]["get"]["parameters"]}
    assert {"key", "municipality", "field", "kind"} <= names


def test_feeds_need_a_fixed_number_of_statements(app, client, make, world):
    sv = world["slugs"]["sv"]
    urls = ("/organisationen.rss", f"/o/{sv}.atom", "/engagement.rss")

    def count():
        sizes = []
        for url in urls:
            with counting_statements(app) as statements:
                assert client.get(url).status_code == 200
            sizes.append(len(statements))
        return sizes

    read_settings_once(client)
    small = count()
    rep = make.user("zweite")
    with app.app_context():
        author = db.session.get(User, rep.id)
        for n in range(6):
            organisation = services.create_organisation(
                f"Verein {n}", "brome", fields=["sport", "kultur"]
            )
            services.add_representative(None, organisation, author)
            db.session.commit()
            opportunities.create_opportunity(
                author, organisation, {**_OPPORTUNITY, "title": f"Aufgabe {n}"}
            )
        sv_org = services.get_organisation(sv)
        services.add_representative(None, sv_org, author)
        db.session.commit()
        opportunities.create_opportunity(
            author, sv_org, {**_OPPORTUNITY, "title": "Noch eine Aufgabe"}
        )
    assert count() == small
