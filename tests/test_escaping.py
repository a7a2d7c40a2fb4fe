"""Input shown inside a translated message comes out as text, never as markup.

How the messages are found: ``python_messages()`` extracts every msgid of
forum/ and plugins/ Python code the way ``pybabel extract`` does (with the
keywords of docs/translations.md) and keeps those with a ``%(name)s`` placeholder, the ones
that can carry text. Each must be either in ``NOT_INPUT`` (with the reason its
values cannot hold markup) or be shown by one of the tests below with markup
in its input (``SHOWN_BY`` names the test): ``test_every_message_is_classified``
fails for a new one until it is classified, and each test fails when a message
it claims is not shown with the payload escaped. tests/plugins/test_escaping.py
does the same for the plugins' messages.

The tests put ``PAYLOAD`` into every free text a message may quote (usernames,
topic titles, category names, reasons, watched words, search filters), go
through the real pages as guest, member and moderator, and require that the
payload never comes out as markup and that each checked message was shown
with the payload escaped. Messages in templates (``{{ _(...) }}``, ``{% trans
%}``) go through Jinja's autoescaping gettext; the crawl of every GET page
with the same data checks them wholesale.
"""

import re
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from markupsafe import escape

from forum.extensions import db

ROOT = Path(__file__).resolve().parents[1]
PAYLOAD = '"><x-hostile>'
RAW = "<x-hostile>"
ESCAPED = str(escape(PAYLOAD))
# Search splits a query at spaces and quotes, so these hold neither.
SEARCH_PAYLOADS = ["<b>x</b>", "<meta/http-equiv=refresh/content=0;url=https://example.org/>",
                   "<script>alert(1)</script>"]  # fmt: skip
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")

_MAIL = (
    "a notification mail's subject or reason line, never a page; the HTML mail escapes it "
    "(tests/mailing/test_events.py)"
)

#: Messages whose %(x)s values cannot hold markup, and why.
NOT_INPUT = {
    "Please try again in %(num)d minute (at %(time)s).": "a count and a time the forum computes",
    "Please try again in %(num)d minutes (at %(time)s).": "a count and a time the forum computes",
    "Invitation to %(site)s": "a mail subject (plain text); the site name is a setting",
    "Welcome to %(site)s": "a mail subject (plain text); the site name is a setting",
    "Your request to join %(site)s": "a mail subject (plain text); the site name is a setting",
    "New join request from %(name)s": "a mail subject (plain text)",
    "Welcome to %(site)s! You are now a member.": "the site name is a setting",
    "Invalid value for %(key)s.": "the key is a field name of the settings form",
    "Unknown filter %(name)s:.": "a filter word a plugin registered",
    "There is no topic %(id)s.": "topic: takes digits only",
    "The invitation is on its way to %(email)s.": "an address the e-mail validator accepted",
    "Another category uses the slug “%(slug)s”.": "slugs are checked to be [a-z0-9-] first",
    "This colour is too dark on the dark page (%(ratio)s:1, 3:1 needed).": "a computed ratio",
    "This colour is too pale on the light page (%(ratio)s:1, 3:1 needed).": "a computed ratio",
    "New reply in “%(title)s”": _MAIL,
    "You get this mail because %(actor)s replied to your post.": _MAIL,
    "%(actor)s quoted you in “%(title)s”": _MAIL,
    "You get this mail because %(actor)s quoted your post.": _MAIL,
    "%(actor)s mentioned you in “%(title)s”": _MAIL,
    "You get this mail because %(actor)s mentioned you.": _MAIL,
    "Personal message: %(title)s": _MAIL,
    "You get this mail because %(actor)s sent you a personal message.": _MAIL,
    "New post in “%(title)s”": _MAIL,
    "New topic: %(title)s": _MAIL,
    "%(names)s cannot see this category and was not notified.": "usernames as the mention "
    "pattern matches them: letters, digits, dot, dash and underscore",
    "Saved: topics you write in are set to “%(level)s”.": "the label of a watching level",
    "This field held invisible characters that can change how the text reads (%(codes)s). "
    "They are removed now: please check the text and send it again.": "code points the forum "
    "writes as U+XXXX (forum/forms.py, VisibleText)",
}


