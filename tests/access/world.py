"""The access matrix's world: content at every access level, one account per role.

Every piece of content a role may not read carries a unique secret marker in
its text (and its title, where it has one). ``VISIBILITY`` is the one table of
expectations: for each kind of content and each role, whether that role must
never see it, may see it, or must see it somewhere in the matrix (so the matrix
cannot pass by showing nothing).
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask

from forum.boards.models import CategoryKind, Post, ReadLevel, Topic, WriteLevel
from forum.db import utcnow
from forum.extensions import db
from forum.users.models import User

ROLES = ("guest", "applicant", "suspended", "silenced", "member", "author", "moderator", "admin")
STAFF_ROLES = ("moderator", "admin")

# "-": must never see; "s": must see it somewhere (the matrix shows it);
# "m": may see it (allowed, but no page is required to show it).
# The author is the member who wrote the hidden, deleted and held posts and the
# deleted topic: a hidden or held post stays readable for its author, a deleted
# one does not. The author wrote a personal message to a member (no role here)
# and one to the coordination office's inbox, which all staff read.
#                 guest applicant suspended silenced member author moderator admin
_TABLE = """
members_topic      -      -         -        s       s      s      s       s
members_category   -      -         -        s       s      s      s       s
staff_topic        -      -         -        -       -      -      s       s
staff_category     -      -         -        -       -      -      s       s
hidden_post        -      -         -        -       -      s      s       s
deleted_post       -      -         -        -       -      -      s       s
deleted_topic      -      -         -        -       -      -      s       s
held_reply         -      -         -        -       -      s      s       s
held_topic         -      -         -        -       -      m      s       s
private_message    -      -         -        -       -      s      -       -
office_message     -      -         -        -       -      s      s       s
members_org        -      -         -        s       s      s      s       s
"""
VISIBILITY: dict[str, dict[str, str]] = {
    line.split()[0]: dict(zip(ROLES, line.split()[1:], strict=True))
    for line in _TABLE.strip().splitlines()
}


@dataclass(frozen=True)
class Marker:
    """A secret string written into one piece of content of one kind."""

    text: str
    kind: str
    #: The plugin that shows it (an event's place): without it, nobody sees it.
    plugin: str = ""

    def may_be_seen_by(self, role: str) -> bool:
        return VISIBILITY[self.kind][role] != "-"

    def must_be_seen_by(self, role: str) -> bool:
        return VISIBILITY[self.kind][role] == "s"


MEMBERS_TOPIC = Marker("GEHEIM-MITGLIEDER-7731", "members_topic")
MEMBERS_HELP = Marker("GEHEIM-HILFE-2281", "members_topic")
MEMBERS_EVENT = Marker("GEHEIM-TREFFEN-6120", "members_topic", plugin="events")
MEMBERS_EDIT = Marker("GEHEIM-BEARBEITET-4470", "members_topic")
MEMBERS_CATEGORY = Marker("GEHEIM-KREIS-3391", "members_category")
STAFF_TOPIC = Marker("GEHEIM-STAFF-4412", "staff_topic")
STAFF_EVENT = Marker("GEHEIM-KLAUSUR-8852", "staff_topic", plugin="events")
STAFF_MOVED = Marker("GEHEIM-VERSCHOBEN-1907", "staff_topic")
STAFF_CATEGORY = Marker("GEHEIM-INTERN-5064", "staff_category")
HIDDEN_POST = Marker("GEHEIM-VERSTECKT-5508", "hidden_post")
HIDDEN_EARLIER = Marker("GEHEIM-VORHER-2716", "hidden_post")
DELETED_POST = Marker("GEHEIM-GELOESCHT-9120", "deleted_post")
DELETED_TOPIC = Marker("GEHEIM-ENTFERNT-3345", "deleted_topic")
DELETED_EVENT = Marker("GEHEIM-ABGESAGT-7208", "deleted_topic", plugin="events")
HELD_REPLY = Marker("GEHEIM-WARTEND-6634", "held_reply")
HELD_TOPIC = Marker("GEHEIM-PRUEFUNG-1486", "held_topic")
PRIVATE_MESSAGE = Marker("GEHEIM-PRIVAT-8163", "private_message")
OFFICE_MESSAGE = Marker("GEHEIM-BUERO-2954", "office_message")
#: An organisation shown to members only (forum/organisations/).
MEMBERS_ORG = Marker("GEHEIM-VEREIN-5531", "members_org")
MARKERS = (
    MEMBERS_TOPIC, MEMBERS_HELP, MEMBERS_EVENT, MEMBERS_EDIT, MEMBERS_CATEGORY, STAFF_TOPIC,
    STAFF_EVENT, STAFF_MOVED, STAFF_CATEGORY, HIDDEN_POST, HIDDEN_EARLIER, DELETED_POST,
    DELETED_TOPIC, DELETED_EVENT, HELD_REPLY, HELD_TOPIC, PRIVATE_MESSAGE, OFFICE_MESSAGE,
    MEMBERS_ORG,
)  # fmt: skip

#: Posts that contain this word wait for review (a watched word, action "hold").
HOLD_WORD = "spendenaufruf"
PASSWORD = "correct horse battery"

#: Category slugs; the plugins are enabled in all of them.
SLUGS = ("ehrenamt", "fragen", "allgemeines", "nachbarschaftshilfe", "koordination")


@dataclass
class Subject:
    """One piece of content and the values that point at it (URL arguments,
    form fields): ``post_id``, ``topic_id``, ``post_number``, ``marker``..."""

    name: str
    values: dict = field(default_factory=dict)


@dataclass
class World:
    accounts: dict[str, User]
    subjects: list[Subject]
    #: Values that differ per role (the personal calendar feed's token).
    role_values: dict[str, dict]
    #: Values every request may use (ids of admin things, the public category).
    common: dict
    plugins: tuple[str, ...]
    #: What must still be secret after the "build" requests (see ``secrets_kept``).
    ids: dict

    def value_sets(self, role: str) -> list[dict]:
        """The values of each subject, with the common and this role's values."""
        base = {**self.common, **self.role_values[role]}
        return [base] + [{**base, **subject.values} for subject in self.subjects]


