"""Representatives: asking through the review queue, the coordinator's
decision, editing the profile, leaving, removal, the verified mark, the audit log."""

import sqlalchemy as sa

from forum.extensions import db
from forum.moderation.models import AuditLog, ReviewItem, ReviewStatus
from forum.notifications.models import Notification
from forum.organisations.models import Organisation, Representative


def _items(app):
    with app.app_context():
        return list(db.session.scalars(sa.select(ReviewItem).order_by(ReviewItem.id)))


def _actions(app):
    with app.app_context():
        return [a for a in db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id))]


def _reps(app, slug):
    with app.app_context():
        return set(
            db.session.scalars(
                sa.select(Representative.user_id)
                .join(Organisation)
                .where(Organisation.slug == slug)
            )
        )


def test_a_member_asks_and_the_coordinator_confirms(
    app, client, make, make_org, login_as, coordinator
):
    make_org()
    petra = make.user("petra")
    login_as(petra)
    response = client.post(
        "/o/sv-blau-weiss-isenbuettel/vertreten", data={"reason": "Ich bin die Vorsitzende."}
    )
    assert response.status_code == 302
    again = client.post("/o/sv-blau-weiss-isenbuettel/vertreten", data={"reason": "Nochmal"})
    assert "waits for the coordinator" in again.get_data(as_text=True)
    [item] = _items(app)
    assert item.kind == "organisation_request" and item.user_id == petra.id

    login_as(coordinator)
    card = client.get(f"/review/{item.id}").get_data(as_text=True)
    assert "Ich bin die Vorsitzende." in card and "Confirm representative" in card
    assert "Asks to represent SV Blau-Weiß Isenbüttel" in card
    queue = client.get("/review").get_data(as_text=True)
    assert "Organisation representative" in queue
    client.post(f"/organisationen/anfragen/{item.id}", data={"decision": "confirm"})
    assert _reps(app, "sv-blau-weiss-isenbuettel") == {petra.id}
    assert _items(app)[0].status == ReviewStatus.APPROVED
    assert "organisation_request_confirm" in _actions(app)
    assert "add_representative" in _actions(app)
    with app.app_context():
        kinds = db.session.scalars(
            sa.select(Notification.kind).where(Notification.user_id == petra.id)
        )
        assert "representation_confirmed" in set(kinds)
    login_as(petra)
    notes = client.get("/notifications").get_data(as_text=True)
    assert "You now represent “SV Blau-Weiß Isenbüttel”." in notes


def test_a_request_for_a_new_organisation_creates_it_on_confirmation(
    app, client, make, login_as, coordinator
):
    login_as(make.user("jonas"))
    client.post(
        "/organisationen/neu",
        data={"name": "Repair-Café Wesendorf", "municipality": "wesendorf", "reason": "Gründer"},
    )
    [item] = _items(app)
    login_as(coordinator)
    client.post(f"/organisationen/anfragen/{item.id}", data={"decision": "confirm"})
    page = client.get("/o/repair-cafe-wesendorf").get_data(as_text=True)
    assert "Repair-Café Wesendorf" in page and "jonas" in page
    assert "create_organisation" in _actions(app)


def test_declining_needs_a_reason_the_member_reads(
    app, client, make, make_org, login_as, coordinator
):
    make_org()
    jonas = make.user("jonas")
    login_as(jonas)
    client.post("/o/sv-blau-weiss-isenbuettel/vertreten", data={"reason": "Fan"})
    [item] = _items(app)
    login_as(coordinator)
    client.post(f"/organisationen/anfragen/{item.id}", data={"decision": "decline"})
    assert _items(app)[0].status == ReviewStatus.PENDING
    client.post(
        f"/organisationen/anfragen/{item.id}",
        data={"decision": "decline", "reason": "Bitte der Vorstand selbst."},
    )
    assert _items(app)[0].status == ReviewStatus.REJECTED
    assert _reps(app, "sv-blau-weiss-isenbuettel") == set()
    login_as(jonas)
    assert "Bitte der Vorstand selbst." in client.get("/notifications").get_data(as_text=True)


def test_only_the_coordinator_decides(app, client, make, make_org, login_as):
    make_org()
    login_as(make.user())
    client.post("/o/sv-blau-weiss-isenbuettel/vertreten", data={"reason": "Ich"})
    [item] = _items(app)
    response = client.post(f"/organisationen/anfragen/{item.id}", data={"decision": "confirm"})
    assert response.status_code == 404
    assert _items(app)[0].status == ReviewStatus.PENDING


def test_representatives_edit_the_profile_others_may_not(app, client, make, make_org, login_as):
    rep = make.user("vorsitz")
    make_org(reps=[rep])
    login_as(make.user())
    assert client.get("/o/sv-blau-weiss-isenbuettel/bearbeiten").status_code == 403
    login_as(rep)
    assert client.get("/o/sv-blau-weiss-isenbuettel/bearbeiten").status_code == 200
    response = client.post(
        "/o/sv-blau-weiss-isenbuettel/bearbeiten",
        data={
            "name": "SV Blau-Weiß Isenbüttel", "municipality": "isenbuettel",
            "short_line": "Fußball, Turnen, Tischtennis", "fields": ["sport", "kinder-jugend"],
            "description": "Seit 1921.", "seeking_volunteers": "y",
            "website": "https://sv-isenbuettel.example.org",
        },
    )  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        organisation = db.session.scalar(sa.select(Organisation))
        assert organisation.short_line == "Fußball, Turnen, Tischtennis"
        assert [f.slug for f in organisation.fields] == ["sport", "kinder-jugend"]
        assert organisation.seeking_volunteers and organisation.description_cooked
    assert "update_organisation" in _actions(app)


def test_a_representative_leaves_and_the_coordinator_removes_and_verifies(
    app, client, make, make_org, login_as, coordinator
):
    anna, ben = make.user("anna"), make.user("ben")
    make_org(reps=[anna, ben])
    login_as(anna)
    client.post("/o/sv-blau-weiss-isenbuettel/verlassen")
    assert _reps(app, "sv-blau-weiss-isenbuettel") == {ben.id}
    assert client.post("/o/sv-blau-weiss-isenbuettel/verifizieren").status_code == 404
    login_as(coordinator)
    client.post("/o/sv-blau-weiss-isenbuettel/vertreter/ben/entfernen")
    assert _reps(app, "sv-blau-weiss-isenbuettel") == set()
    client.post("/o/sv-blau-weiss-isenbuettel/verifizieren")
    assert "verified" in client.get("/organisationen").get_data(as_text=True)
    client.post("/o/sv-blau-weiss-isenbuettel/entziehen")
    with app.app_context():
        assert db.session.scalar(sa.select(Organisation.verified_at)) is None
    assert {
        "leave_organisation", "remove_representative", "verify_organisation",
        "unverify_organisation",
    } <= set(_actions(app))  # fmt: skip


def test_an_anonymised_account_no_longer_represents_or_asks(app, make, make_org, client, login_as):
    from forum.users.models import User
    from forum.users.removal import KEEP_POSTS, anonymise

    anna = make.user("anna")
    make_org(reps=[anna])
    make_org("Tafel Gifhorn", "gifhorn")
    login_as(anna)
    client.post("/o/tafel-gifhorn/vertreten", data={"reason": "Ich helfe dort."})
    with app.app_context():
        person = db.session.get(User, anna.id)
        anonymise(person, person, KEEP_POSTS)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Representative)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewItem)) == 0
