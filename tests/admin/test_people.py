"""The admin's people pages: finding people, a person's page, and every action on it."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.admin import people
from forum.auth.models import LoginRecord
from forum.boards import consistency
from forum.boards.models import Bookmark, Post, PostLike, TopicUser
from forum.db import utcnow
from forum.extensions import db
from forum.membership.models import MembershipApplication
from forum.moderation.models import AuditLog
from forum.notifications.models import Notification
from forum.users.models import Role, User
from tests.conftest import login


def _get(app, user_id):
    with app.app_context():
        user = db.session.get(User, user_id)
        if user is not None:
            user.deleted_at  # noqa: B018 (a deferred column: load it before detaching)
            db.session.expunge(user)
        return user


def _log(app, action):
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action)))


def _text(message) -> str:
    part = message.get_body(("plain",)) if message.is_multipart() else message
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


def _no_drift(app):
    with app.app_context():
        assert consistency.find_drift() == []


def _actions(user_id):
    base = f"/admin/users/{user_id}"
    return [
        (f"{base}/role", {"role": "admin"}),
        (f"{base}/confirm-email", {}),
        (f"{base}/resend-confirmation", {}),
        (f"{base}/reset-password", {}),
        (f"{base}/delete", {"posts": "delete", "confirm": "y"}),
        (f"{base}/merge", {"other": "verwaltung", "confirm": "y"}),
    ]


# --- Who may enter -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, "applicant", "member", "moderator"])
def test_people_pages_are_not_found_for_others(app, client, make, login_as, admin, role):
    victim = make.user("opfer")
    if role:
        login_as(make.user("jemand", role=role))
    assert client.get("/admin/users").status_code == 404
    assert client.get(f"/admin/users/{victim.id}").status_code == 404
    for url, data in _actions(victim.id):
        assert client.post(url, data=data).status_code == 404, url
    assert _get(app, victim.id).role == Role.MEMBER
    assert _get(app, victim.id).deleted_at is None


# --- The list ------------------------------------------------------------------------------------


def test_admin_finds_people_by_name_username_and_email(client, make, login_as, admin):
    make.user("hmueller", display_name="Hanna Müller", email="hanna@beispiel.de")
    make.user("karl", email="k.schmidt@example.org")
    login_as(admin)
    for q in ("Hanna", "hmuel", "beispiel.de"):
        html = client.get("/admin/users", query_string={"q": q}).get_data(as_text=True)
        assert "Hanna Müller" in html and "karl" not in html, q
    html = client.get("/admin/users", query_string={"q": "schmidt"}).get_data(as_text=True)
    assert "karl" in html and "Hanna" not in html
    # LIKE wildcards are plain characters.
    html = client.get("/admin/users", query_string={"q": "%"}).get_data(as_text=True)
    assert "0 people found" in html


def test_filters_by_role_and_status(app, client, make, login_as, admin):
    make.user("mod1", role="moderator")
    make.user("bewerber", role="applicant")
    make.user("offen", confirmed=False)
    quiet = make.user("ruhig")
    with app.app_context():
        user = db.session.get(User, quiet.id)
        user.created_at = utcnow() - timedelta(days=800)
        user.last_seen_at = utcnow() - timedelta(days=400)
        db.session.commit()
    silenced = make.user("stumm")
    with app.app_context():
        db.session.get(User, silenced.id).silenced_until = utcnow() + timedelta(days=2)
        db.session.commit()
    login_as(admin)

    def names(**args):
        html = client.get("/admin/users", query_string=args).get_data(as_text=True)
        return set(re.findall(r'href="/admin/users/\d+">([^<]+)</a>', html))

    assert names(role="moderator") == {"mod1"}
    assert names(role="admin") == {admin.username}
    assert names(status="applicant") == {"bewerber"}
    assert names(status="unconfirmed") == {"offen"}
    assert names(status="inactive") == {"ruhig"}
    assert names(status="silenced") == {"stumm"}
    assert "stumm" not in names(status="member") and "mod1" in names(status="member")


def test_sorts_and_pages_with_a_window(app, client, make, login_as, admin, monkeypatch):
    monkeypatch.setattr(people, "PAGE_SIZE", 2)
    busy = make.user("fleissig")
    topic = make.topic(busy)
    make.post(topic, busy)
    for n in range(9):
        make.user(f"person{n}")
    login_as(admin)
    html = client.get("/admin/users", query_string={"sort": "posts"}).get_data(as_text=True)
    first = re.search(r'href="/admin/users/\d+">([^<]+)</a>', html).group(1)
    assert first == "fleissig"
    html = client.get("/admin/users", query_string={"page": "3"}).get_data(as_text=True)
    assert '<span aria-current="page">3</span>' in html
    assert "…" in html and 'page=6"' in html  # the last page, after a gap
    # A page past the end shows the last one.
    html = client.get("/admin/users", query_string={"page": "999"}).get_data(as_text=True)
    assert '<span aria-current="page">6</span>' in html


def test_page_window():
    assert people.page_window(1, 1) == [1]
    assert people.page_window(5, 10) == [1, None, 3, 4, 5, 6, 7, None, 10]
    assert people.page_window(2, 4) == [1, 2, 3, 4]


def test_list_takes_a_fixed_number_of_statements(app, client, make, login_as, admin):
    from tests.conftest import counting_statements, read_settings_once

    login_as(admin)
    read_settings_once(client)
    for n in range(5):
        make.user(f"viele{n}")
    with counting_statements(app) as few:
        client.get("/admin/users?status=member&sort=seen")
    for n in range(20):
        make.user(f"mehr{n}")
    with counting_statements(app) as many:
        client.get("/admin/users?status=member&sort=seen")
    assert len(many) == len(few)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.sampled_from(["q", "role", "status", "sort", "page", "x"]),
        st.one_of(
            st.text(max_size=120),
            st.sampled_from(["admin", "inactive", "posts", "-1", "0", "99999999999999", "%_\\"]),
        ),
    )
)
def test_list_parameters_never_fail(client, admin, params):
    login(client, admin)
    response = client.get("/admin/users", query_string=params)
    assert response.status_code in (200, 400)


def test_list_fits_a_phone_as_cards(client, make, login_as, admin):
    make.user("karte")
    login_as(admin)
    html = client.get("/admin/users").get_data(as_text=True)
    assert "<table" not in html and 'class="people-card"' in html


# --- A person's page -----------------------------------------------------------------------------


def test_person_page_shows_answers_logins_flags_and_history(app, client, make, login_as, admin):
    person = make.user("antje", role="applicant")
    with app.app_context():
        db.session.add(
            MembershipApplication(
                user_id=person.id,
                answers=[{"question": "Was machen Sie?", "answer": "Ich lese gern vor."}],
                netiquette_version=3,
            )
        )
        db.session.commit()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    login_as(person)
    client.post("/logout")
    client.environ_base["REMOTE_ADDR"] = "127.0.0.1"
    login_as(admin)
    client.post(f"/admin/users/{person.id}/role", data={"role": "member"})
    html = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Ich lese gern vor." in html and "version 3" in html
    assert "203.0.113.7" in html
    assert "Role changed" in html and "not confirmed" not in html
    assert 'href="/u/antje/moderate"' in html


def test_unknown_huge_and_negative_ids_are_not_found(client, login_as, admin):
    login_as(admin)
    for user_id in ("999999", "2147483648", "99999999999999999999", "-1", "0", "x"):
        assert client.get(f"/admin/users/{user_id}").status_code == 404
        response = client.post(f"/admin/users/{user_id}/role", data={"role": "admin"})
        assert response.status_code == 404


def test_json_bodies_are_refused(app, client, make, login_as, admin):
    person = make.user("json")
    login_as(admin)
    for url, data in _actions(person.id):
        response = client.post(url, json=data)
        assert response.status_code in (400, 415), url
    assert _get(app, person.id).role == Role.MEMBER and _get(app, person.id).deleted_at is None


# --- Roles ---------------------------------------------------------------------------------------


def test_admin_makes_a_member_moderator_and_she_sees_the_review_queue(
    app, client, make, login_as, admin
):
    anna = make.user("anna")
    login_as(admin)
    response = client.post(f"/admin/users/{anna.id}/role", data={"role": "moderator"})
    assert response.status_code == 302
    assert _get(app, anna.id).role == Role.MODERATOR
    (entry,) = _log(app, "change_role")
    assert entry.details == {"old": "member", "new": "moderator"} and entry.target_id == anna.id
    client.post("/logout")
    login_as(anna)
    assert client.get("/review").status_code == 200


def test_an_admin_cannot_change_their_own_role_nor_demote_the_last_admin(
    app, client, make, login_as, admin
):
    login_as(admin)
    response = client.post(f"/admin/users/{admin.id}/role", data={"role": "member"})
    assert response.status_code == 400
    assert _get(app, admin.id).role == Role.ADMIN
    other = make.user("zweite", role="admin")
    assert client.post(f"/admin/users/{other.id}/role", data={"role": "member"}).status_code == 302
    assert _get(app, other.id).role == Role.MEMBER
    # The last admin, as another admin would see it: no other admin is left.
    from forum.admin import people_actions
    from forum.errors import AdminError

    with app.app_context():
        last = db.session.get(User, admin.id)
        helper = db.session.get(User, other.id)
        with pytest.raises(AdminError):
            people_actions.change_role(helper, last, "member")
    assert client.post(f"/admin/users/{other.id}/role", data={"role": "kaiser"}).status_code == 400


# --- E-mail and password -------------------------------------------------------------------------


def test_confirm_resend_and_reset(app, client, make, login_as, admin, mailbox):
    person = make.user("unbestaetigt", confirmed=False)
    login_as(admin)
    assert client.post(f"/admin/users/{person.id}/resend-confirmation").status_code == 302
    assert "/confirm/" in _text(mailbox.wait_for("unbestaetigt@example.org")[0])
    assert client.post(f"/admin/users/{person.id}/confirm-email").status_code == 302
    assert _get(app, person.id).email_confirmed_at is not None
    mailbox.clear()
    response = client.post(f"/admin/users/{person.id}/reset-password", buffered=True)
    assert response.status_code == 302
    assert "/password/reset/" in _text(mailbox.wait_for("unbestaetigt@example.org")[0])
    actions = {e.action for e in _log(app, "confirm_email") + _log(app, "send_password_reset")}
    assert actions == {"confirm_email", "send_password_reset"}
    assert len(_log(app, "resend_confirmation")) == 1


# --- Anonymise and delete ------------------------------------------------------------------------


@pytest.mark.parametrize("posts", ["keep", "delete"])
def test_deleting_an_account_erases_personal_data_and_keeps_counters(
    app, client, make, login_as, admin, posts
):
    leaving = make.user("geht", display_name="Gerda Geht")
    other = make.user("bleibt")
    own_topic = make.topic(leaving, title="Gerdas eigenes Thema")
    make.post(own_topic, other, "Eine Antwort von jemand anderem.", reply_to_post_number=1)
    make.post(own_topic, leaving, "Gerda antwortet im eigenen Thema.", reply_to_post_number=2)
    make.post(own_topic, other, "Noch eine Antwort.", reply_to_post_number=3)
    elsewhere = make.topic(other)
    reply = make.post(elsewhere, leaving, "Gerdas Antwort mit Text.")
    with app.app_context():
        from forum.boards.reactions import toggle_like

        toggle_like(db.session.get(User, other.id), db.session.get(Post, reply.id))
        db.session.add(LoginRecord(user_id=leaving.id, ip_address="198.51.100.4"))
        db.session.commit()
    login_as(admin)
    response = client.post(
        f"/admin/users/{leaving.id}/delete", data={"posts": posts, "confirm": ""}
    )
    assert response.status_code == 400  # not confirmed
    assert _get(app, leaving.id).deleted_at is None
    response = client.post(
        f"/admin/users/{leaving.id}/delete", data={"posts": posts, "confirm": "y"}
    )
    assert response.status_code == 302
    gone = _get(app, leaving.id)
    assert gone.deleted_at is not None and gone.username == f"geloescht-{leaving.id}"
    assert gone.display_name == "Gelöschtes Mitglied" and "Gerda" not in gone.email
    with app.app_context():
        left = sa.select(sa.func.count()).where(LoginRecord.user_id == leaving.id)
        assert db.session.scalar(left) == 0
        post = db.session.get(Post, reply.id)
        if posts == "delete":
            assert post.deleted_at is not None and post.raw == ""
        else:
            assert post.deleted_at is None and post.raw == "Gerdas Antwort mit Text."
    _no_drift(app)
    client.post("/logout")
    assert client.post("/login", data={"login": "geht", "password": "x"}).status_code != 302
    # It cannot be done twice, nor to oneself.
    login_as(admin)
    again = client.post(f"/admin/users/{leaving.id}/delete", data={"posts": posts, "confirm": "y"})
    assert again.status_code == 404 or again.status_code == 400
    own = client.post(f"/admin/users/{admin.id}/delete", data={"posts": posts, "confirm": "y"})
    assert own.status_code == 400 and _get(app, admin.id).deleted_at is None


# --- Merging -------------------------------------------------------------------------------------


def test_merging_moves_everything_and_keeps_counters(app, client, make, login_as, admin):
    keep = make.user("hanna")
    old = make.user("hanna_alt")
    author = make.user("autor")
    topic = make.topic(author)
    liked_by_both = make.post(topic, author, "Eine Antwort, die beide mögen.")
    old_topic = make.topic(old, title="Ein Thema vom alten Konto")
    old_reply = make.post(topic, old, "Eine Antwort vom alten Konto.")
    with app.app_context():
        from forum.boards.reactions import toggle_bookmark, toggle_like
        from forum.boards.reading import mark_read
        from forum.notifications.services import notify

        get = db.session.get
        toggle_like(get(User, keep.id), get(Post, liked_by_both.id))
        toggle_like(get(User, old.id), get(Post, liked_by_both.id))
        toggle_bookmark(get(User, old.id), get(Post, liked_by_both.id))
        toggle_bookmark(get(User, keep.id), get(Post, liked_by_both.id))
        mark_read(old.id, topic.id, 3)
        mark_read(keep.id, topic.id, 1)
        notify(old.id, "reply", topic_id=topic.id, title="x")
        db.session.commit()
    login_as(admin)
    # Into itself, an unknown name, without confirmation: refused.
    for data in (
        {"other": "hanna", "confirm": "y"},
        {"other": "niemand", "confirm": "y"},
        {"other": "hanna_alt", "confirm": ""},
    ):
        assert client.post(f"/admin/users/{keep.id}/merge", data=data).status_code == 400
    response = client.post(
        f"/admin/users/{keep.id}/merge", data={"other": "hanna_alt", "confirm": "y"}
    )
    assert response.status_code == 302
    assert _get(app, old.id) is None
    with app.app_context():
        get = db.session.get
        assert get(Post, old_reply.id).user_id == keep.id
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PostLike)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Bookmark)) == 1
        assert get(TopicUser, (keep.id, topic.id)).last_read_post_number == 3
        assert (
            db.session.scalar(sa.select(sa.func.count()).where(Notification.user_id == keep.id))
            == 1
        )
        merged = get(User, keep.id)
        assert (merged.topic_count, merged.post_count, merged.likes_given) == (1, 2, 1)
        assert get(type(get(Post, old_reply.id).topic), old_topic.id).user_id == keep.id
    _no_drift(app)
    (entry,) = _log(app, "merge_accounts")
    assert entry.details["merged_username"] == "hanna_alt"


def test_an_admin_cannot_merge_herself_away(app, client, make, login_as, admin):
    keep = make.user("behalten")
    login_as(admin)
    response = client.post(
        f"/admin/users/{keep.id}/merge", data={"other": admin.username, "confirm": "y"}
    )
    assert response.status_code == 400 and _get(app, admin.id) is not None


# --- Log-in records ------------------------------------------------------------------------------


def test_login_records_are_kept_only_as_long_as_the_setting_says(app, client, make, runner):
    person = make.user("kurz")
    with app.app_context():
        db.session.add(
            LoginRecord(
                user_id=person.id, ip_address="192.0.2.1", created_at=utcnow() - timedelta(days=31)
            )
        )
        db.session.add(
            LoginRecord(
                user_id=person.id, ip_address="192.0.2.2", created_at=utcnow() - timedelta(days=29)
            )
        )
        db.session.commit()
    login(client, person)  # prunes at log-in, records this one
    with app.app_context():
        kept = set(db.session.scalars(sa.select(LoginRecord.ip_address)))
    assert "192.0.2.1" not in kept and "192.0.2.2" in kept and len(kept) == 2
    app.config["LOGIN_RECORD_DAYS"] = 0
    result = runner.invoke(args=["prune-logins"])
    assert result.exit_code == 0 and "Deleted 2 log-in record(s)" in result.output


def test_giving_an_applicant_a_role_settles_her_join_request(app, client, make, login_as, admin):
    from forum.membership import applications
    from forum.moderation.models import ReviewItem, ReviewStatus

    applicant = make.user("wartet", role="applicant")
    with app.app_context():
        item = applications.submit_application(db.session.get(User, applicant.id), [], 1)
        item_id = item.id
    login_as(admin)
    response = client.post(f"/admin/users/{applicant.id}/role", data={"role": "moderator"})
    assert response.status_code == 302
    with app.app_context():
        item = db.session.get(ReviewItem, item_id)
        assert item.status == ReviewStatus.APPROVED and item.handled_by_id == admin.id
    assert _get(app, applicant.id).role == Role.MODERATOR