#: Which test below shows each message with PAYLOAD in its input.
SHOWN_BY = {
    "Nobody here is called @%(name)s.": "search",
    "Topics and replies by %(name)s": "a feed's description (XML, escaped by feedgen)",
    "There is no category #%(slug)s.": "search",
    "“%(name)s:%(value)s” is not a date; write it as %(name)s:2025-03-31.": "search",
    "Your account is suspended until %(date)s. Reason: %(reason)s": "login",
    "Your text contains “%(word)s”, which is not allowed here.": "member",
    "Your request to join was not approved. Reason: %(reason)s": "member",
    "Your post in “%(title)s” was approved and is visible now.": "member",
    "Your post “%(title)s” was not published. Reason: %(reason)s": "member",
    "Your post in “%(title)s” was hidden after reports from the community until a "
    "moderator has looked at it.": "member",
    "You may read but not write until %(date)s. Reason: %(reason)s": "member",
    "News about “%(title)s”.": "member",
    "%(actor)s mentioned you in “%(title)s”.": "member",
    "%(actor)s replied to you in “%(title)s”.": "member",
    "%(actor)s quoted you in “%(title)s”.": "member",
    "%(actor)s wrote in “%(title)s”, which you watch.": "member",
    "%(actor)s started the topic “%(title)s”.": "member",
    "%(actor)s edited your post in “%(title)s”.": "member",
    "%(actor)s wrote to you: “%(title)s”.": "messages",
    "%(actor)s liked your post in “%(title)s”.": "member",
    "%(actor)s and %(num)s other liked your post in “%(title)s”.": "member",
    "%(actor)s and %(num)s others liked your post in “%(title)s”.": "member",
    "Notifications for “%(name)s”: %(level)s.": "member",
    "This item was already handled by %(name)s.": "moderator",
    "The topic was moved to %(name)s.": "moderator",
    "%(name)s is silenced.": "moderator",
    "%(name)s is suspended.": "moderator",
    "%(name)s is now a member.": "moderator",
    "The join request was rejected; %(name)s is told why.": "moderator",
    "it contains the watched word “%(word)s”": "held",
    "The post was rejected; %(name)s is told why.": "held",
    "The category “%(name)s” is created.": "admin",
    "“%(name)s” is archived: read-only, left out of lists.": "admin",
    "“%(name)s” is open again.": "admin",
    "The topics were moved to “%(name)s”.": "admin",
    "The category “%(name)s” is deleted.": "admin",
    "%(name)s is now: %(role)s.": "admin_people",
    "There is no member called “%(name)s”.": "messages",
    "%(name)s cannot receive messages from you.": "messages",
    "%(name)s takes part already.": "messages",
    "%(name)s takes part now.": "messages",
    "You ignore %(name)s now.": "messages",
    "You no longer ignore %(name)s.": "messages",
    "You cannot ignore %(name)s.": "messages",
    "You left the conversation “%(title)s”.": "messages",
    "Your question is kept. Once you are a member, it waits for you in “%(category)s”, "
    "ready to post.": "questions",
    "Words of 3 to 40 letters only, please (not: %(words)s).": "questions",
    "You now represent “%(name)s”.": "organisations",
    "Your request to represent “%(name)s” was declined: %(reason)s": "organisations",
    "%(name)s does not represent this organisation.": "organisations",
    "You no longer represent %(name)s.": "organisations",
    "%(name)s no longer represents it.": "organisations",
    "%(name)s now represents %(org)s.": "organisations",
    "Interest: %(title)s": "organisations",
    "%(actor)s is interested in “%(title)s”.": "organisations",
    "There is already a field called “%(name)s”.": "activity_fields",
    "“%(name)s” is still named by %(count)s organisation(s).": "activity_fields",
    "“%(name)s” was added.": "activity_fields",
    "“%(name)s” was removed.": "activity_fields",
}


