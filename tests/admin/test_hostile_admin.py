"""An attacker's pass over the admin area: markup typed into admin fields, search
words and names comes back as text wherever it is echoed (lists, flash messages,
the audit log, the dashboard, the page title); a moderator's session cannot use an
admin-only form; GET on a POST-only route is refused; JSON bodies change nothing."""

import pytest
import sqlalchemy as sa

from forum.boards.models import Category
from forum.extensions import db
from forum.moderation.models import AuditLog
from forum.users.models import User

MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;"


def _html(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _no_raw_markup(html: str, where: str) -> None:
    assert "<script>alert" not in html, where
    assert "<img src=x" not in html, where


def test_markup_in_admin_fields_is_text_everywhere_it_is_echoed(app, client, login_as, admin):
    login_as(admin)
    category = {
        "name": f"Kat {MARKUP}"[:60], "slug": "kat", "description": MARKUP, "color": "3d8a5a",
        "kind": "discussion", "parent_id": "", "read_level": "public", "write_level": "members",
        "reply_level": "members", "default_sort": "latest", "topic_template": MARKUP,
    }  # fmt: skip
    response = client.post("/admin/categories/new", data=category, follow_redirects=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    client.post("/admin/watched-words", data={"word": MARKUP[:40], "action": "block"})
    client.post("/admin/rejection-templates", data={"title": MARKUP[:80], "body": MARKUP})
    client.post("/admin/questions", data={"text": MARKUP, "required": "y"})
    client.post("/admin/setup/site", data={"name": f"Forum {MARKUP}"[:100], "description": MARKUP})
    client.post("/admin/invitations", data={"email": f"{MARKUP}@example.org"})
    with app.app_context():
        category_id = db.session.scalar(sa.select(Category.id).where(Category.slug == "kat"))
        logged = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
    assert category_id and logged >= 5
    # Flash messages with a category's name (archiving echoes it).
    response = client.post(
        f"/admin/categories/{category_id}/archive", data={"archived": "1"}, follow_redirects=True
    )
    _no_raw_markup(response.get_data(as_text=True), "archive flash")
    # A guest's search word that found nothing reaches the dashboard.
    client.get(f"/search?q={MARKUP}", buffered=True).close()
    for path in (
        "/admin/", "/admin/categories", f"/admin/categories/{category_id}",
        f"/admin/categories/{category_id}/delete", "/admin/watched-words",
        "/admin/rejection-templates", "/admin/questions", "/admin/log", "/admin/settings",
        "/admin/invitations", "/admin/setup/site", "/admin/users", f"/admin/users/{admin.id}",
        "/", "/latest",
    ):  # fmt: skip
        html = _html(client, path)
        _no_raw_markup(html, path)
    log = _html(client, "/admin/log")
    assert ESCAPED in log  # shown, as text
    assert "<dt>Required answer</dt><dd>yes</dd>" in log  # a label and a yes, not Python's True
    assert "&lt;img src=x" in _html(client, "/admin/")  # the search word, as text


@pytest.mark.parametrize(
    "path",
    [
        "/admin/settings", "/admin/questions", "/admin/rejection-templates", "/admin/watched-words",
        "/admin/categories/new", "/admin/categories/reorder",
        "/admin/setup/site", "/admin/setup/skip", "/admin/users/{me}/role",
        "/admin/users/{me}/delete", "/admin/users/{me}/merge",
        "/admin/users/{me}/reset-password", "/admin/texts/netiquette",
    ],
)  # fmt: skip
def test_a_moderator_cannot_post_to_admin_only_forms(app, client, login_as, coordinator, path):
    login_as(coordinator)
    path = path.format(me=coordinator.id)
    before = _counts(app)
    response = client.post(
        path, data={"role": "admin", "name": "x", "email": "a@example.org", "order": "1"}
    )
    assert response.status_code in (403, 404), path
    response = client.post(path, json={"role": "admin", "order": "1"})
    assert response.status_code in (403, 404, 415), path
    assert _counts(app) == before
    with app.app_context():
        assert db.session.get(User, coordinator.id).role.value == "moderator"


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Category)),
        )


@pytest.mark.parametrize(
    "path",
    [
        "/admin/categories/reorder", "/admin/setup/skip", "/admin/users/{id}/role",
        "/admin/users/{id}/delete", "/admin/users/{id}/merge", "/admin/users/{id}/confirm-email",
        "/admin/watched-words/1/delete", "/admin/rejection-templates/1/delete",
        "/admin/questions/1/move", "/admin/categories/1/archive", "/admin/categories/1/move",
    ],
)  # fmt: skip
def test_post_only_routes_refuse_get(client, login_as, admin, member, path):
    login_as(admin)
    assert client.get(path.format(id=member.id)).status_code == 405


def test_json_bodies_change_nothing(app, client, login_as, admin, member):
    login_as(admin)
    before = _counts(app)
    for path, body in (
        (f"/admin/users/{member.id}/role", {"role": "admin"}),
        ("/admin/settings", {"site_name": "Übernommen", "flags_to_hide": 1}),
        ("/admin/categories/new", {"name": "Übernommen", "slug": "x", "color": "3d8a5a"}),
        (f"/admin/users/{member.id}/delete", {"posts": "delete", "confirm": True}),
    ):
        response = client.post(path, json=body)
        assert response.status_code in (400, 415), path
    assert _counts(app) == before
    with app.app_context():
        assert db.session.get(User, member.id).role.value == "member"