def event_fields(start: datetime, place: str) -> dict[str, str]:
    """The composer's event fields (ignored while the events plugin is off)."""
    end = start + timedelta(hours=2)
    return {
        "plugin.events.starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "plugin.events.ends_at": end.strftime("%Y-%m-%dT%H:%M"),
        "plugin.events.place": place,
    }


def settings() -> dict:
    """Settings of the matrix app: small pages, so page numbers and cursors matter."""
    return {
        "POSTS_PER_PAGE": 3,
        "TOPICS_PER_PAGE": 3,
        "EVENTS_CATEGORIES": list(SLUGS),
        "SOLVED_CATEGORIES": list(SLUGS),
    }


def build(app: Flask, make) -> World:
    """Build the content through the real services; return accounts and subjects."""
    from forum.admin import services as admin
    from forum.boards import services as boards
    from forum.membership import applications
    from forum.messages import services as messages
    from forum.moderation import actions
    from forum.moderation import services as moderation
    from forum.organisations import requests as organisation_requests

    plugins = tuple(app.config["PLUGINS"])
    soon = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    soon += timedelta(days=30)

    author = make.user("autorin")
    neighbour = make.user("nachbar")
    coordinator = make.user("koordinatorin", role="moderator")
    flaggers = [make.user(f"melder{n}") for n in range(1, 4)]
    accounts = {
        "applicant": make.user("bewerberin", role="applicant"),
        "member": make.user("mitglied"),
        "silenced": make.user("stumm"),
        "suspended": make.user("gesperrt"),
        "author": author,
        "moderator": make.user("koordination", role="moderator"),
        "admin": make.user("verwaltung", role="admin"),
    }
    # A PDF with each secret marker, attached where the marker is: an upload is
    # served only to those who may read a post that uses it.
    files = _upload_pdfs(
        app,
        author,
        (MEMBERS_TOPIC, HIDDEN_POST, DELETED_POST, DELETED_TOPIC, HELD_REPLY, PRIVATE_MESSAGE),
    )
    files.update(_upload_pdfs(app, coordinator, (STAFF_TOPIC,)))
    public = make.category("Ehrenamt entdecken", slug="ehrenamt", read_level=ReadLevel.PUBLIC)
    questions = make.category("Fragen", slug="fragen", read_level=ReadLevel.PUBLIC)
    members = make.category(
        f"Allgemeines {MEMBERS_CATEGORY.text}", slug="allgemeines", read_level=ReadLevel.MEMBERS
    )
    help_category = make.category(
        "Nachbarschaftshilfe", slug="nachbarschaftshilfe", read_level=ReadLevel.MEMBERS,
        kind=CategoryKind.HELP,
    )  # fmt: skip
    staff = make.category(
        f"Koordination {STAFF_CATEGORY.text}", slug="koordination",
        read_level=ReadLevel.STAFF, write_level=WriteLevel.STAFF,
    )  # fmt: skip

    # Public topic A: a reply, the author's reply hidden after three flags (it
    # was edited before, and accepted as the solution first), and a held reply.
    topic_a = make.topic(author, public, "Öffentliches Thema zum Ehrenamt", "Wer macht mit?")
    make.post(topic_a, neighbour, "Eine öffentliche Antwort.", reply_to_post_number=1)
    hidden = make.post(topic_a, author, f"Erst {HIDDEN_EARLIER.text}", reply_to_post_number=1)
    # Public topic B: a reply that was the solution and is now deleted.
    topic_b = make.topic(neighbour, questions, "Eine öffentliche Frage", "Wie geht das?")
    deleted = make.post(
        topic_b, author, f"Antwort {DELETED_POST.text} {files[DELETED_POST][1]}",
        reply_to_post_number=1,
    )  # fmt: skip
    make.post(topic_b, neighbour, "Danke, das hilft.")
    member_topic = make.topic(
        author, members, f"Internes Thema {MEMBERS_TOPIC.text}", f"Text {MEMBERS_TOPIC.text}",
        extra=event_fields(soon, f"Treffpunkt {MEMBERS_EVENT.text}"),
    )  # fmt: skip
    make.post(member_topic, neighbour, f"Antwort {MEMBERS_TOPIC.text}", reply_to_post_number=1)
    help_topic = make.topic(
        author, help_category, f"Hilfe gesucht {MEMBERS_HELP.text}",
        f"Bitte helfen {MEMBERS_HELP.text}", help_kind="request", municipality="meinersen",
    )  # fmt: skip
    staff_topic = make.topic(
        coordinator, staff, f"Nur Koordination {STAFF_TOPIC.text}",
        f"Intern {STAFF_TOPIC.text} {files[STAFF_TOPIC][1]}",
        extra=event_fields(soon, f"Klausur {STAFF_EVENT.text}"),
    )  # fmt: skip
    moved_topic = make.topic(
        neighbour, public, f"Bald intern {STAFF_MOVED.text}", f"Umzug {STAFF_MOVED.text}"
    )
    deleted_topic = make.topic(
        author, public, f"Bald gelöscht {DELETED_TOPIC.text}",
        f"Gelöscht {DELETED_TOPIC.text} {files[DELETED_TOPIC][1]}",
        extra=event_fields(soon, f"Saal {DELETED_EVENT.text}"),
    )  # fmt: skip

    with app.app_context():

        def get(model, key):
            return db.session.get(model, key)

        def first_post(topic):
            return db.session.scalar(
                sa.select(Post).where(Post.topic_id == topic.id, Post.post_number == 1)
            )

        mod = get(User, coordinator.id)
        admin_account = get(User, accounts["admin"].id)
        boards.edit_post(
            get(User, author.id), first_post(member_topic),
            f"Geändert {MEMBERS_TOPIC.text} {files[MEMBERS_TOPIC][1]}",
            title=f"Internes Thema {MEMBERS_TOPIC.text}", reason=f"Grund {MEMBERS_EDIT.text}",
        )  # fmt: skip
        boards.edit_post(
            get(User, author.id), get(Post, hidden.id),
            f"Versteckt {HIDDEN_POST.text} {files[HIDDEN_POST][1]}",
            reason=f"Nachtrag {HIDDEN_EARLIER.text}",
        )  # fmt: skip
        if "solved" in plugins:
            from forum_plugins.solved import services as solved

            solved.accept_answer(get(User, author.id), get(Post, hidden.id))
            solved.accept_answer(get(User, neighbour.id), get(Post, deleted.id))
        for flagger in flaggers:
            flag_item = moderation.flag_post(get(User, flagger.id), get(Post, hidden.id), "spam")
        assert get(Post, hidden.id).hidden_at is not None, "three flags hide a post"
        boards.delete_post(mod, get(Post, deleted.id), reason="Test")
        boards.delete_post(mod, first_post(deleted_topic), reason="Test")
        actions.move_topic(mod, get(Topic, moved_topic.id), get(type(staff), staff.id))
        private = messages.start_conversation(
            get(User, author.id), [get(User, neighbour.id)],
            f"Privat {PRIVATE_MESSAGE.text}",
            f"Nur für dich {PRIVATE_MESSAGE.text} {files[PRIVATE_MESSAGE][1]}",
        )  # fmt: skip
        office = messages.start_conversation(
            get(User, author.id), [], f"Frage ans Büro {OFFICE_MESSAGE.text}",
            f"Liebe Koordination {OFFICE_MESSAGE.text}", to_office=True,
        )  # fmt: skip
        messages_category = private.category
        for row in (private, office, messages_category):
            db.session.refresh(row)
            db.session.expunge(row)

        word = admin.add_watched_word(admin_account, HOLD_WORD, "hold")
        held_reply = boards.submit_post(
            get(User, author.id), get(Topic, topic_a.id),
            f"Ein {HOLD_WORD} {HELD_REPLY.text} {files[HELD_REPLY][1]}", reply_to_post_number=2,
        )  # fmt: skip
        held_topic = boards.submit_topic(
            get(User, author.id), get(type(public), public.id),
            f"Wartet {HELD_TOPIC.text}", f"Ein {HOLD_WORD} {HELD_TOPIC.text}",
        )  # fmt: skip
        join_item = applications.submit_application(
            get(User, accounts["applicant"].id), [{"question": "Wer?", "answer": "Ich."}], 1
        )
        open_org, secret_org = _organisations(get(User, author.id))
        org_request = organisation_requests.request_representation(
            get(User, accounts["member"].id), "Ich bin Kassenwart.", organisation=open_org
        )
        common = _admin_ids(admin_account)
        common.update(word_id=word.id, public_id=public.id)
        # New topics "as" the public organisation (refused: no organisations category).
        common.update(organisation_id=open_org.id)
        # The admin's people pages act on the neighbour (no role account of the matrix).
        common.update(person_id=neighbour.id)
        role_values = _role_values(app, accounts, plugins)
        slugs = {t.id: t.slug for t in db.session.scalars(sa.select(Topic))}
        firsts = {
            topic_id: post_id
            for topic_id, post_id in db.session.execute(
                sa.select(Post.topic_id, Post.id).where(Post.post_number == 1)
            )
        }
        numbers = {p.id: p.post_number for p in db.session.scalars(sa.select(Post))}
        subject_ids = {
            "held_reply": held_reply.id, "held_topic": held_topic.id, "flag": flag_item.id,
            "join": join_item.id, "org_request": org_request.id,
        }  # fmt: skip
        org_slugs = {"open_org": open_org.slug, "secret_org": secret_org.slug}
        org_ids = _opportunities(get(User, author.id), open_org, secret_org, accounts)

    def topic_subject(name, topic, category, post=None):
        post_id = post.id if post is not None else firsts[topic.id]
        return Subject(
            name,
            {
                "slug": slugs[topic.id],
                "topic_id": topic.id,
                "post_id": post_id,
                "post_number": numbers[post_id],
                "category_id": category.id,
                "category_slug": category.slug,
            },
        )

    subjects = [
        topic_subject("members", member_topic, members),
        topic_subject("help", help_topic, help_category),
        topic_subject("staff", staff_topic, staff),
        topic_subject("deleted_topic", deleted_topic, public),
        topic_subject("hidden", topic_a, public, post=hidden),
        topic_subject("deleted_post", topic_b, questions, post=deleted),
        topic_subject("private", private, messages_category),
        topic_subject("office", office, messages_category),
    ]
    owners = {"staff": "koordinatorin"}
    attached = {
        "members": MEMBERS_TOPIC, "staff": STAFF_TOPIC, "deleted_topic": DELETED_TOPIC,
        "hidden": HIDDEN_POST, "deleted_post": DELETED_POST, "private": PRIVATE_MESSAGE,
    }  # fmt: skip
    for subject in subjects:
        subject.values["username"] = owners.get(subject.name, "autorin")
        if subject.name in attached:
            subject.values["upload_key"] = files[attached[subject.name]][0]
    subjects += [
        Subject(
            "held_reply",
            {
                "item_id": subject_ids["held_reply"],
                "username": "autorin",
                "upload_key": files[HELD_REPLY][0],
            },
        ),
        Subject("held_topic", {"item_id": subject_ids["held_topic"], "username": "autorin"}),
        Subject("flag", {"item_id": subject_ids["flag"], "username": "autorin"}),
        Subject("join", {"item_id": subject_ids["join"], "username": "bewerberin"}),
        Subject("org_request", {"item_id": subject_ids["org_request"], "username": "mitglied"}),
        # Organisations: the author represents both.
        Subject(
            "open_org",
            {
                "slug": org_slugs["open_org"],
                "username": "autorin",
                "opportunity_id": org_ids["open"],
                "interest_id": org_ids["open_interest"],
            },
        ),
        Subject(
            "secret_org",
            {
                "slug": org_slugs["secret_org"],
                "username": "autorin",
                "opportunity_id": org_ids["secret"],
                "interest_id": org_ids["secret_interest"],
            },
        ),
    ]
    ids = {
        **subject_ids, "hidden": hidden.id, "deleted": deleted.id,
        "deleted_topic": deleted_topic.id, "staff_topic": staff_topic.id,
        "moved": moved_topic.id, "member_topic": member_topic.id,
        "private": private.id, "office": office.id, "author": author.id,
        "neighbour": neighbour.id,
    }  # fmt: skip
    return World(accounts, subjects, role_values, common, plugins, ids)