def python_messages(directory: str) -> set[str]:
    """Return the msgids of ``directory``'s Python code with a %(name)s placeholder."""
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / directory, [("**.py", "python")], keywords=keywords
    ):
        for msgid in message if isinstance(message, tuple) else (message,):
            if msgid and _PLACEHOLDER.search(msgid):
                found.add(msgid)
    return found


def check_classified(directory: str, shown_by: dict, not_input: dict) -> None:
    """Fail for a message of ``directory`` that is neither shown by a test nor exempt."""
    messages = python_messages(directory)
    unknown = messages - set(shown_by) - set(not_input)
    assert not unknown, (
        "Show these messages with PAYLOAD in their input in a test (SHOWN_BY), or add "
        "them to NOT_INPUT with the reason they take none:\n" + "\n".join(sorted(unknown))
    )
    stale = (set(shown_by) | set(not_input)) - messages
    assert not stale, f"classified messages that no longer exist: {stale}"


def assert_shown(test: str, pages: list[str], shown_by: dict, escaped: str = ESCAPED) -> None:
    """Every message ``shown_by`` gives to ``test`` is in a page with the payload escaped."""
    missing = []
    for msgid, shown in shown_by.items():
        if shown != test:
            continue
        # The fixed text around the placeholders, as it appears in HTML.
        fragments = [str(escape(p)) for p in _PLACEHOLDER.split(msgid)[::2] if p.strip()]
        if not any(escaped in page and all(f in page for f in fragments) for page in pages):
            missing.append(msgid)
    assert not missing, f"{test} did not show, with the payload escaped: {missing}"


def check(page: str, where: str) -> None:
    assert RAW not in page, f"{where}: the payload came out as markup"


# --- Data: the payload in every free text ----------------------------------------------


@pytest.fixture
def hostile(app, make):
    """Users, a category, a topic, watched words and reasons, all holding PAYLOAD."""
    from forum.boards.models import Category, Post, ReadLevel, Topic
    from forum.membership import applications
    from forum.moderation.models import WatchedWord, WatchedWordAction
    from forum.notifications.services import notify
    from forum.users.models import User

    moderator = make.user("moderatorin", role="moderator")
    other_moderator = make.user(f"m{PAYLOAD}", role="moderator")
    member = make.user(f"u{PAYLOAD}", role="member")
    applicant = make.user(f"a{PAYLOAD}", role="applicant")
    rejected = make.user(f"r{PAYLOAD}", role="applicant")
    public = make.category("Öffentlich", read_level=ReadLevel.PUBLIC)
    destination = make.category(f"Ziel {PAYLOAD}", read_level=ReadLevel.PUBLIC)
    topic = make.topic(member, public, f"Thema {PAYLOAD} mit Titel", f"Text {PAYLOAD}")
    with app.app_context():
        db.session.add_all(
            [
                WatchedWord(word=f"block{PAYLOAD}", action=WatchedWordAction.BLOCK),
                WatchedWord(word=f"hold{PAYLOAD}", action=WatchedWordAction.HOLD),
            ]
        )
        db.session.commit()
        items = {}
        for user in (applicant, rejected):
            items[user.id] = applications.submit_application(db.session.get(User, user.id), [], 1)
        handled = applications.submit_application(
            db.session.get(User, make.user("schnell", role="applicant").id), [], 1
        )
        applications.approve_application(db.session.get(User, other_moderator.id), handled)
        reason = f"Grund {PAYLOAD}"
        for kind in ("application_rejected", "post_approved", "post_rejected", "post_hidden",
                     "silenced", "something_else"):  # fmt: skip
            notify(member.id, kind, topic_id=topic.id, title=topic.title, reason=reason,
                   until="2030-01-01T00:00:00+00:00", post_number=1)  # fmt: skip
        notify(member.id, "event_changed", topic_id=topic.id, title=topic.title,
               starts_at="2030-01-01T10:00:00+00:00")  # fmt: skip
        notify(member.id, "event_reminder", topic_id=topic.id, title=topic.title,
               starts_at="2030-01-01T10:00:00+00:00")  # fmt: skip
        notify(member.id, "solution_accepted", topic_id=topic.id, title=topic.title)
        for kind, count in (("mentioned", 1), ("replied", 1), ("quoted", 1), ("posted", 1),
                            ("watching_first_post", 1), ("edited", 1), ("liked", 1),
                            ("liked", 2), ("liked", 3)):  # fmt: skip
            notify(member.id, kind, topic_id=topic.id, title=topic.title, post_number=1,
                   actor=other_moderator.username, count=count)  # fmt: skip
        db.session.commit()
        ids = {
            "applicant": items[applicant.id].id,
            "rejected": items[rejected.id].id,
            "handled": handled.id,
            "category": db.session.get(Category, destination.id).id,
            "first_post": db.session.scalar(
                sa.select(Post.id).where(Post.topic_id == topic.id, Post.post_number == 1)
            ),
        }
        topic_slug = db.session.get(Topic, topic.id).slug
    return {
        "moderator": moderator, "member": member, "topic": topic, "topic_slug": topic_slug,
        "public": public, "ids": ids,
    }  # fmt: skip


