"""The landing page for guests and applicants, and the public site texts."""

import pytest

from forum.extensions import db
from forum.site import services
from forum.site.defaults import DEFAULT_TEXTS


@pytest.fixture
def places(make):
    """A public and a member-only category with one topic each, written by a moderator."""
    author = make.user("carla", role="moderator")
    public = make.category("Ehrenamt entdecken", read_level="public")
    closed = make.category("Intern", read_level="members")
    staff = make.category("Koordination", read_level="staff")
    make.topic(author, public, "Öffentliche Frage zum Ehrenamt")
    make.topic(author, closed, "Geheime Vereinsinterna")
    make.topic(author, staff, "Nur für das Team")
    return public, closed, staff


def _assert_landing_for_outsiders(html: str) -> None:
    assert "Become a member" in html
    assert "Ehrenamt entdecken" in html
    assert "Öffentliche Frage zum Ehrenamt" in html
    for secret in ("Intern", "Geheime Vereinsinterna", "Koordination", "Nur für das Team"):
        assert secret not in html
    # The about text's default and the way to the rules.
    assert DEFAULT_TEXTS["about"][0] in html
    assert 'href="/netiquette"' in html


def test_landing_for_guest(client, places):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    _assert_landing_for_outsiders(html)
    assert 'href="/register"' in html
    assert "Landkreis Gifhorn" in html


def test_landing_line_in_the_readers_language_unless_the_deployer_wrote_one(app, client, places):
    english = "The forum for volunteers, clubs and neighbourhood help in the district of Gifhorn"
    assert english in client.get("/").get_data(as_text=True)
    german = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Das Forum für Ehrenamtliche, Vereine und Nachbarschaftshilfe" in german
    app.config["SITE_DESCRIPTION"] = "Unser Netzwerk für Engagement"
    # The deployer's setting takes a restart, which starts the guest page cache afresh.
    from forum import pagecache

    pagecache.bump(app)
    assert "Unser Netzwerk für Engagement" in client.get("/").get_data(as_text=True)


def test_landing_for_applicant_leads_to_the_join_form(client, make, login_as, places):
    login_as(make.user("neu", role="applicant"))
    html = client.get("/").get_data(as_text=True)
    _assert_landing_for_outsiders(html)
    assert 'href="/join"' in html


def test_landing_for_unconfirmed_applicant_leads_to_confirmation(client, make, login_as, places):
    login_as(make.user("neu", role="applicant", confirmed=False))
    html = client.get("/").get_data(as_text=True)
    _assert_landing_for_outsiders(html)
    assert 'href="/welcome"' in html


def test_member_gets_the_categories_page(client, make, login_as, places):
    login_as(make.user("mitglied"))
    html = client.get("/").get_data(as_text=True)
    assert "Become a member" not in html
    assert "Geheime Vereinsinterna" in html
    assert "Nur für das Team" not in html


def test_landing_shows_the_saved_about_text(app, client, places):
    with app.app_context():
        services.save_text("about", "Über uns", "Wir sind **das Netzwerk**.", None)
        db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "<strong>das Netzwerk</strong>" in html
    assert DEFAULT_TEXTS["about"][0] not in html


def test_landing_without_public_categories(client, make):
    make.category("Intern", read_level="members")
    html = client.get("/").get_data(as_text=True)
    assert "There are no public categories yet." in html
    assert "Intern" not in html


@pytest.mark.parametrize(
    ("path", "key"),
    [("/netiquette", "netiquette"), ("/impressum", "impressum"), ("/datenschutz", "privacy")],
)
def test_site_pages_show_the_default_until_saved(app, client, path, key):
    html = client.get(path).get_data(as_text=True)
    assert DEFAULT_TEXTS[key][0] in html
    with app.app_context():
        services.save_text(key, "Neu", "Erste *Fassung*", None)
        services.save_text(key, "Neuer", "Zweite *Fassung*", None)
        db.session.commit()
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Zweite <em>Fassung</em>" in html
    assert "Erste" not in html
    assert "Version 2" in html


def test_legal_defaults_say_that_data_is_missing(client):
    for path in ("/impressum", "/datenschutz"):
        html = client.get(path).get_data(as_text=True)
        assert "Hinweis für die Administration" in html
        assert "lorem" not in html.lower()


def test_footer_links_to_the_legal_pages(client):
    html = client.get("/netiquette").get_data(as_text=True)
    for path in ("/netiquette", "/impressum", "/datenschutz"):
        assert f'href="{path}"' in html


def test_site_text_markdown_is_sanitised(app, client):
    with app.app_context():
        services.save_text("netiquette", "Regeln", "<script>alert(1)</script> *ok*", None)
        db.session.commit()
    html = client.get("/netiquette").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "<em>ok</em>" in html
