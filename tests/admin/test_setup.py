"""The first start: a fresh forum leads its admin through the set-up."""

from email.header import decode_header, make_header

import pytest
import sqlalchemy as sa

from forum.admin import setup
from forum.boards.models import Category, ReadLevel
from forum.extensions import db
from forum.membership.models import MembershipQuestion
from forum.moderation.models import AuditLog
from forum.site.services import page_text, setting
from tests.membership.conftest import body

LEGAL = {
    "organisation": "Landkreis Gifhorn",
    "address": "Schlossplatz 1\n38518 Gifhorn",
    "represented_by": "den Landrat",
    "email": "ehrenamt@gifhorn.example",
    "phone": "05371 000",
    "responsible": "",
    "privacy_contact": "Datenschutz, datenschutz@gifhorn.example",
}


@pytest.fixture
def fresh(app):
    """A forum nobody has set up (tests/conftest.py marks every other test's forum done)."""
    app.extensions.pop("forum.setup")
    return app


def _starters(**overrides) -> dict:
    data = {}
    for starter in setup.STARTERS:
        data[f"{starter.key}_include"] = "y"
        data[f"{starter.key}_name"] = starter.data.name
        data[f"{starter.key}_description"] = starter.data.description
        data[f"{starter.key}_read_level"] = starter.data.read_level
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_fresh_forum_sends_the_admin_to_the_set_up_and_greets_others(
    fresh, client, make, login_as, admin
):
    guest = fresh.test_client()
    guest.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = guest.get("/")
    assert page.status_code == 200
    assert "This forum is being set up" in page.get_data(as_text=True)
    login_as(make.user("frueh"))
    assert "This forum is being set up" in client.get("/").get_data(as_text=True)
    login_as(admin)
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/setup/site")


def test_the_whole_set_up(fresh, client, login_as, admin):
    login_as(admin)
    # 1. Name
    page = client.get("/admin/setup/site").get_data(as_text=True)
    assert 'value="Ehrenamt im Landkreis Gifhorn"' in page
    response = client.post(
        "/admin/setup/site", data={"name": "Ehrenamt Gifhorn", "description": "Wir helfen."}
    )
    assert response.headers["Location"].endswith("/admin/setup/legal")
    # 2. Impressum and Datenschutz: an error keeps everything typed.
    response = client.post("/admin/setup/legal", data={**LEGAL, "email": "kaputt"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="Landkreis Gifhorn"' in html and "38518 Gifhorn</textarea>" in html
    assert "Please enter a valid e-mail address." in html
    response = client.post("/admin/setup/legal", data=LEGAL)
    assert response.headers["Location"].endswith("/admin/setup/membership")
    # 3. Membership, prefilled in German
    page = client.get("/admin/setup/membership").get_data(as_text=True)
    assert setup.DEFAULT_QUESTIONS[0] in page
    assert "Damit sich hier alle wohlfühlen" in page  # the netiquette to edit
    response = client.post(
        "/admin/setup/membership",
        data={
            "questions": "Wo engagieren Sie sich?\nWie heißt Ihr Verein? (freiwillig)",
            "netiquette": "Seid nett zueinander.",
        },
    )
    assert response.headers["Location"].endswith("/admin/setup/categories")
    # 4. Starter categories: drop one, rename one, make one members-only.
    page = client.get("/admin/setup/categories").get_data(as_text=True)
    assert "Ehrenamt entdecken" in page and "Fragen &amp; Antworten" in page
    response = client.post(
        "/admin/setup/categories",
        data=_starters(
            koordination_include=None,
            fragen_name="Fragen und Antworten",
            entdecken_read_level="members",
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/categories")

    with fresh.test_request_context():
        assert setting("SITE_NAME") == "Ehrenamt Gifhorn"
        assert setting("SITE_DESCRIPTION") == "Wir helfen."
        assert setting("MEMBERSHIP_APPROVAL_REQUIRED") is False
        assert "Schlossplatz 1" in page_text("impressum").raw
        assert "datenschutz@gifhorn.example" in page_text("privacy").raw
        assert page_text("netiquette").raw == "Seid nett zueinander.\n"
        questions = list(db.session.scalars(sa.select(MembershipQuestion)))
        assert [(q.text, q.required) for q in questions] == [
            ("Wo engagieren Sie sich?", True),
            ("Wie heißt Ihr Verein?", False),
        ]
        made = {c.slug: c for c in db.session.scalars(sa.select(Category))}
        assert set(made) == {s.data.slug for s in setup.STARTERS} - {"koordination"}
        assert made["fragen-antworten"].name == "Fragen und Antworten"
        assert made["fragen-antworten"].read_level == ReadLevel.PUBLIC
        assert made["ehrenamt-entdecken"].read_level == ReadLevel.MEMBERS
        assert made["nachbarschaftshilfe"].kind.value == "help"
        assert made["nachbarschaftshilfe"].topic_template == setup.HELP_TEMPLATE.strip("\n")
        assert setup.state() == "done"
        actions = set(db.session.scalars(sa.select(AuditLog.action)))
    assert {"change_setting", "edit_site_text", "create_question", "create_category",
            "complete_setup"} <= actions  # fmt: skip
    # The forum is open now: the header shows the new name.
    home = client.get("/").get_data(as_text=True)
    assert "Ehrenamt Gifhorn" in home and "Wir helfen." not in home  # members see the board
    # Re-runnable: the contact details come back, the categories step knows what exists.
    assert 'value="Landkreis Gifhorn"' in client.get("/admin/setup/legal").get_data(as_text=True)
    again = client.get("/admin/setup/categories").get_data(as_text=True)
    assert again.count("This category exists already.") == len(setup.STARTERS) - 1


def test_skip_the_set_up(fresh, client, login_as, admin):
    login_as(admin)
    response = client.post("/admin/setup/skip")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    with fresh.app_context():
        assert setup.state() == "skipped"
        assert db.session.scalar(sa.select(AuditLog.action)) == "skip_setup"
    # ... and run later from the admin area.
    assert 'href="/admin/setup"' in client.get("/admin/").get_data(as_text=True)
    assert client.get("/admin/setup/membership").status_code == 200


def test_starter_categories_with_an_error_keep_the_input(fresh, client, login_as, admin):
    login_as(admin)
    response = client.post(
        "/admin/setup/categories", data=_starters(fragen_name="", vereine_name="Unsere Vereine")
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Please enter a name of up to 80 characters." in html
    assert 'value="Unsere Vereine"' in html
    with fresh.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Category)) == 0
        assert setup.state() is None


def test_the_forums_name_reaches_pages_and_mails(app, client, login_as, admin, mailbox):
    login_as(admin)
    client.post("/admin/setup/site", data={"name": "Helfen in Gifhorn", "description": ""})
    assert "<title>Categories \u2013 Helfen in Gifhorn</title>" in client.get(
        "/admin/categories"
    ).get_data(as_text=True)
    client.post("/admin/invitations", data={"email": "gast@example.org"})
    (mail,) = mailbox.wait_for("gast@example.org")
    subject = str(make_header(decode_header(mail["Subject"])))
    assert subject == "Einladung ins Forum „Helfen in Gifhorn“"  # the invitee's German
    assert "Helfen in Gifhorn" in body(mail)
