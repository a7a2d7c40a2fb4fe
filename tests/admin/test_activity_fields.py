"""The admin edits the fields of activity: add, rename (the slug stays),
remove the unused; each change in the audit log; nobody else enters."""

import sqlalchemy as sa

from forum.extensions import db
from forum.moderation.models import AuditLog
from forum.organisations import services
from forum.organisations.models import ActivityField


def _fields(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(sa.select(ActivityField.name, ActivityField.slug)).all())


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))


def test_the_admin_adds_renames_and_removes_fields(app, client, make, login_as, admin, english):
    login_as(admin)
    page = client.get("/admin/bereiche").get_data(as_text=True)
    assert "Tierschutz" in page and "Fields of activity" in page
    response = client.post("/admin/bereiche", data={"name": "  Digitales   Lernen "})
    assert response.status_code == 302
    assert _fields(app)["Digitales Lernen"] == "digitales-lernen"
    again = client.post("/admin/bereiche", data={"name": "digitales lernen"})
    assert again.status_code == 400
    assert "There is already a field called" in again.get_data(as_text=True)
    assert client.post("/admin/bereiche", data={"name": ""}).status_code == 400

    with app.app_context():
        sport = db.session.scalar(sa.select(ActivityField).where(ActivityField.slug == "sport"))
        sport_id = sport.id
        services.create_organisation("SV Blau-Weiß Isenbüttel", "isenbuettel", fields=["sport"])
    response = client.post(f"/admin/bereiche/{sport_id}", data={"name": "Sport & Bewegung"})
    assert response.status_code == 302
    assert _fields(app)["Sport & Bewegung"] == "sport"  # the filter addresses keep working
    assert "Sport &amp; Bewegung" in client.get("/organisationen?field=sport").get_data(True)

    # A field an organisation names stays; an unused one goes.
    page = client.post(f"/admin/bereiche/{sport_id}/entfernen", follow_redirects=True)
    assert "is still named by 1 organisation(s)" in page.get_data(as_text=True)
    assert "Sport & Bewegung" in _fields(app)
    with app.app_context():
        new_id = db.session.scalar(
            sa.select(ActivityField.id).where(ActivityField.slug == "digitales-lernen")
        )
    assert client.post(f"/admin/bereiche/{new_id}/entfernen").status_code == 302
    assert "Digitales Lernen" not in _fields(app)
    assert client.post("/admin/bereiche/999999/entfernen").status_code == 404
    assert [a for a in _actions(app) if "activity_field" in a] == [
        "add_activity_field", "rename_activity_field", "remove_activity_field",
    ]  # fmt: skip
    log = client.get("/admin/log").get_data(as_text=True)
    assert "Field of activity renamed" in log


def test_only_admins_enter(client, make, login_as, coordinator):
    assert client.get("/admin/bereiche").status_code == 404
    login_as(coordinator)
    assert client.get("/admin/bereiche").status_code == 404
    assert client.post("/admin/bereiche", data={"name": "Heimlich"}).status_code == 404