def _organisations(author: User):
    """A public organisation and one shown to members only; the author represents both."""
    from forum.organisations import services as organisations

    open_org = organisations.create_organisation(
        "Offener Sportverein", "gifhorn", fields=["sport"], seeking_volunteers=True,
        contact_email="verein@example.org",
    )  # fmt: skip
    secret_org = organisations.create_organisation(
        f"Stiller Kreis {MEMBERS_ORG.text}", "brome", members_only=True,
        description=f"Nur für Mitglieder {MEMBERS_ORG.text}",
    )  # fmt: skip
    for organisation in (open_org, secret_org):
        organisations.add_representative(None, organisation, author)
    db.session.commit()
    return open_org, secret_org


def _opportunities(author: User, open_org, secret_org, accounts) -> dict:
    """An opportunity of each organisation; the member showed interest in both."""
    from forum.organisations import interests, opportunities

    values = {
        "kind": "opportunity", "description": "", "place": "", "from_home": False,
        "commitment": "regular", "hours_per_month": 4, "starts_on": None, "ends_on": None,
        "requirements": "", "suitable_for": ["seniors"], "contact_name": "", "cost": "",
        "registration": "",
    }  # fmt: skip
    public = opportunities.create_opportunity(
        author, open_org, {**values, "title": "Platzwart gesucht", "municipality": "gifhorn"}
    )
    secret = opportunities.create_opportunity(
        author, secret_org,
        {**values, "title": f"Stille Aufgabe {MEMBERS_ORG.text}", "municipality": "brome"},
    )  # fmt: skip
    member = db.session.get(User, accounts["member"].id)
    shown = [interests.show_interest(member, o, "Ich helfe gern.") for o in (public, secret)]
    return {
        "open": public.id, "secret": secret.id, "open_interest": shown[0].id,
        "secret_interest": shown[1].id,
    }  # fmt: skip


