"""Applying for membership: questions, netiquette, the waiting page, mails to staff."""

import re

import pytest
import sqlalchemy as sa

from forum.errors import BoardError
from forum.extensions import db
from forum.membership import applications, services
from forum.membership.models import MembershipApplication, MembershipQuestion
from forum.moderation.models import ReviewItem, ReviewStatus
from forum.site.services import save_text, set_setting
from forum.users.models import Role, User

from .conftest import body, link_in, load_user

PASSWORD = "lange genug 123"


def _questions(app, admin) -> tuple[int, int]:
    """Two questions: a required one first, then an optional one."""
    with app.app_context():
        actor = db.session.get(User, admin.id)
        required = services.create_question(
            actor, "Wie sind Sie auf uns aufmerksam geworden?", True
        )
        optional = services.create_question(actor, "In welchem Bereich engagieren Sie sich?", False)
        return required.id, optional.id


def _set(app, key, value) -> None:
    with app.app_context():
        set_setting(key, value)
        db.session.commit()


def test_join_form_shows_questions_and_netiquette(app, client, make, login_as, admin):
    _questions(app, admin)
    login_as(make.user("neu", role="applicant"))
    response = client.get("/join")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.index("Wie sind Sie auf uns") < html.index("In welchem Bereich")
    assert "<legend>Netiquette</legend>" in html
    assert "Freundlich und respektvoll" in html  # the default netiquette text itself
    assert 'name="accept_netiquette"' in html
    assert 'name="netiquette_version" type="hidden" value="0"' in html


