"""A member's own data (GDPR): she downloads everything the forum keeps about her,
only ever her own, on request and not too often; she deletes her own account with
her password, anonymised by the same service the admin uses."""

import json
import re

import pytest
import sqlalchemy as sa

from forum.auth.models import LoginRecord
from forum.boards.models import Bookmark, Category, Post, PostLike, ReadLevel
from forum.extensions import db
from forum.membership.models import MembershipApplication
from forum.moderation.models import AuditLog
from forum.notifications.models import Notification
from forum.users.models import User
from tests.conftest import Factory


@pytest.fixture
def anke(app, make):
    """A member with a post, a like, a bookmark, a notification, answers and log-ins."""
    anke = make.user("anke", display_name="Anke <b>Schulz</b>")
    other = make.user("bernd")
    category = make.category("Allgemeines", read_level="members")
    topic = make.topic(author=other, category=category, title="Wer hilft beim Umzug?")
    post = make.post(topic, author=anke, raw="Ich komme **gern** vorbei.")
    make.post(topic, author=other, raw="Bernds eigene Antwort, nicht Ankes.")
    with app.app_context():
        db.session.add_all([
            PostLike(post_id=topic.first_post_id if hasattr(topic, "first_post_id") else post.id,
                     user_id=anke.id),
            Bookmark(post_id=post.id, user_id=anke.id),
            Notification(user_id=anke.id, kind="replied", topic_id=topic.id,
                         data={"title": "Wer hilft beim Umzug?"}),
            MembershipApplication(user_id=anke.id, netiquette_version=2,
                                  answers=[{"question": "Warum?", "answer": "Nachbarschaft"}]),
            LoginRecord(user_id=anke.id, ip_address="192.0.2.7"),
            LoginRecord(user_id=other.id, ip_address="198.51.100.9"),
        ])  # fmt: skip
        db.session.commit()
    return anke


def _export(client):
    return client.post("/settings/export")


def test_a_member_downloads_her_own_data(app, client, login_as, anke):
    login_as(anke)
    response = _export(client)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["username"] == "anke"
    assert data["profile"]["email"] == "anke@example.org"
    assert data["profile"]["display_name"] == "Anke <b>Schulz</b>"  # her text, as typed
    assert [post["raw"] for post in data["posts"]] == ["Ich komme **gern** vorbei."]
    assert data["posts"][0]["topic_title"] == "Wer hilft beim Umzug?"
    assert len(data["likes"]) == 1 and len(data["bookmarks"]) == 1
    assert data["notifications"][0]["kind"] == "replied"
    assert data["membership_application"]["answers"][0]["answer"] == "Nachbarschaft"
    assert [login["address"] for login in data["logins"]][-1] == "127.0.0.1"
    assert "192.0.2.7" in [login["address"] for login in data["logins"]]
    # Nobody else's: not Bernd's post, not his log-ins, no password hash.
    text = response.get_data(as_text=True)
    assert "Bernds eigene Antwort" not in text and "198.51.100.9" not in text
    assert "bernd@example.org" not in text and "pbkdf2" not in text


def test_her_interests_and_representations_are_in_it(app, client, login_as, anke, make):
    from forum.organisations import interests, opportunities, services

    with app.app_context():
        person = db.session.get(User, anke.id)
        club = services.create_organisation("SV Blau-Weiß Isenbüttel", "isenbuettel")
        tafel = services.create_organisation("Tafel Gifhorn", "gifhorn")
        services.add_representative(None, club, person)
        db.session.commit()
        rep = make.user("tafelchefin")
        services.add_representative(None, tafel, db.session.get(User, rep.id))
        db.session.commit()
        item = opportunities.create_opportunity(
            db.session.get(User, rep.id), tafel, {"title": "Fahrer/in", "municipality": "gifhorn"}
        )
        interests.show_interest(person, item, "Ich fahre gern samstags.")
    login_as(anke)
    data = json.loads(_export(client).get_data(as_text=True))
    [interest] = data["interests"]
    assert interest["message"] == "Ich fahre gern samstags."
    assert interest["opportunity_title"] == "Fahrer/in"
    assert interest["organisation"] == "Tafel Gifhorn"
    assert interest["sent_at"] and interest["withdrawn_at"] is None
    assert [r["organisation"] for r in data["representations"]] == ["SV Blau-Weiß Isenbüttel"]