def _login(client, username: str) -> None:
    response = client.post("/login", data={"login": username, "password": "correct horse battery"})
    assert response.status_code == 302, response.get_data(as_text=True)


def _logout(client) -> None:
    assert client.post("/logout").status_code == 302


# --- Requests ---------------------------------------------------------------------------


def _get(client, url: str, pages: list[str], **kwargs) -> str:
    response = client.get(url, follow_redirects=True, **kwargs)
    assert response.status_code < 500, url
    page = response.get_data(as_text=True)
    check(page, url)
    pages.append(page)
    return page


def _post(client, url: str, pages: list[str], data=None) -> str:
    response = client.post(url, data=data or {}, follow_redirects=True)
    assert response.status_code < 500, url
    page = response.get_data(as_text=True)
    check(page, url)
    pages.append(page)
    return page


# --- The pages ------------------------------------------------------------------------


def test_every_message_is_classified():
    assert "Nobody here is called @%(name)s." in python_messages("forum")  # extraction works
    check_classified("forum", SHOWN_BY, NOT_INPUT)


def test_search_notices(client, make):
    make.category("Öffentlich", read_level="public")
    for payload in SEARCH_PAYLOADS:
        escaped, pages = str(escape(payload)), []
        for query in (f"@{payload}", f"#{payload}", f"after:{payload}"):
            page = client.get("/search", query_string={"q": query}).get_data(as_text=True)
            assert payload not in page, query
            pages.append(page)
        assert_shown("search", pages, SHOWN_BY, escaped)


def test_member(client, hostile):
    pages: list[str] = []
    _login(client, hostile["member"].username)
    _get(client, "/notifications", pages)
    _post(client, f"/t/{hostile['topic'].id}/notifications", pages, {"level": "watching"})
    url = f"/t/{hostile['topic'].id}/reply"
    _post(client, url, pages, {"raw": f"Eine Antwort mit block{PAYLOAD} darin."})
    assert_shown("member", pages, SHOWN_BY)


def test_moderator(client, hostile):
    ids, pages = hostile["ids"], []
    _login(client, hostile["moderator"].username)
    _get(client, "/review", pages)
    for item_id in (ids["applicant"], ids["rejected"], ids["handled"]):
        _get(client, f"/review/{item_id}", pages)
    _post(client, f"/review/{ids['applicant']}/approve", pages)
    _post(client, f"/review/{ids['rejected']}/reject", pages, {"reason": f"Nein {PAYLOAD}"})
    _post(client, f"/review/{ids['handled']}/approve", pages)
    _post(client, f"/t/{hostile['topic'].id}/move", pages, {"category": ids["category"]})
    member = hostile["member"].username
    for action in ("silence", "suspend"):
        data = {f"{action}-days": 3, f"{action}-reason": f"Grund {PAYLOAD}"}
        _post(client, f"/u/{member}/{action}", pages, data)
    assert_shown("moderator", pages, SHOWN_BY)