def test_required_answer_missing_keeps_the_other_answers(app, client, make, login_as, admin):
    required_id, optional_id = _questions(app, admin)
    login_as(make.user("neu", role="applicant"))
    response = client.post(
        "/join",
        data={
            f"answer_{required_id}": "  ",
            f"answer_{optional_id}": "Besuchsdienst im Altenheim",
            "netiquette_version": "0",
            "accept_netiquette": "y",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Please answer this question." in html
    assert "Besuchsdienst im Altenheim" in html
    assert f'aria-describedby="answer_{required_id}-error"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewItem)) == 0


def test_netiquette_must_be_accepted(app, client, make, login_as, admin):
    required_id, _optional_id = _questions(app, admin)
    login_as(make.user("neu", role="applicant"))
    response = client.post(
        "/join", data={f"answer_{required_id}": "Über die Zeitung", "netiquette_version": "0"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Please accept the netiquette to join." in html
    assert "Über die Zeitung" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MembershipApplication)) == 0


def test_application_queues_a_join_request_and_mails_staff(
    app, client, make, login_as, admin, coordinator, mailbox
):
    required_id, optional_id = _questions(app, admin)
    make.user("fremd", role="member")  # members are not told
    applicant = make.user("neu", role="applicant")
    login_as(applicant)
    response = client.post(
        "/join",
        data={
            f"answer_{required_id}": "Über die Zeitung",
            f"answer_{optional_id}": "",
            "netiquette_version": "0",
            "accept_netiquette": "y",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/join/waiting"

    with app.app_context():
        application = db.session.scalar(sa.select(MembershipApplication))
        assert application.user_id == applicant.id
        assert application.netiquette_version == 1  # the default, now stored as version 1
        assert application.netiquette_accepted_at is not None
        assert [a["question"] for a in application.answers] == [
            "Wie sind Sie auf uns aufmerksam geworden?",
            "In welchem Bereich engagieren Sie sich?",
        ]
        assert application.answers[0]["answer"] == "Über die Zeitung"
        item = db.session.scalar(sa.select(ReviewItem))
        assert (item.kind, item.status, item.user_id) == (
            "join_request",
            ReviewStatus.PENDING,
            applicant.id,
        )
        assert db.session.get(User, applicant.id).role == Role.APPLICANT

    recipients = sorted(message["To"] for message in mailbox.messages)
    assert recipients == ["koordination@example.org", "verwaltung@example.org"]
    message = mailbox.to("koordination@example.org")[0]
    assert "neu" in message["Subject"]
    assert "Über die Zeitung" in body(message)
    assert link_in(message, "/review/") == f"/review/{item.id}"

    # The applicant waits, sees the landing page and cannot apply twice.
    html = client.get("/join/waiting").get_data(as_text=True)
    assert "Your application has arrived" in html
    assert client.get("/join").headers["Location"] == "/join/waiting"
    assert 'href="/join/waiting"' in client.get("/").get_data(as_text=True)


def test_applicant_sees_a_banner_elsewhere(client, make, login_as):
    login_as(make.user("neu", role="applicant"))
    html = client.get("/netiquette").get_data(as_text=True)
    assert "applicant-banner" in html
    assert 'href="/join"' in html


def test_no_mail_for_each_request_when_daily(app, client, make, login_as, coordinator, mailbox):
    _set(app, "JOIN_REQUEST_NOTIFY", "daily")
    login_as(make.user("neu", role="applicant"))
    response = client.post("/join", data={"netiquette_version": "0", "accept_netiquette": "y"})
    assert response.status_code == 302
    assert mailbox.messages == []


def test_without_approval_the_applicant_becomes_a_member_at_once(
    app, client, make, login_as, coordinator, mailbox
):
    _set(app, "MEMBERSHIP_APPROVAL_REQUIRED", False)
    login_as(make.user("neu", role="applicant"))
    response = client.post("/join", data={"netiquette_version": "0", "accept_netiquette": "y"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert load_user(app, "neu").role == Role.MEMBER
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewItem)) == 0
        assert db.session.scalar(sa.select(MembershipApplication.netiquette_version)) == 1
    html = client.get("/").get_data(as_text=True)
    assert "You are now a member" in html
    assert "Become a member" not in html
    assert mailbox.messages == []


def test_netiquette_changed_while_reading(app, client, make, login_as):
    login_as(make.user("neu", role="applicant"))
    with app.app_context():
        save_text("netiquette", "Netiquette", "Neue Regeln", None)
        db.session.commit()
    response = client.post("/join", data={"netiquette_version": "0", "accept_netiquette": "y"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The netiquette was changed in the meantime" in html
    assert 'name="netiquette_version" type="hidden" value="1"' in html
    response = client.post("/join", data={"netiquette_version": "1", "accept_netiquette": "y"})
    assert response.status_code == 302


def test_forged_netiquette_version_is_refused(app, client, make, login_as):
    login_as(make.user("neu", role="applicant"))
    response = client.post("/join", data={"netiquette_version": "x", "accept_netiquette": "y"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MembershipApplication)) == 0


def test_unconfirmed_applicant_is_asked_to_confirm_first(client, make, login_as):
    login_as(make.user("neu", role="applicant", confirmed=False))
    response = client.get("/join")
    assert response.headers["Location"] == "/welcome"
    response = client.post("/join", data={"netiquette_version": "0", "accept_netiquette": "y"})
    assert response.headers["Location"] == "/welcome"
    assert client.get("/join/waiting").headers["Location"] == "/welcome"


def test_guest_is_sent_to_log_in(client):
    assert client.get("/join").headers["Location"].startswith("/login")


def test_member_need_not_join(client, make, login_as):
    login_as(make.user("mitglied"))
    assert client.get("/join").headers["Location"] == "/"
    assert client.get("/join/waiting").headers["Location"] == "/"


def test_waiting_page_before_applying_leads_to_the_form(client, make, login_as):
    login_as(make.user("neu", role="applicant"))
    assert client.get("/join/waiting").headers["Location"] == "/join"


def test_rejected_applicant_reads_the_reason(app, client, make, login_as, coordinator, mailbox):
    applicant = make.user("neu", role="applicant")
    login_as(applicant)
    client.post("/join", data={"netiquette_version": "0", "accept_netiquette": "y"})
    with app.app_context():
        item = db.session.scalar(sa.select(ReviewItem))
        applications.reject_application(
            db.session.get(User, coordinator.id), item, "Bitte melden Sie sich telefonisch."
        )
    html = client.get("/join/waiting").get_data(as_text=True)
    assert "not accepted" in html
    assert "Bitte melden Sie sich telefonisch." in html
    mail = body(mailbox.to("neu@example.org")[0])
    assert "Bitte melden Sie sich telefonisch." in mail
    assert "/join" in mail  # the way to a new application


def test_rejected_applicant_may_apply_again(app, client, make, login_as, coordinator, admin):
    required, _optional = _questions(app, admin)
    applicant = make.user("neu", role="applicant")
    login_as(applicant)
    first = {"netiquette_version": "0", "accept_netiquette": "y", f"answer_{required}": "Flyer"}
    client.post("/join", data=first)
    assert client.post("/join", data=first).headers["Location"] == "/join/waiting"
    with app.app_context():
        item = db.session.scalar(sa.select(ReviewItem))
        applications.reject_application(
            db.session.get(User, coordinator.id), item, "Bitte erzählen Sie mehr über sich."
        )
    waiting = client.get("/join/waiting").get_data(as_text=True)
    assert "Apply again" in waiting and 'href="/join"' in waiting
    form = client.get("/join")
    assert form.status_code == 200 and "Flyer</textarea>" in form.get_data(as_text=True)
    version = re.search(r'name="netiquette_version" type="hidden" value="(\d+)"', form.text)
    again = {
        **first,
        "netiquette_version": version.group(1),
        f"answer_{required}": "Flyer im Rathaus; ich möchte bei der Tafel helfen.",
    }
    assert client.post("/join", data=again).headers["Location"] == "/join/waiting"
    with app.app_context():
        items = db.session.scalars(sa.select(ReviewItem).order_by(ReviewItem.id)).all()
        assert [i.status for i in items] == [ReviewStatus.REJECTED, ReviewStatus.PENDING]
        application = db.session.scalar(sa.select(MembershipApplication))
        assert application.answers[0]["answer"].startswith("Flyer im Rathaus")
    assert "has arrived" in client.get("/join/waiting").get_data(as_text=True)
    # While the new request waits, the form stays closed.
    assert client.get("/join").headers["Location"] == "/join/waiting"
    # The rejected request still shows what it was about, the new one the new answers.
    login_as(coordinator)
    rejected = client.get(f"/review/{items[0].id}").get_data(as_text=True)
    assert "Flyer" in rejected and "Flyer im Rathaus" not in rejected
    assert "Flyer im Rathaus" in client.get(f"/review/{items[1].id}").get_data(as_text=True)


def test_two_applications_sent_at_once_after_a_rejection_make_one_request(
    app, make, coordinator, monkeypatch
):
    applicant = make.user("neu", role="applicant")
    with app.app_context():
        applications.submit_application(db.session.get(User, applicant.id), [], 1)
        item = db.session.scalar(sa.select(ReviewItem))
        applications.reject_application(db.session.get(User, coordinator.id), item, "Bitte mehr.")
    with app.app_context():
        first = db.session.get(User, applicant.id)
        assert applications.may_apply_again(first)
        read = applications.application_of(first)  # this request read the application ...
        with app.app_context():  # ... when another one sent the form first
            applications.submit_application(db.session.get(User, applicant.id), [], 1)
        monkeypatch.setattr(applications, "may_apply_again", lambda user: True)
        assert applications.application_of(first) is read  # as it was then
        with pytest.raises(BoardError):  # "You have already applied."
            applications.submit_application(first, [], 1)
    with app.app_context():
        pending = db.session.scalars(
            sa.select(ReviewItem).where(ReviewItem.status == ReviewStatus.PENDING)
        ).all()
        assert len(pending) == 1


def test_register_confirm_then_join(app, client, mailbox, admin):
    """The whole path of a newcomer: sign up, confirm by mail, land on the form."""
    _questions(app, admin)
    response = client.post(
        "/register",
        data={
            "username": "anna_k",
            "email": "anna@example.org",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
        buffered=True,  # as a server sends it: the mail goes out once the response is closed
    )
    assert response.headers["Location"] == "/welcome"
    link = link_in(mailbox.to("anna@example.org")[0], "/confirm/")
    response = client.get(link)
    assert response.headers["Location"] == "/join"
    html = client.get("/join").get_data(as_text=True)
    assert "Wie sind Sie auf uns aufmerksam geworden?" in html
    assert 'href="/join"' in client.get("/welcome").get_data(as_text=True)


def test_inactive_questions_are_not_asked(app, client, make, login_as, admin):
    required_id, _optional_id = _questions(app, admin)
    with app.app_context():
        question = db.session.get(MembershipQuestion, required_id)
        services.update_question(
            db.session.get(User, admin.id), question, question.text, True, False
        )
    login_as(make.user("neu", role="applicant"))
    html = client.get("/join").get_data(as_text=True)
    assert "Wie sind Sie" not in html
    response = client.post("/join", data={"netiquette_version": "0", "accept_netiquette": "y"})
    assert response.status_code == 302


def test_sending_the_join_form_is_rate_limited(app_config, tmp_path, make):
    # Each request may mail every moderator: a flood of them is refused.
    from forum import create_app
    from tests.conftest import login

    applicant = make.user("eilig", role="applicant")  # the session database, cleaned up after
    app = create_app(
        {**app_config, "RATELIMIT_ENABLED": True, "POST_RATE_LIMIT": "2 per minute"},
        instance_path=str(tmp_path / "limited"),
    )
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, applicant)
    for _attempt in range(2):
        assert client.post("/join", data={}).status_code == 400  # the form's errors
    assert client.post("/join", data={}).status_code == 429
    assert client.get("/join").status_code == 200  # reading the form is not limited
    with app.app_context():
        db.engine.dispose()