def test_what_is_closed_to_her_now_is_listed_without_its_text(app, client, login_as, anke):
    # The same decision as on every page (forum.permissions): a category made
    # staff-only, or a post a moderator deleted, is listed by id and date only.
    with app.app_context():
        db.session.execute(sa.update(Category).values(read_level=ReadLevel.STAFF))
        db.session.commit()
    login_as(anke)
    data = json.loads(_export(client).get_data(as_text=True))
    assert data["posts"][0]["raw"] is None and data["posts"][0]["topic_title"] is None
    assert data["posts"][0]["id"] and data["posts"][0]["created_at"]
    assert data["notifications"][0]["data"] == {}
    text = _export(client).get_data(as_text=True)
    assert "Wer hilft beim Umzug" not in text and "Ich komme" not in text


def test_a_post_a_moderator_deleted_is_listed_without_its_text(app, client, login_as, anke):
    with app.app_context():
        db.session.execute(
            sa.update(Post).where(Post.user_id == anke.id).values(deleted_at=sa.func.now())
        )
        db.session.commit()
    login_as(anke)
    data = json.loads(_export(client).get_data(as_text=True))
    assert data["posts"][0]["deleted"] is True and data["posts"][0]["raw"] is None


def test_a_fixed_number_of_statements(app, client, login_as, make, anke):
    from tests.conftest import counting_statements

    login_as(anke)

    def count() -> int:
        with counting_statements(app) as statements:
            assert _export(client).status_code == 200
        return len(statements)

    before = count()
    for number in range(4):
        topic = make.topic(author=anke, category=make.category(f"Weitere {number}"))
        make.post(topic, author=anke)
    assert count() == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_only_for_the_member_herself(client, anke, method):
    # A guest gets no data (she is sent to log in); GET is no way to it at all.
    response = getattr(client, method)("/settings/export")
    assert response.status_code in (302, 401, 405)
    assert "anke@example.org" not in response.get_data(as_text=True)


def test_the_route_takes_no_ones_id_and_other_roles_get_their_own(app, client, login_as, make,
                                                                  anke):  # fmt: skip
    for role in ("applicant", "member", "moderator", "admin"):
        someone = make.user(f"person-{role}", role=role)
        client.post("/logout")
        login_as(someone)
        for query in ("", f"?user={anke.id}", f"?user_id={anke.id}&username=anke"):
            response = client.post(f"/settings/export{query}", data={"user_id": anke.id})
            assert response.status_code == 200
            data = json.loads(response.get_data(as_text=True))
            assert data["profile"]["id"] == someone.id
            assert "anke" not in response.get_data(as_text=True).lower()


def test_the_download_is_rate_limited_per_member(app_config, tmp_path, anke, make):
    from forum import create_app
    from tests.conftest import login

    app = create_app(
        {**app_config, "RATELIMIT_ENABLED": True, "DATA_EXPORT_RATE_LIMIT": "2 per hour"},
        instance_path=str(tmp_path / "limited"),
    )
    client = app.test_client()
    login(client, anke)
    assert [_export(client).status_code for _ in range(3)] == [200, 200, 429]
    # Counted per member, not per address: another member on the same address may.
    other = app.test_client()
    login(other, make.user("nachbarin"))
    assert _export(other).status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_the_settings_page_offers_both(client, login_as, anke):
    login_as(anke)
    html = client.get("/settings").get_data(as_text=True)
    assert 'action="/settings/export"' in html
    assert 'action="/settings/delete-account"' in html


# --- Deleting one's own account ------------------------------------------------------------------


def _delete(client, **overrides):
    data = {"posts": "keep", "delete_password": Factory.password, "confirm": "y", **overrides}
    return client.post("/settings/delete-account", data=data)


def test_a_member_deletes_her_account_with_her_password(app, client, login_as, anke):
    login_as(anke)
    response = _delete(client)
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, anke.id)
        assert user.deleted_at is not None
        assert user.username == f"geloescht-{anke.id}" and user.email.endswith("@invalid")
        for model in (LoginRecord, MembershipApplication, Bookmark, Notification):
            assert not db.session.scalar(
                sa.select(sa.func.count()).select_from(model).where(model.user_id == anke.id)
            ), model
        # Her post stays, under the anonymous name, as she chose.
        assert db.session.scalar(sa.select(Post.raw).where(Post.user_id == anke.id))
        entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "delete_account"))
        assert entry.actor_id == anke.id and entry.details["by_themselves"] is True
    # She is logged out, and her old password no longer opens anything.
    assert client.get("/settings").status_code == 302
    response = client.post("/login", data={"login": "anke", "password": Factory.password})
    assert response.status_code != 302