def test_held(app, client, hostile):
    from forum.moderation.models import ReviewItem

    pages: list[str] = []
    _login(client, hostile["member"].username)
    url = f"/t/{hostile['topic'].id}/reply"
    _post(client, url, pages, {"raw": f"Eine Antwort mit hold{PAYLOAD} darin."})
    _logout(client)
    _login(client, hostile["moderator"].username)
    _get(client, "/review", pages)
    with app.app_context():
        held = db.session.scalar(sa.select(sa.func.max(ReviewItem.id)))
    _get(client, f"/review/{held}", pages)
    _post(client, f"/review/{held}/reject", pages, {"reason": f"Nein {PAYLOAD}"})
    assert_shown("held", pages, SHOWN_BY)


def test_admin(app, client, make, hostile):
    from forum.boards.models import Category

    make.user("chefin", role="admin")
    pages: list[str] = []
    _login(client, "chefin")
    name = f"Neu {PAYLOAD}"
    _post(client, "/admin/categories/new", pages, {
        "name": name, "slug": "neu", "color": "#3d8a5a", "kind": "discussion",
        "read_level": "public", "write_level": "members", "reply_level": "members",
        "default_sort": "latest", "description": PAYLOAD, "topic_template": PAYLOAD,
    })  # fmt: skip
    with app.app_context():
        new_id = db.session.scalar(sa.select(Category.id).where(Category.slug == "neu"))
    _get(client, "/admin/categories", pages)
    _get(client, f"/admin/categories/{new_id}", pages)
    _post(client, f"/admin/categories/{new_id}/archive", pages, {"archived": "1"})
    _post(client, f"/admin/categories/{new_id}/archive", pages, {"archived": "0"})
    public = hostile["public"].id
    _get(client, f"/admin/categories/{public}/delete", pages)
    _post(client, f"/admin/categories/{public}/delete", pages, {"move-destination": new_id})
    _post(client, f"/admin/categories/{new_id}/delete", pages, {"move-destination": public})
    _post(client, f"/admin/categories/{new_id}/delete", pages, {"delete-confirm": "y"})
    _get(client, "/admin/log", pages)


def test_admin_people(client, make, hostile):
    """The admin's people pages: names, answers and reasons stay text."""
    admin = make.user("verwaltung", role="admin")
    pages: list[str] = []
    _login(client, admin.username)
    member = hostile["member"]
    _get(client, "/admin/users", pages, query_string={"q": PAYLOAD})
    _get(client, "/admin/users", pages, query_string={"q": "u"})
    _get(client, f"/admin/users/{member.id}", pages)
    _post(client, f"/admin/users/{member.id}/role", pages, {"role": "moderator"})
    _post(client, f"/admin/users/{member.id}/merge", pages, {"other": PAYLOAD, "confirm": "y"})
    assert_shown("admin_people", pages, SHOWN_BY)


def test_login(app, client, hostile):
    from datetime import timedelta

    from forum.db import utcnow
    from forum.users.models import User

    with app.app_context():
        member = db.session.get(User, hostile["member"].id)
        member.suspended_until = utcnow() + timedelta(days=3)
        member.suspend_reason = f"Grund {PAYLOAD}"
        db.session.commit()
    pages: list[str] = []
    _post(
        client,
        "/login",
        pages,
        {"login": hostile["member"].username, "password": "correct horse battery"},
    )
    assert_shown("login", pages, SHOWN_BY)


