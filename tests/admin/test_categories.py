"""Categories in the admin area: every field saved changes what people see or may do."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from forum.admin import colours
from forum.boards.models import Category, Topic
from forum.extensions import db
from forum.moderation.models import AuditLog, ReviewItem
from forum.notifications.services import notify
from tests.conftest import login

FORM = {
    "name": "Größere Überraschungen",
    "slug": "",
    "description": "Für **alle**, die mitmachen.",
    "color": "#3d8a5a",
    "kind": "discussion",
    "parent_id": "",
    "read_level": "public",
    "write_level": "members",
    "reply_level": "members",
    "default_sort": "latest",
    "topic_template": "",
}


def _form(**overrides) -> dict:
    data = {**FORM, **overrides}
    return {key: value for key, value in data.items() if value is not None}


def _category(app, slug: str) -> Category:
    with app.app_context():
        category = db.session.scalar(sa.select(Category).where(Category.slug == slug))
        db.session.expunge_all()
        return category


def _log(app, action: str) -> list[AuditLog]:
    with app.app_context():
        entries = list(
            db.session.scalars(
                sa.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
            )
        )
        db.session.expunge_all()
        return entries


@pytest.fixture
def admin_client(app, admin):
    """The admin's own browser (``client`` is left for the people she affects)."""
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(browser, admin)
    return browser


# --- Creating and editing ----------------------------------------------------------------


def test_create_slugifies_german_cooks_markdown_and_logs(app, admin_client, admin):
    response = admin_client.post("/admin/categories/new", data=_form())
    assert response.status_code == 302
    category = _category(app, "groessere-ueberraschungen")
    assert category.name == "Größere Überraschungen"
    assert category.description_cooked == "<p>Für <strong>alle</strong>, die mitmachen.</p>"
    (entry,) = _log(app, "create_category")
    assert entry.actor_id == admin.id
    assert entry.details["new"]["slug"] == "groessere-ueberraschungen"
    assert entry.details["new"]["read_level"] == "public"
    # The description shows as HTML on the category's page.
    html = admin_client.get(f"/c/{category.slug}/{category.id}").get_data(as_text=True)
    assert "<strong>alle</strong>" in html
    assert 'href="/admin/categories/' in admin_client.get("/admin/categories").get_data(
        as_text=True
    )