def _upload_pdfs(app: Flask, owner: User, markers) -> dict[Marker, tuple[str, str]]:
    """Upload a PDF holding each marker; return marker -> (key, markdown)."""
    from forum.uploads.services import save_upload

    found = {}
    with app.test_request_context():
        for marker in markers:
            data = b"%PDF-1.4\n% " + marker.text.encode() + b"\n%%EOF\n"
            saved = save_upload(db.session.get(User, owner.id), data, f"{marker.kind}.pdf")
            found[marker] = (saved.upload.key, saved.markdown)
    return found


def _admin_ids(admin_account: User) -> dict:
    from forum.admin import services as admin
    from forum.membership import services as membership

    question = membership.create_question(admin_account, "Wie sind Sie auf uns gekommen?", True)
    template = membership.create_rejection_template(
        admin_account, "Unvollständig", "Bitte ergänzen Sie Ihre Angaben."
    )
    admin.save_site_text(admin_account, "netiquette", "Netiquette", "Seien Sie freundlich.")
    return {"question_id": question.id, "template_id": template.id, "version": 1}


def _role_values(app: Flask, accounts: dict[str, User], plugins: tuple[str, ...]) -> dict:
    values: dict[str, dict] = {role: {"role": role, "password": PASSWORD} for role in ROLES}
    from forum.api import feed_keys

    with app.test_request_context():
        for role, account in accounts.items():
            # Each role's personal feed key (forum/api/feed_keys.py).
            values[role]["forum_feed_key"] = feed_keys.feed_token(db.session.get(User, account.id))
    if "events" in plugins:
        from forum_plugins.events import services as events

        with app.test_request_context():
            for role, account in accounts.items():
                values[role]["feed_token"] = events.feed_token(db.session.get(User, account.id))
    return values


