"""Issue 13's journey in a real browser, on the demo content: a member asks to
represent "SV Blau-Weiß Isenbüttel", the coordinator confirms; the
representative fills in the profile with a logo and posts an opportunity; a
guest finds it by filtering by municipality, says "Ich bin interessiert",
registers (confirming by mail), joins, is approved; the message reaches the
representative as a private conversation, who answers privately."""

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from forum.demo import DEMO_PASSWORD, load_demo
from forum.extensions import db
from forum.moderation.models import ReviewItem
from tests.browser.conftest import log_in
from tests.uploads import pictures

TITLE = "Betreuung im Jugend-Sommercamp"
MESSAGE = "Ich habe im Sommer Zeit und war selbst im Verein. Wann ist das Camp?"
ANSWER = "Vom 20. bis 27. Juli. Komm gern am Dienstag zum Training vorbei!"
PASSWORD = "ein langes gutes Passwort"


def _link(message, path: str) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    text = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return re.search(rf"http://forum\.test({re.escape(path)}\S*)", text).group(1)


def _pending(app, kind: str) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(ReviewItem.id)
            .where(ReviewItem.kind == kind, ReviewItem.status == "pending")
            .order_by(ReviewItem.id.desc())
        )


def test_from_representative_to_a_guests_interest_answered(live_app, open_page, mailbox, tmp_path):
    with live_app.app_context():
        load_demo()

    # A member asks to represent the club; the coordinator confirms.
    jonas = open_page()
    log_in(jonas, "jonas.becker", DEMO_PASSWORD)
    jonas.goto("/o/sv-blau-weiss-isenbuettel/vertreten")
    jonas.locator("textarea[name=reason]").fill("Ich trainiere die F-Jugend seit drei Jahren.")
    jonas.locator("main form button[type=submit], main form input[type=submit]").first.click()
    expect(jonas.locator(".flash").first).to_contain_text("Koordination sieht")
    coordinator = open_page()
    log_in(coordinator, "koordination", DEMO_PASSWORD)
    coordinator.goto(f"/review/{_pending(live_app, 'organisation_request')}")
    coordinator.get_by_role("button", name="Vertretung bestätigen").click()
    expect(coordinator.locator(".flash").first).to_contain_text("jonas.becker vertritt jetzt")

    # The representative fills in the profile with a logo ...
    logo = tmp_path / "wappen.png"
    logo.write_bytes(pictures.png((400, 300), "RGB"))
    jonas.goto("/o/sv-blau-weiss-isenbuettel/bearbeiten")
    jonas.locator("input[name=short_line]").fill("Fußball und Turnen für alle Generationen")
    jonas.locator("input[name=logo]").set_input_files(str(logo))
    jonas.locator("main form [name=submit]").click()
    expect(jonas.locator(".flash").first).to_contain_text("Das Profil wurde gespeichert.")
    expect(jonas.locator("main img.org-logo")).to_have_attribute("src", re.compile("^/uploads/"))

    # ... and posts an opportunity.
    jonas.goto("/o/sv-blau-weiss-isenbuettel/engagement/neu")
    jonas.locator("input[name=title]").fill(TITLE)
    jonas.locator("textarea[name=description]").fill("Eine Woche Zeltlager mit 30 Kindern.")
    jonas.locator("select[name=municipality]").select_option("isenbuettel")
    jonas.locator("select[name=commitment]").select_option("one_off")
    jonas.locator("main form [name=submit]").click()
    expect(jonas.locator(".flash").first).to_contain_text("Das Engagement ist veröffentlicht.")

    # A guest filters by municipality, finds it and says she is interested.
    guest = open_page()
    guest.goto("/engagement")
    guest.locator("select[name=municipality]").select_option("isenbuettel")
    guest.locator("main form.filter-form button, main form[method=get] button").first.click()
    expect(guest).to_have_url(re.compile(r"municipality=isenbuettel"))
    guest.get_by_role("link", name=TITLE).click()
    # The opportunity's page holds no form for a guest (it comes from the page
    # cache); a link leads to the form.
    expect(guest.locator("main textarea[name=message]")).to_have_count(0)
    guest.get_by_role("link", name="Ich bin interessiert").click()
    expect(guest).to_have_url(re.compile(r"/engagement/\d+/interesse$"))
    guest.locator("textarea[name=message]").fill(MESSAGE)
    guest.get_by_role("button", name="Ich bin interessiert").click()
    expect(guest).to_have_url(re.compile(r"/register"))

    # She registers, confirms her address by mail and joins.
    guest.locator("input[name=username]").fill("sommerhelferin")
    guest.locator("input[name=email]").fill("sommer@example.org")
    guest.locator("input[name=password]").fill(PASSWORD)
    guest.locator("input[name=password_confirm]").fill(PASSWORD)
    guest.get_by_role("button", name="Konto erstellen").click()
    # She reads the page first, as anyone would: the confirmation mail goes out after
    # the sign-up's answer, and the page still loading would answer with her
    # guest's session after the link had logged her in.
    expect(guest.get_by_role("heading", name="Bitte sehen Sie in Ihre E-Mails")).to_be_visible()
    # Twice (session 8's CI, a rehearsal in session 10) the mail had not come 30 s
    # after the page on a loaded machine, cron's second chance included; the wait
    # ends as soon as it comes.
    [confirmation] = mailbox.wait_for("sommer@example.org", timeout=90)
    guest.goto(_link(confirmation, "/confirm/"))
    guest.goto("/join")
    for answer in guest.locator("main form textarea").all():
        answer.fill("Ich möchte im Sportverein helfen.")
    guest.locator("input[name=accept_netiquette]").check()
    guest.get_by_role("button", name="Antrag abschicken").click()
    expect(guest).to_have_url(re.compile(r"/join/waiting"))

    # The coordinator approves her; her kept message goes to the representatives.
    coordinator.goto(f"/review/{_pending(live_app, 'join_request')}")
    coordinator.locator("form[action$='/approve'] button").first.click()
    # The decision's answer is back (so it is committed) before Jonas looks.
    expect(coordinator.locator(".flash").first).to_be_visible()
    jonas.goto("/messages")
    jonas.get_by_role("link", name=TITLE).first.click()
    expect(jonas.get_by_text(MESSAGE)).to_be_visible()
    jonas.locator("main form textarea[name=raw]").last.fill(ANSWER)
    jonas.locator("main form").filter(has=jonas.locator("textarea")).last.get_by_role(
        "button", name="Antworten"
    ).click()
    expect(jonas.get_by_text(ANSWER)).to_be_visible()

    # She reads the answer in her private conversation; her interest is listed.
    guest.goto("/messages")
    guest.get_by_role("link", name=TITLE).first.click()
    expect(guest.get_by_text(ANSWER)).to_be_visible()
    guest.goto("/engagement/meine")
    expect(guest.locator("main")).to_contain_text(TITLE)
