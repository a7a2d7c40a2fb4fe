"""Issue 12's journey in one go, on an empty database, as the coordinator lives it:
create-admin on the command line, the first start in the browser, three categories
with three read levels, an invitation that arrives by mail, the invited member
joins, the admin makes her a moderator and she sees the review queue; then a
category becomes members-only and a guest loses it in lists and search."""

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from forum.boards.models import Category
from forum.extensions import db

PASSWORD = "ein langes geheimes passwort"
HER_PASSWORD = "vorlesen im altenheim"


def _path_in(mail) -> str:
    """The forum link in a received mail (plain text or the plain part of a multipart)."""
    part = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    text = part.get_payload(decode=True).decode()
    return re.search(r"http://forum\.test(/\S+)", text).group(1)


def test_coordinator_runs_the_forum_from_an_empty_database(live_app, open_page, mailbox):
    live_app.extensions.pop("forum.setup")  # a forum nobody has set up yet
    result = live_app.test_cli_runner().invoke(
        args=["create-admin", "sabine", "sabine@example.org"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output

    guest = open_page(locale="en-GB")
    guest.goto("/")
    expect(guest.locator("h1")).to_have_text("This forum is being set up")

    # First start: the admin is led through the set-up after logging in.
    admin = open_page(locale="en-GB")
    admin.goto("/login")
    admin.locator("input[name=login]").fill("sabine")
    admin.locator("input[name=password]").fill(PASSWORD)
    admin.locator("main form button[type=submit]").click()
    admin.goto("/")
    expect(admin).to_have_url(re.compile(r"/admin/setup/site$"))
    admin.get_by_label("Name of the forum").fill("Ehrenamt im Landkreis")
    admin.get_by_role("button", name="Save and continue").click()
    admin.get_by_label("Responsible organisation").fill("Landkreis Gifhorn")
    admin.get_by_label("Postal address").fill("Schlossplatz 1\n38518 Gifhorn")
    admin.get_by_label("Contact e-mail address").fill("ehrenamt@example.org")
    admin.get_by_role("button", name="Save and continue").click()
    admin.get_by_role("button", name="Save and continue").click()  # membership: as prefilled
    # Three categories with three read levels: public, members, staff.
    admin.locator("[name=koordination_read_level]").select_option("staff")
    admin.locator("[name=vereine_include]").uncheck()
    admin.locator("[name=fragen_include]").uncheck()
    admin.get_by_role("button", name="Create the categories and finish").click()
    expect(admin).to_have_url(re.compile(r"/admin/categories$"))
    with live_app.app_context():
        levels = dict(db.session.execute(sa.select(Category.slug, Category.read_level)).all())
        public_id = db.session.scalar(
            sa.select(Category.id).where(Category.slug == "ehrenamt-entdecken")
        )
    assert {str(level) for level in levels.values()} == {"public", "members", "staff"}

    # She invites a volunteer; the mail arrives at the SMTP server.
    admin.goto("/admin/invitations")
    admin.get_by_label("E-mail address").fill("hanna@example.org")
    admin.get_by_role("button", name="Send invitation").click()
    expect(admin.locator(".flash")).to_contain_text("hanna@example.org")
    [invitation] = mailbox.wait_for("hanna@example.org")
    hanna = open_page(locale="en-GB")
    hanna.goto(_path_in(invitation))
    expect(hanna.get_by_role("heading", level=1)).to_have_text("You are invited")
    hanna.get_by_label("Username").fill("hanna")
    hanna.get_by_label("Password", exact=True).fill(HER_PASSWORD)
    hanna.get_by_label("Repeat password").fill(HER_PASSWORD)
    hanna.get_by_label("I have read the netiquette and accept it.").check()
    hanna.get_by_role("button", name="Join now").click()
    expect(hanna.locator(".flash")).to_contain_text("You are now a member.")
    # A member: the members' category is hers, the review queue is not.
    expect(hanna.get_by_role("link", name="Nachbarschaftshilfe").first).to_be_visible()
    assert hanna.goto("/review").status in (403, 404)
    admin.goto("/admin/invitations")
    expect(admin.locator(".admin-table")).to_contain_text("accepted on")

    # The admin finds her and makes her a moderator.
    admin.goto("/admin/users")
    admin.get_by_label("Name, username or e-mail").fill("hanna@example.org")
    admin.get_by_role("button", name="Show").click()
    expect(admin.get_by_text("1 person found")).to_be_visible()
    admin.locator("main").get_by_role("link", name="hanna").first.click()
    admin.get_by_role("combobox", name="Role").select_option("moderator")
    admin.get_by_role("button", name="Change role").click()
    expect(admin.get_by_text("hanna is now: Moderator.")).to_be_visible()
    hanna.goto("/")
    expect(hanna.locator(".user-nav")).to_contain_text("Review")
    assert hanna.goto("/review").status == 200
    expect(hanna.get_by_role("heading", level=1)).to_be_visible()

    # A topic in the public category that a guest finds in lists and search ...
    admin.goto(f"/new-topic?category={public_id}")
    admin.get_by_label("Title").fill("Lesepaten für die Grundschule gesucht")
    admin.locator("textarea[name=raw]").fill("Wer liest einmal in der Woche mit Kindern?")
    admin.locator("main form [name=submit]").click()
    expect(admin.locator("h1")).to_contain_text("Lesepaten")
    guest.goto("/")
    expect(guest.get_by_role("link", name="Ehrenamt entdecken").first).to_be_visible()
    guest.goto("/latest")
    expect(guest.locator("main")).to_contain_text("Lesepaten")
    guest.goto("/search?q=Lesepaten")
    expect(guest.locator("main")).to_contain_text("Lesepaten für die Grundschule")

    # ... until the admin makes it members-only: the guest loses it everywhere at once,
    # the new moderator still sees it.
    admin.goto(f"/admin/categories/{public_id}")
    admin.get_by_label("Who may read").select_option("members")
    admin.get_by_role("button", name="Save category").click()
    expect(admin.locator(".flash")).to_contain_text("The category is saved.")
    guest.goto("/")
    expect(guest.get_by_role("link", name="Ehrenamt entdecken")).to_have_count(0)
    guest.goto("/latest")
    expect(guest.locator("main")).not_to_contain_text("Lesepaten")
    guest.goto("/search?q=Lesepaten")
    expect(guest.locator("main")).not_to_contain_text("Lesepaten für die Grundschule")
    hanna.goto("/search?q=Lesepaten")
    expect(hanna.locator("main")).to_contain_text("Lesepaten für die Grundschule")

    # Every step is in the audit log.
    admin.goto("/admin/log")
    log = admin.locator("main")
    expect(log).to_contain_text("hanna")