def test_deleting_with_her_posts(app, client, login_as, anke):
    login_as(anke)
    assert _delete(client, posts="delete").status_code == 302
    with app.app_context():
        post = db.session.scalar(sa.select(Post).where(Post.user_id == anke.id))
        assert post.deleted_at is not None and post.raw == ""


@pytest.mark.parametrize(
    "overrides",
    [{"delete_password": "falsch"}, {"confirm": ""}, {"posts": "irgendwas"}, {"posts": ""}],
)
def test_nothing_goes_without_password_yes_and_choice(app, client, login_as, anke, overrides):
    login_as(anke)
    response = _delete(client, **overrides)
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, anke.id).deleted_at is None
    # What she chose is still chosen (nothing typed is lost, except the password).
    if "posts" not in overrides:
        assert re.search(r'<input checked[^>]*value="keep"', response.get_data(as_text=True))


def test_the_last_admin_cannot_delete_herself(app, client, login_as, make):
    admin = make.user("einzige", role="admin")
    login_as(admin)
    response = _delete(client)
    assert response.status_code == 400
    assert "The forum needs at least one admin." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, admin.id).deleted_at is None


def test_no_one_deletes_another_account(app, client, login_as, make, anke):
    other = make.user("clara")
    login_as(other)
    response = client.post(
        f"/settings/delete-account?user={anke.id}",
        data={"posts": "keep", "delete_password": Factory.password, "confirm": "y",
              "user_id": anke.id, "username": "anke"},
    )  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, anke.id).deleted_at is None
        assert db.session.get(User, other.id).deleted_at is not None
    # A guest cannot delete anything.
    assert _delete(client).status_code in (302, 401)
    with app.app_context():
        assert db.session.get(User, anke.id).deleted_at is None


def test_deleting_ones_account_forgets_follows_ignores_and_unsent_mail(app, client, make, login_as):
    """What notifications, messages and the mail queue keep of a member goes with the account."""
    import sqlalchemy as sa

    from forum.extensions import db
    from forum.mail import OutgoingMail, queue_mail
    from forum.messages.models import IgnoredUser, MessageParticipant, MessagePreference
    from forum.notifications.models import CategoryUser, NotificationSetting
    from forum.users.models import User
    from forum.users.removal import KEEP_POSTS, anonymise

    leaving = make.user("gehende")
    other = make.user("bleibende")
    category = make.category()
    topic = make.topic(other, category, "Ein Gespräch")
    with app.app_context():
        db.session.add_all(
            [
                CategoryUser(user_id=leaving.id, category_id=category.id, level=3),
                NotificationSetting(user_id=leaving.id, topic_level=3),
                MessagePreference(user_id=leaving.id, from_members=False),
                IgnoredUser(user_id=leaving.id, ignored_id=other.id),
                IgnoredUser(user_id=other.id, ignored_id=leaving.id),
                MessageParticipant(topic_id=topic.id, user_id=leaving.id),
            ]
        )
        db.session.commit()
        queue_mail(leaving.email, "Betreff", "Text", deliver=False)
        person = db.session.get(User, leaving.id)
        anonymise(person, person, KEEP_POSTS)
        db.session.commit()
        for model in (CategoryUser, NotificationSetting, MessagePreference):
            assert (
                db.session.scalar(
                    sa.select(sa.func.count()).select_from(model).where(model.user_id == leaving.id)
                )
                == 0
            )
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IgnoredUser)) == 0
        person = db.session.get(User, leaving.id)
        assert person.digest_frequency == "off"
        assert not (person.email_on_message or person.email_on_watched or person.email_on_reply)
        participant = db.session.scalar(
            sa.select(MessageParticipant).where(MessageParticipant.user_id == leaving.id)
        )
        assert participant.left_at is not None
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(OutgoingMail)
                .where(OutgoingMail.recipient == "gehende@example.org")
            )
            == 0
        )