def test_slug_must_be_unique_and_the_form_keeps_what_was_typed(app, admin_client, make):
    make.category("Vorhanden", slug="fragen")
    response = admin_client.post(
        "/admin/categories/new", data=_form(name="Fragen Zwei", slug="fragen", topic_template="X")
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Another category uses the slug “fragen”." in html
    assert 'value="Fragen Zwei"' in html and "X</textarea>" in html
    bad = admin_client.post("/admin/categories/new", data=_form(slug="Nicht gut!"))
    assert bad.status_code == 400
    assert "lower-case letters" in bad.get_data(as_text=True)


@pytest.mark.parametrize(
    ("colour", "message"),
    [
        ("#ffee58", "too pale on the light page"),  # yellow vanishes on white
        ("#0b1a3a", "too dark on the dark page"),  # navy vanishes on the dark page
        ("grün", "#rrggbb"),
    ],
)
def test_colour_needs_contrast_in_both_schemes(app, admin_client, colour, message):
    response = admin_client.post("/admin/categories/new", data=_form(color=colour))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _log(app, "create_category") == []


def test_contrast_rule_is_checked_against_the_stylesheets_backgrounds():
    css = (Path(__file__).parents[2] / "forum/static/css/forum.css").read_text()
    light, dark = css.split("@media (prefers-color-scheme: dark)", 1)
    for scheme, block in (("light", light), ("dark", dark)):
        found = tuple(
            re.search(rf"--{name}: #([0-9a-f]{{6}});", block)[1] for name in ("bg", "bg-soft")
        )
        assert found == colours.BACKGROUNDS[scheme], scheme
    # The rule: 3:1 for a shape (WCAG 1.4.11); a text colour would need 4.5:1.
    assert colours.contrast("ffffff", "000000") == pytest.approx(21)
    assert colours.readable_as_badge("3d8a5a")
    assert not colours.readable_as_badge("0b6e4f")  # the old default: too dark at night
    assert colours.normalise("#ABC") == "aabbcc"


def test_edit_logs_old_and_new_values(app, admin_client, make):
    category = make.category("Alt", slug="alt", read_level="public", color="3d8a5a")
    response = admin_client.post(
        f"/admin/categories/{category.id}",
        data=_form(name="Neu", slug="neu", read_level="members", color="#2a7ab0"),
    )
    assert response.status_code == 302
    (entry,) = _log(app, "update_category")
    assert entry.details["old"]["name"] == "Alt" and entry.details["new"]["name"] == "Neu"
    assert entry.details["old"]["read_level"] == "public"
    assert entry.details["new"]["read_level"] == "members"
    assert entry.details["new"]["color"] == "2a7ab0"
    # Saving the same values again writes no entry.
    admin_client.post(
        f"/admin/categories/{category.id}",
        data=_form(name="Neu", slug="neu", read_level="members", color="#2a7ab0"),
    )
    assert len(_log(app, "update_category")) == 1
    page = admin_client.get(f"/admin/categories/{category.id}").get_data(as_text=True)
    assert 'value="Neu"' in page and 'value="#2a7ab0"' in page


# --- Every field changes behaviour ------------------------------------------------------


def test_write_and_reply_levels(app, admin_client, make, client, login_as):
    category = make.category("Ankündigungen", slug="ankuendigungen")
    staff = make.user("redaktion", role="moderator")
    topic = make.topic(staff, category, "Neues aus dem Kreishaus")
    admin_client.post(
        f"/admin/categories/{category.id}",
        data=_form(name="Ankündigungen", slug="ankuendigungen", write_level="staff",
                   reply_level="staff"),
    )  # fmt: skip
    login_as(make.user("mitglied"))
    assert client.get(f"/new-topic?category={category.id}").status_code == 403
    assert client.get(f"/t/{topic.id}/reply").status_code in (403, 404)
    page = client.get(f"/t/{topic.slug}/{topic.id}").get_data(as_text=True)
    assert f'action="/t/{topic.id}/reply"' not in page
    # Members may reply again; starting topics stays with staff.
    with app.app_context():
        db.session.get(Category, category.id).reply_level = "members"
        db.session.commit()
    assert client.get(f"/t/{topic.id}/reply").status_code == 200
    assert client.get(f"/new-topic?category={category.id}").status_code == 403


def test_topic_template_prefills_the_composer(app, admin_client, make):
    category = make.category("Hilfe", slug="hilfe")
    admin_client.post(
        f"/admin/categories/{category.id}",
        data=_form(name="Hilfe", slug="hilfe", topic_template="**Was wird gebraucht?**"),
    )
    html = admin_client.get(f"/new-topic?category={category.id}").get_data(as_text=True)
    assert "**Was wird gebraucht?**</textarea>" in html


def test_default_sort_orders_the_category_page(app, admin_client, make):
    category = make.category("Sortiert", slug="sortiert")
    author = make.user()
    old = make.topic(author, category, "Altes Thema mit vielen Antworten")
    for _ in range(3):
        make.post(old, author)
    make.topic(author, category, "Junges Thema ohne Antwort")
    make.post(old, author)  # the old topic is the latest active one

    def titles():
        html = admin_client.get(f"/c/sortiert/{category.id}").get_data(as_text=True)
        return re.findall(r"(Altes Thema|Junges Thema)", html)[:2]

    assert titles() == ["Altes Thema", "Junges Thema"]
    for sort, expected in (("newest", ["Junges Thema", "Altes Thema"]),
                           ("replies", ["Altes Thema", "Junges Thema"])):  # fmt: skip
        admin_client.post(
            f"/admin/categories/{category.id}",
            data=_form(name="Sortiert", slug="sortiert", default_sort=sort),
        )
        assert titles() == expected, sort


def test_sorted_lists_page_by_their_own_cursor(app, make):
    from forum.boards import queries
    from forum.boards.models import TopicSort

    category = make.category("Viele", slug="viele", read_level="public")
    author = make.user()
    topics = [make.topic(author, category, f"Thema {n}") for n in range(5)]
    for number, topic in enumerate(topics):
        for _ in range(number % 3):
            make.post(topic, author)
    with app.test_request_context():
        category = db.session.get(Category, category.id)
        for sort in TopicSort:
            seen, cursor = [], None
            while True:
                window = queries.list_topics(None, category=category, cursor=cursor, limit=2,
                                             sort=sort)  # fmt: skip
                seen += [row.topic.id for row in window.rows]
                cursor = window.next_cursor
                if cursor is None:
                    break
            assert sorted(seen) == sorted(t.id for t in topics), sort
            assert len(seen) == len(set(seen)), sort


def test_held_new_member_topics(app, admin_client, make, client, login_as):
    app.config["HOLD_FIRST_POSTS"] = 0
    category = make.category("Streng", slug="streng")
    newcomer = make.user("neu")
    login_as(newcomer)
    data = {"category": category.id, "title": "Mein erstes Thema hier", "raw": "Hallo zusammen!"}
    assert client.post("/new-topic", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewItem)) == 0
        db.session.get(Category, category.id).hold_new_member_topics = True
        db.session.commit()
    client.post("/new-topic", data={**data, "title": "Mein zweites Thema hier"})
    with app.app_context():
        (item,) = db.session.scalars(sa.select(ReviewItem)).all()
        assert item.reason == "category_new_member"
    # Staff and members with enough posts are not held.
    from forum.boards.policy import NEW_MEMBER_POSTS

    with app.app_context():
        from forum.users.models import User

        db.session.get(User, newcomer.id).published_post_count = NEW_MEMBER_POSTS
        db.session.commit()
    client.post("/new-topic", data={**data, "title": "Mein drittes Thema hier"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewItem)) == 1


