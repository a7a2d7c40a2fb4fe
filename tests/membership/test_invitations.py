"""Invitations: staff invite by e-mail, the link makes a member without approval."""

import hashlib
from datetime import timedelta

import sqlalchemy as sa

from forum.db import utcnow
from forum.extensions import db
from forum.membership.models import Invitation, MembershipApplication
from forum.moderation.models import AuditLog, ReviewItem
from forum.users.models import Role

from .conftest import body, link_in, load_user

PASSWORD = "lange genug 123"


def _invite(client, login_as, inviter, mailbox, email="gast@example.org") -> str:
    login_as(inviter)
    response = client.post("/admin/invitations", data={"email": email})
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/logout")
    return link_in(mailbox.to(email)[0], "/invite/")


def _accept(client, link, **overrides):
    data = {
        "username": "gast",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "netiquette_version": "0",
        "accept_netiquette": "y",
    }
    data.update(overrides)
    return client.post(link, data=data)


def test_invitation_end_to_end(app, client, login_as, admin, mailbox):
    link = _invite(client, login_as, admin, mailbox)
    token = link.rsplit("/", 1)[1]
    message = mailbox.to("gast@example.org")[0]
    assert "verwaltung" in body(message)

    with app.app_context():
        invitation = db.session.scalar(sa.select(Invitation))
        # Only the digest of the secret is stored.
        assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in repr(db.session.execute(sa.select(Invitation.__table__)).all())
        assert invitation.expires_at - utcnow() > timedelta(days=13)
        entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "create_invitation"))
        assert entry.actor_id == admin.id
        assert entry.target_label == "gast@example.org"

    page = client.get(link)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="gast@example.org" readonly' in html
    assert 'name="email"' not in html
    assert "Freundlich und respektvoll" in html

    # The netiquette must be accepted here too.
    response = _accept(client, link, accept_netiquette="")
    assert response.status_code == 400
    assert "Please accept the netiquette to join." in response.get_data(as_text=True)

    response = _accept(client, link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    user = load_user(app, "gast")
    assert user.role == Role.MEMBER
    assert user.email == "gast@example.org"
    assert user.email_confirmed
    with app.app_context():
        invitation = db.session.scalar(sa.select(Invitation))
        assert invitation.used_by_id == user.id and invitation.used_at is not None
        application = db.session.scalar(sa.select(MembershipApplication))
        assert (application.user_id, application.netiquette_version) == (user.id, 1)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewItem)) == 0
    html = client.get("/").get_data(as_text=True)
    assert "You are now a member" in html

    # Used up: a clear message, also for whoever opens it next.
    client.post("/logout")
    response = client.get(link)
    assert response.status_code == 410
    assert "already been used" in response.get_data(as_text=True)
    assert _accept(client, link, username="zweiter").status_code == 410


def test_expired_invitation(app, client, login_as, admin, mailbox):
    link = _invite(client, login_as, admin, mailbox)
    with app.app_context():
        db.session.execute(sa.update(Invitation).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    response = client.get(link)
    assert response.status_code == 410
    assert "has expired" in response.get_data(as_text=True)
    assert _accept(client, link).status_code == 410
    with app.app_context():
        assert db.session.scalar(sa.select(Invitation.used_at)) is None


def test_unknown_invitation_link(client):
    response = client.get("/invite/not-a-real-token")
    assert response.status_code == 404
    assert "not valid" in response.get_data(as_text=True)


def test_invitation_form_keeps_input_and_checks_the_username(
    client, login_as, admin, make, mailbox
):
    make.user("vergeben")
    link = _invite(client, login_as, admin, mailbox)
    response = _accept(client, link, username="vergeben")
    assert response.status_code == 400
    assert "already taken" in response.get_data(as_text=True)
    response = _accept(client, link, password_confirm="anders als oben")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The passwords do not match." in html
    assert 'value="gast"' in html


def test_logged_in_person_is_asked_to_log_out(client, login_as, admin, make, mailbox):
    link = _invite(client, login_as, admin, mailbox)
    login_as(make.user("jemand"))
    response = client.get(link)
    assert response.status_code == 200
    assert "please log out first" in response.get_data(as_text=True)
    assert _accept(client, link).status_code == 200
    with client.application.app_context():
        assert db.session.scalar(sa.select(Invitation.used_at)) is None


def test_moderator_may_invite(client, login_as, coordinator, mailbox):
    link = _invite(client, login_as, coordinator, mailbox, "helfer@example.org")
    assert link.startswith("/invite/")


def test_no_invitation_for_an_existing_account(app, client, login_as, admin, make, mailbox):
    make.user("mitglied", email="mitglied@example.org")
    login_as(admin)
    response = client.post("/admin/invitations", data={"email": "Mitglied@example.org"})
    assert response.status_code == 400
    assert "exists already" in response.get_data(as_text=True)
    response = client.post("/admin/invitations", data={"email": "kein-mail"})
    assert response.status_code == 400
    assert 'value="kein-mail"' in response.get_data(as_text=True)
    assert mailbox.messages == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_invitation_list(client, login_as, admin, mailbox):
    _invite(client, login_as, admin, mailbox)
    login_as(admin)
    html = client.get("/admin/invitations").get_data(as_text=True)
    assert "gast@example.org" in html
    assert "open until" in html


def test_members_cannot_invite(client, login_as, make, mailbox):
    login_as(make.user("mitglied"))
    assert client.get("/admin/invitations").status_code == 404
    assert client.post("/admin/invitations", data={"email": "x@example.org"}).status_code == 404
    assert mailbox.messages == []