def test_every_get_page(app, client, hostile):
    """Templates: every GET page that needs no URL values but the hostile data's."""
    ids, topic = hostile["ids"], hostile["topic"]
    values = {
        "slug": hostile["topic_slug"], "topic_id": topic.id, "post_id": ids["first_post"],
        "category_id": ids["category"], "username": hostile["member"].username,
        "item_id": ids["applicant"], "post_number": 1,
    }  # fmt: skip
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if (
                "GET" in rule.methods
                and rule.endpoint != "static"
                and rule.arguments <= set(values)
            ):
                urls.append(app.url_for(rule.endpoint, **{a: values[a] for a in rule.arguments}))
    assert len(urls) > 20
    shown = 0
    for who in (None, hostile["member"].username, hostile["moderator"].username):
        if who:
            _login(client, who)
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, url
            if response.mimetype != "text/html":
                continue  # JSON and calendars carry text as text
            page = response.get_data(as_text=True)
            check(page, f"{who}: {url}")
            shown += ESCAPED in page
        if who:
            _logout(client)
    assert shown > 10


def test_messages(app, client, hostile, make):
    from urllib.parse import quote

    from forum.boards.models import Topic

    pages: list[str] = []
    other = make.user(f"v{PAYLOAD}")
    _login(client, hostile["member"].username)
    message = {"title": f"Frage {PAYLOAD} hier", "raw": "Hallo zusammen", "submit": "y"}
    _post(client, "/messages/new", pages, {**message, "to": f"x{PAYLOAD}"})
    _post(client, "/messages/new", pages, {**message, "to": f"a{PAYLOAD}"})
    _post(client, "/messages/new", pages, {**message, "to": f"m{PAYLOAD}"})
    with app.app_context():
        topic_id = db.session.scalar(sa.select(sa.func.max(Topic.id)))
    for name in (f"m{PAYLOAD}", other.username):
        _post(client, f"/messages/{topic_id}/participants", pages, {"username": name})
    for name, action in ((other.username, "ignore"), (other.username, "unignore"),
                         (f"m{PAYLOAD}", "ignore")):  # fmt: skip
        _post(client, f"/u/{quote(name, safe='')}/{action}", pages)
    _post(client, f"/messages/{topic_id}/leave", pages)
    # The moderator it was sent to reads its notification.
    _logout(client)
    _login(client, f"m{PAYLOAD}")
    _get(client, "/notifications", pages)
    assert_shown("messages", pages, SHOWN_BY)


def test_questions(app, client, make):
    """The landing page's questions: the category's name and the question as typed,
    the admin's compound words (search, forum/boards/questions.py)."""
    from tests.admin.test_settings import _form

    make.category(f"Fragen {PAYLOAD}", slug="fragen-antworten", read_level="public")
    make.user("chefin", role="admin")
    pages: list[str] = []
    for payload in SEARCH_PAYLOADS:
        page = _get(client, "/search", pages, query_string={"q": f"Frage {payload}"})
        assert payload not in page and str(escape(payload)) in page
    _post(client, "/search/ask", pages, {"title": PAYLOAD})
    _login(client, "chefin")
    _get(client, "/search", pages, query_string={"q": "Xylophon"})
    _post(client, "/admin/settings", pages, _form(app, search_extra_words=f"Grill {PAYLOAD}"))
    assert_shown("questions", pages, SHOWN_BY)