def test_kind_help_asks_for_help_fields(app, admin_client, make, client, login_as):
    category = make.category("Nachbarn", slug="nachbarn")
    admin_client.post(
        f"/admin/categories/{category.id}",
        data=_form(name="Nachbarn", slug="nachbarn", kind="help"),
    )
    login_as(make.user("helferin"))
    response = client.post(
        "/new-topic",
        data={"category": category.id, "title": "Wer kann einkaufen?", "raw": "Bitte melden."},
    )
    assert response.status_code == 400
    assert "needs a kind" in response.get_data(as_text=True)


# --- Stricter read level: everywhere at once ---------------------------------------------


def test_stricter_read_level_takes_effect_everywhere(app, admin_client, make, client):
    category = make.category("Offen", slug="offen", read_level="public")
    author = make.user("autorin")
    topic = make.topic(author, category, "Sommerfest im Kreishaus")
    reader = make.user("leserin")
    with app.app_context():
        notify(reader.id, "replied", topic_id=topic.id, username="autorin")
        db.session.commit()
    guest = app.test_client()
    guest.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "Sommerfest" in guest.get("/").get_data(as_text=True)
    assert f"/t/{topic.slug}/{topic.id}" in guest.get("/search?q=Sommerfest").get_data(as_text=True)
    assert guest.get(f"/t/{topic.slug}/{topic.id}").status_code == 200

    admin_client.post(
        f"/admin/categories/{category.id}",
        data=_form(name="Offen", slug="offen", read_level="staff"),
    )
    assert "Sommerfest" not in guest.get("/").get_data(as_text=True)
    assert "Sommerfest" not in guest.get("/latest").get_data(as_text=True)
    assert guest.get(f"/t/{topic.slug}/{topic.id}").status_code == 404
    assert guest.get(f"/c/offen/{category.id}").status_code == 404
    assert f"/t/{topic.slug}/{topic.id}" not in guest.get("/search?q=Sommerfest").get_data(
        as_text=True
    )
    # A member's notification about it is gone too (staff only now).
    from forum.notifications.services import list_notifications
    from forum.users.models import User

    with app.app_context():
        assert list_notifications(db.session.get(User, reader.id)) == []


# --- Order, nesting, archive, delete -----------------------------------------------------