def restrict(app: Flask, world: World) -> None:
    """Silence and suspend the two accounts (after they have logged in: a
    suspended member's open session must end too)."""
    with app.app_context():
        until = utcnow() + timedelta(days=3)
        db.session.get(User, world.accounts["silenced"].id).silenced_until = until
        db.session.get(User, world.accounts["suspended"].id).suspended_until = until
        db.session.commit()


def secrets_kept(app: Flask, world: World) -> list[str]:
    """Return how the secrets were let out of their places (by the "build" requests)."""
    from forum.boards.models import Category
    from forum.moderation.models import ReviewItem, ReviewStatus

    ids = world.ids
    with app.app_context():
        get = db.session.get
        states = {
            "the hidden post is hidden": get(Post, ids["hidden"]).hidden_at is not None,
            "the deleted post is deleted": get(Post, ids["deleted"]).deleted_at is not None,
            "the deleted topic is deleted": get(Topic, ids["deleted_topic"]).deleted_at is not None,
            "the held reply waits": get(ReviewItem, ids["held_reply"]).status
            == ReviewStatus.PENDING,
            "the held topic waits": get(ReviewItem, ids["held_topic"]).status
            == ReviewStatus.PENDING,
        }
        for name, level in (
            ("staff_topic", ReadLevel.STAFF), ("moved", ReadLevel.STAFF),
            ("member_topic", ReadLevel.MEMBERS),
        ):  # fmt: skip
            topic = get(Topic, ids[name])
            states[f"the {name} stays in its category"] = (
                get(Category, topic.category_id).read_level == level and topic.deleted_at is None
            )
        for name, expected in (
            ("private", {ids["author"], ids["neighbour"]}), ("office", {ids["author"], None}),
        ):  # fmt: skip
            topic = get(Topic, ids[name])
            people = {p.user_id for p in topic.participants if p.left_at is None}
            states[f"the {name} conversation keeps its participants"] = people == expected and (
                get(Category, topic.category_id).read_level == ReadLevel.PRIVATE
            )
    return [name for name, kept in states.items() if not kept]