def test_organisations(app, client, hostile):
    from forum.moderation.models import ReviewItem
    from forum.organisations import services
    from forum.organisations.models import Organisation
    from forum.users.models import User

    pages: list[str] = []
    with app.app_context():
        organisation = services.create_organisation(
            f"Verein {PAYLOAD}", "isenbuettel", short_line=PAYLOAD, contact_name=PAYLOAD
        )
        slug = organisation.slug
    member = hostile["member"].username
    _login(client, member)
    _post(client, f"/o/{slug}/vertreten", pages, {"reason": f"Ich {PAYLOAD}"})
    _post(client, "/organisationen/neu", pages,
          {"name": f"Neu {PAYLOAD}", "municipality": "brome", "reason": PAYLOAD})  # fmt: skip
    _logout(client)
    _login(client, hostile["moderator"].username)
    _get(client, "/review", pages)
    with app.app_context():
        first, second = db.session.scalars(sa.select(ReviewItem.id).where(
            ReviewItem.kind == "organisation_request").order_by(ReviewItem.id))  # fmt: skip
    _get(client, f"/review/{first}", pages)
    _post(client, f"/organisationen/anfragen/{first}", pages, {"decision": "confirm"})
    _post(client, f"/organisationen/anfragen/{second}", pages,
          {"decision": "decline", "reason": f"Nein {PAYLOAD}"})  # fmt: skip
    _get(client, f"/o/{slug}", pages)
    _get(client, "/organisationen?q=Verein", pages)
    # The filters go on into the pages' feed addresses (<link rel="alternate">).
    _get(client, f"/organisationen?q={quote(PAYLOAD)}&field={quote(PAYLOAD)}", pages)
    _get(client, f"/engagement?field={quote(PAYLOAD)}", pages)
    _post(client, f"/o/{slug}/vertreter/{quote(member, safe='')}/entfernen", pages)
    _post(client, f"/o/{slug}/vertreter/{quote(member, safe='')}/entfernen", pages)
    with app.app_context():
        services.add_representative(
            None, db.session.get(Organisation, organisation.id), db.session.get(
                User, hostile["member"].id))  # fmt: skip
        services.add_representative(
            None, db.session.get(Organisation, organisation.id), db.session.get(
                User, hostile["moderator"].id))  # fmt: skip
        db.session.commit()
    with app.app_context():
        from forum.organisations import opportunities

        opportunity = opportunities.create_opportunity(
            db.session.get(User, hostile["moderator"].id),
            db.session.get(Organisation, organisation.id),
            {"title": f"Aufgabe {PAYLOAD}", "municipality": "brome", "requirements": PAYLOAD},
        )
        opportunity_id = opportunity.id
    _get(client, "/engagement", pages)
    _get(client, f"/engagement/{opportunity_id}", pages)
    _logout(client)
    _login(client, member)
    _post(client, f"/engagement/{opportunity_id}/interesse", pages, {"message": PAYLOAD})
    _get(client, "/engagement/meine", pages)
    _get(client, "/messages", pages)
    _get(client, f"/o/{slug}/bearbeiten", pages)
    _post(client, f"/o/{slug}/verlassen", pages)
    _get(client, "/notifications", pages)
    _logout(client)
    _login(client, hostile["moderator"].username)
    _get(client, "/notifications", pages)
    assert_shown("organisations", pages, SHOWN_BY)


def test_activity_fields(app, client, make):
    from forum.organisations import services
    from forum.organisations.models import ActivityField

    make.user("chefin", role="admin")
    pages: list[str] = []
    _login(client, "chefin")
    _get(client, "/admin/bereiche", pages)
    _post(client, "/admin/bereiche", pages, {"name": f"Bereich {PAYLOAD}"})
    _post(client, "/admin/bereiche", pages, {"name": f"Bereich {PAYLOAD}"})  # taken
    _post(client, "/admin/bereiche", pages, {"name": f"Leer {PAYLOAD}"})
    with app.app_context():
        named = dict(db.session.execute(sa.select(ActivityField.name, ActivityField.id)).all())
        used, unused = named[f"Bereich {PAYLOAD}"], named[f"Leer {PAYLOAD}"]
        slug = db.session.get(ActivityField, used).slug
        services.create_organisation("Verein", "brome", fields=[slug])
    _post(client, f"/admin/bereiche/{used}/entfernen", pages)  # still named
    _post(client, f"/admin/bereiche/{unused}/entfernen", pages)
    _post(client, f"/admin/bereiche/{used}", pages, {"name": f"Neu {PAYLOAD}"})
    _get(client, "/admin/log", pages)
    assert_shown("activity_fields", pages, SHOWN_BY)