def test_reorder_with_buttons_and_with_the_drag_handle(app, admin_client, make):
    ids = [make.category(name, slug=name.lower()).id for name in ("Eins", "Zwei", "Drei")]

    def order():
        with app.app_context():
            return list(
                db.session.scalars(
                    sa.select(Category.name).where(Category.parent_id.is_(None))
                    .order_by(Category.position)
                )
            )  # fmt: skip

    admin_client.post(f"/admin/categories/{ids[2]}/move", data={"direction": "up"})
    assert order() == ["Eins", "Drei", "Zwei"]
    admin_client.post(f"/admin/categories/{ids[0]}/move", data={"direction": "down"})
    assert order() == ["Drei", "Eins", "Zwei"]
    assert (
        admin_client.post(
            f"/admin/categories/{ids[0]}/move", data={"direction": "sideways"}
        ).status_code
        == 400
    )
    response = admin_client.post(
        "/admin/categories/reorder",
        data={"order": f"{ids[1]},{ids[0]},{ids[2]}", "parent_id": ""},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 204
    assert order() == ["Zwei", "Eins", "Drei"]
    assert (
        admin_client.post(
            "/admin/categories/reorder", data={"order": f"{ids[1]},kaputt"}
        ).status_code
        == 400
    )
    stale = admin_client.post(
        "/admin/categories/reorder",
        data={"order": f"{ids[1]},{ids[0]}"},
        headers={"Accept": "application/json"},
    )
    assert stale.status_code == 409
    entries = _log(app, "reorder_categories")
    assert len(entries) == 3
    assert entries[-1].details["new"] == ["Zwei", "Eins", "Drei"]
    assert entries[-1].details["old"] == ["Drei", "Eins", "Zwei"]


def test_nesting_is_one_level_deep(app, admin_client, make):
    top = make.category("Vereine", slug="vereine")
    child = make.category("Sport", slug="sport")
    admin_client.post(
        f"/admin/categories/{child.id}", data=_form(name="Sport", slug="sport", parent_id=top.id)
    )
    assert _category(app, "sport").parent_id == top.id
    grandchild = make.category("Fußball", slug="fussball")
    response = admin_client.post(
        f"/admin/categories/{grandchild.id}",
        data=_form(name="Fußball", slug="fussball", parent_id=child.id),
    )
    # A subcategory is not offered as a parent; a crafted value is refused.
    assert response.status_code == 400
    response = admin_client.post(
        f"/admin/categories/{top.id}", data=_form(name="Vereine", slug="vereine", parent_id=top.id)
    )
    assert response.status_code == 400
    html = admin_client.get("/admin/categories").get_data(as_text=True)
    assert 'aria-label="Subcategories of Vereine"' in html


def test_archived_category_is_read_only_and_unlisted(app, admin_client, make, client, login_as):
    category = make.category("Damals", slug="damals", read_level="public")
    topic = make.topic(make.user(), category, "Weihnachtsmarkt 2025")
    admin_client.post(f"/admin/categories/{category.id}/archive", data={"archived": "1"})
    (entry,) = _log(app, "archive_category")
    assert entry.details == {"old": {"archived": False}, "new": {"archived": True}}
    login_as(make.user("mitglied"))
    assert "Weihnachtsmarkt" not in client.get("/").get_data(as_text=True)
    assert "Weihnachtsmarkt" not in client.get("/latest").get_data(as_text=True)
    page = client.get(f"/c/damals/{category.id}").get_data(as_text=True)
    assert "This category is archived" in page and "Weihnachtsmarkt" in page
    assert client.get(f"/t/{topic.slug}/{topic.id}").status_code == 200
    assert client.get(f"/t/{topic.id}/reply").status_code in (403, 404)
    assert client.get(f"/new-topic?category={category.id}").status_code == 403
    admin_client.post(f"/admin/categories/{category.id}/archive", data={"archived": "0"})
    assert client.get(f"/t/{topic.id}/reply").status_code == 200


def test_delete_only_when_empty_after_moving_the_topics(app, admin_client, make):
    old = make.category("Alt", slug="alt")
    new = make.category("Neu", slug="neu")
    author = make.user()
    for number in range(3):
        make.topic(author, old, f"Thema zum Umziehen {number}")
    page = admin_client.get(f"/admin/categories/{old.id}/delete").get_data(as_text=True)
    assert "(deleted ones included): 3" in page
    refused = admin_client.post(f"/admin/categories/{old.id}/delete", data={"delete-confirm": "y"})
    assert refused.status_code == 400
    assert _category(app, "alt") is not None
    moved = admin_client.post(
        f"/admin/categories/{old.id}/delete", data={"move-destination": str(new.id)}
    )
    assert moved.status_code == 302
    with app.app_context():
        assert db.session.get(Category, new.id).topic_count == 3
        assert db.session.get(Category, old.id).topic_count == 0
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Topic).where(Topic.category_id == new.id)
            )
            == 3
        )
    unconfirmed = admin_client.post(f"/admin/categories/{old.id}/delete", data={})
    assert unconfirmed.status_code == 400
    gone = admin_client.post(f"/admin/categories/{old.id}/delete", data={"delete-confirm": "y"})
    assert gone.status_code == 302
    assert _category(app, "alt") is None
    (entry,) = _log(app, "delete_category")
    assert entry.details["old"]["name"] == "Alt"
    (move,) = _log(app, "move_category_topics")
    assert move.details["count"] == 3 and move.details["destination"] == "Neu"


def test_category_pages_refuse_everyone_but_admins(make, client, login_as, coordinator):
    category = make.category("Geheim", slug="geheim")
    login_as(coordinator)
    for path in ("/admin/categories", "/admin/categories/new", f"/admin/categories/{category.id}",
                 f"/admin/categories/{category.id}/delete", "/admin/setup/site"):  # fmt: skip
        assert client.get(path).status_code == 404, path
    assert client.post(f"/admin/categories/{category.id}/archive",
                       data={"archived": "1"}).status_code == 404  # fmt: skip
