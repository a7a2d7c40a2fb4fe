"""The access matrix: every GET route, every role, content at every access level.

Secret markers are written into member-only and staff-only topics, into a
deleted post, a post hidden after flags and a post held for review. Each role
then requests every GET route of the app (enumerated from the URL map, so a
new route joins the matrix by itself) for every piece of content, and no
response may contain a marker that role must not see.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.boards.models import CategoryKind, Post, ReadLevel, Topic, WriteLevel
from forum.db import utcnow
from forum.extensions import db
from forum.users.models import User

MEMBERS = "GEHEIM-MITGLIEDER-7731"
STAFF = "GEHEIM-STAFF-4412"
DELETED = "GEHEIM-GELOESCHT-9120"
HIDDEN = "GEHEIM-VERSTECKT-5508"
HELD = "GEHEIM-WARTEND-6634"
ALL_MARKERS = {MEMBERS, STAFF, DELETED, HIDDEN, HELD}
_TAG = re.compile(r"<[^>]+>")


def _text(response) -> str:
    """The body without tags: search highlights split a marker with <mark>."""
    return _TAG.sub("", response.get_data(as_text=True))


# What each role may see; everything else must never appear in a response.
ALLOWED = {
    "guest": set(),
    "applicant": set(),
    "suspended": set(),
    "member": {MEMBERS},
    "silenced": {MEMBERS},
    "moderator": ALL_MARKERS,
    "admin": ALL_MARKERS,
}

# Routes that are not pages about content (they take no part in the matrix).
SKIPPED_ENDPOINTS = {"static"}


@dataclass
class Subject:
    """One piece of content and the URL values that point at it."""

    name: str
    values: dict = field(default_factory=dict)


@pytest.fixture
def world(app, make):
    """Build content at every access level, and one account per role."""
    author = make.user("autorin", role="member")
    other = make.user("nachbar", role="member")
    public = make.category("Ehrenamt entdecken", read_level=ReadLevel.PUBLIC)
    members = make.category("Allgemeines", read_level=ReadLevel.MEMBERS)
    staff = make.category(
        "Koordination intern", read_level=ReadLevel.STAFF, write_level=WriteLevel.STAFF
    )
    help_category = make.category(
        "Nachbarschaftshilfe", read_level=ReadLevel.MEMBERS, kind=CategoryKind.HELP
    )
    moderator = make.user("koordination", role="moderator")
    admin = make.user("verwaltung", role="admin")

    public_topic = make.topic(author, public, "Öffentliches Thema zum Ehrenamt")
    make.post(public_topic, other, "Eine öffentliche Antwort.", reply_to_post_number=1)
    member_topic = make.topic(author, members, f"Internes Thema {MEMBERS}", f"Text {MEMBERS}")
    make.post(member_topic, other, f"Antwort {MEMBERS}", reply_to_post_number=1)
    help_topic = make.topic(
        author, help_category, f"Hilfe gesucht {MEMBERS}", f"Bitte helfen {MEMBERS}",
        help_kind="request", municipality="meinersen",
    )  # fmt: skip
    staff_topic = make.topic(moderator, staff, f"Nur Koordination {STAFF}", f"Intern {STAFF}")
    deleted_topic = make.topic(author, public, "Bald gelöscht", f"Gelöscht {DELETED}")
    hidden_post = make.post(public_topic, author, f"Versteckt {HIDDEN}")

    with app.app_context():
        from forum.boards import services as boards
        from forum.moderation import services as moderation
        from forum.review.held import Draft, hold_post

        mod = db.session.get(User, moderator.id)
        editor = db.session.get(User, author.id)
        boards.edit_post(
            editor,
            db.session.scalar(
                sa.select(Post).where(Post.topic_id == member_topic.id, Post.post_number == 1)
            ),
            f"Geändert {MEMBERS}",
            title=f"Internes Thema {MEMBERS}",
            reason=f"Grund {MEMBERS}",
        )
        first = db.session.scalar(
            sa.select(Post).where(Post.topic_id == deleted_topic.id, Post.post_number == 1)
        )
        boards.delete_post(mod, first, reason="Test")
        hidden = db.session.get(Post, hidden_post.id)
        hidden.hidden_at = utcnow()
        db.session.commit()
        held_item = hold_post(
            db.session.get(User, other.id),
            Draft(raw=f"Wartet {HELD}", category_id=public.id, topic_id=public_topic.id),
            "new_member",
        )
        flag_item = moderation.flag_post(
            db.session.get(User, other.id), db.session.get(Post, hidden_post.id), "spam"
        )
        held_id, flag_id = held_item.id, flag_item.id
        topic_slugs = {
            t.id: t.slug for t in db.session.scalars(sa.select(Topic)).all()
        }  # fmt: skip

    accounts = {
        "applicant": make.user("bewerberin", role="applicant"),
        "member": make.user("mitglied", role="member"),
        "silenced": make.user("stumm", role="member"),
        "suspended": make.user("gesperrt", role="member"),
        "moderator": moderator,
        "admin": admin,
    }

    with app.app_context():
        until = utcnow() + timedelta(days=3)
        db.session.get(User, accounts["silenced"].id).silenced_until = until
        db.session.get(User, accounts["suspended"].id).suspended_until = until
        db.session.commit()

    def topic_subject(name, topic, category, post_id):
        return Subject(
            name,
            {
                "slug": topic_slugs[topic.id],
                "topic_id": topic.id,
                "post_number": 2 if name != "deleted" else 1,
                "post_id": post_id,
                "category_id": category.id,
            },
        )

    with app.app_context():
        first_post = {
            topic_id: post_id
            for topic_id, post_id in db.session.execute(
                sa.select(Post.topic_id, Post.id).where(Post.post_number == 1)
            )
        }
    subjects = [
        topic_subject("public", public_topic, public, first_post[public_topic.id]),
        topic_subject("members", member_topic, members, first_post[member_topic.id]),
        topic_subject("help", help_topic, help_category, first_post[help_topic.id]),
        topic_subject("staff", staff_topic, staff, first_post[staff_topic.id]),
        topic_subject("deleted", deleted_topic, public, first_post[deleted_topic.id]),
        topic_subject("hidden", public_topic, public, hidden_post.id),
    ]
    for subject in subjects:
        subject.values["username"] = "koordination" if subject.name == "staff" else "autorin"
    subjects.append(Subject("held", {"item_id": held_id, "username": "nachbar"}))
    subjects.append(Subject("flag", {"item_id": flag_id, "username": "nachbar"}))
    with app.app_context():
        from forum.membership.models import MembershipQuestion, RejectionTemplate
        from forum.site.services import save_text

        question = MembershipQuestion(text="Wie sind Sie auf uns aufmerksam geworden?")
        template = RejectionTemplate(title="Unvollständig", body="Bitte ergänzen Sie Ihre Angaben.")
        db.session.add_all([question, template])
        save_text("netiquette", "Netiquette", "Seien Sie freundlich.", None)
        db.session.commit()
        admin_values = {"question_id": question.id, "template_id": template.id, "version": 1}
    subjects.append(Subject("admin", admin_values))
    return accounts, subjects


# Query strings that make a page show content: search for every marker.
QUERIES = {
    "search.search": [{"q": "GEHEIM"}, {"q": "GEHEIM in:title"}, {"q": "7731 order:latest"}],
}

# Values for URL arguments that do not depend on the content.
FIXED_VALUES = {
    "size": 48,
    "token": "ungueltiges-token",
    "key": "netiquette",
    "slug": "x",
}


def _urls(app, subjects) -> list[str]:
    urls = set()
    unknown = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        for subject in subjects:
            values = {}
            for argument in rule.arguments:
                if argument in subject.values:
                    values[argument] = subject.values[argument]
                elif argument in FIXED_VALUES:
                    values[argument] = FIXED_VALUES[argument]
                else:
                    values = None
                    if not any(argument in s.values for s in subjects):
                        unknown.append(f"{rule.rule} needs a sample for <{argument}>")
                    break
            if values is not None:
                with app.test_request_context():
                    urls.add(app.url_for(rule.endpoint, **values))
                    for query in QUERIES.get(rule.endpoint, []):
                        urls.add(app.url_for(rule.endpoint, **values, **query))
    assert not unknown, "Add samples to the access matrix: " + "; ".join(sorted(set(unknown)))
    return sorted(urls)


def _login(client, username: str) -> None:
    response = client.post("/login", data={"login": username, "password": "correct horse battery"})
    # 403: a suspended member is refused (and must then see no more than a guest).
    assert response.status_code in (302, 403)


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_no_role_sees_what_it_may_not(app, world, role):
    accounts, subjects = world
    client = app.test_client()
    if role != "guest":
        _login(client, accounts[role].username)
    forbidden = ALL_MARKERS - ALLOWED[role]
    leaks = []
    urls = _urls(app, subjects)
    assert len(urls) > 20
    for url in urls:
        response = client.get(url, follow_redirects=True)
        assert response.status_code < 500, f"{url} gave {response.status_code} for {role}"
        body = _text(response)
        leaks += [f"{url}: {marker}" for marker in forbidden if marker in body]
    assert not leaks, f"{role} saw what it may not:\n" + "\n".join(leaks)


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_allowed_content_is_actually_shown(app, world, role):
    """The matrix would pass vacuously if nothing were ever shown: check it is."""
    accounts, subjects = world
    client = app.test_client()
    _login(client, accounts[role].username)
    seen = set()
    for url in _urls(app, subjects):
        body = _text(client.get(url, follow_redirects=True))
        seen |= {marker for marker in ALL_MARKERS if marker in body}
    assert ALLOWED[role] <= seen, f"{role} never saw {ALLOWED[role] - seen}"


def test_suspended_member_cannot_log_in(app, world):
    _accounts, subjects = world
    members = next(s for s in subjects if s.name == "members").values
    client = app.test_client()
    client.post("/login", data={"login": "gesperrt", "password": "correct horse battery"})
    body = client.get(f"/c/allgemeines/{members['category_id']}", follow_redirects=True)
    assert MEMBERS not in _text(body)


def test_matrix_covers_every_get_route(app, world):
    _accounts, subjects = world
    urls = _urls(app, subjects)
    covered = {app.url_map.bind("localhost").match(url.split("?")[0])[0] for url in urls}
    expected = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in SKIPPED_ENDPOINTS
    }
    assert expected <= covered, f"not covered: {expected - covered}"


@pytest.mark.parametrize(
    ("role", "found", "hidden"),
    [
        ("guest", set(), {MEMBERS, STAFF, DELETED, HIDDEN, HELD}),
        ("member", {MEMBERS}, {STAFF, DELETED, HIDDEN, HELD}),
        ("moderator", {MEMBERS, STAFF}, {DELETED, HIDDEN, HELD}),
    ],
)
def test_search_finds_what_the_role_may_read_and_nothing_else(app, world, role, found, hidden):
    accounts, _subjects = world
    client = app.test_client()
    if role != "guest":
        _login(client, accounts[role].username)
    body = _text(client.get("/search?q=GEHEIM"))
    assert {marker for marker in found if marker in body} == found
    assert not {marker for marker in hidden if marker in body}
