"""Opportunities: posting, the list's filters, expiry by end date, "Ich bin
interessiert" into a private conversation, waiting interests of applicants."""

import re
from datetime import date, timedelta

import sqlalchemy as sa

from forum.boards.models import Post
from forum.extensions import db
from forum.membership import applications
from forum.notifications.models import Notification
from forum.organisations import opportunities
from forum.organisations.models import Interest, Opportunity, Organisation
from forum.users.models import Role, User
from tests.conftest import counting_statements, read_settings_once

_FORM = {
    "kind": "opportunity", "title": "Trainer/in für die F-Jugend",
    "description": "Jeden **Dienstag**.",
    "municipality": "isenbuettel", "place": "Sportplatz", "commitment": "regular",
    "hours_per_month": "8", "starts_on": "", "ends_on": "", "requirements": "Führungszeugnis",
    "suitable_for": ["young_people", "seniors"], "contact_name": "Petra", "cost": "",
    "registration": "",
}  # fmt: skip


def _post(app, org, rep, **values):
    with app.app_context():
        values = {**_FORM, "suitable_for": [], "hours_per_month": None, "starts_on": None,
                  "ends_on": None, **values}  # fmt: skip
        item = opportunities.create_opportunity(
            db.session.get(User, rep.id), db.session.get(Organisation, org.id), values
        )
        return item.id


def test_a_representative_posts_an_opportunity(app, client, make, make_org, login_as):
    rep = make.user("petra")
    make_org(reps=[rep])
    login_as(make.user())
    assert client.get("/o/sv-blau-weiss-isenbuettel/engagement/neu").status_code == 403
    login_as(rep)
    response = client.post("/o/sv-blau-weiss-isenbuettel/engagement/neu", data=_FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.location).get_data(as_text=True)
    assert "Trainer/in für die F-Jugend" in page and "<strong>Dienstag</strong>" in page
    assert "Young people, Seniors" in page and "Führungszeugnis" in page
    assert "0 people have shown interest." in page
    assert "Trainer/in" in client.get("/o/sv-blau-weiss-isenbuettel").get_data(as_text=True)


def test_the_list_filters_and_leaves_out_filled_and_expired(app, client, make, make_org):
    rep = make.user()
    sv = make_org(reps=[rep], fields=["sport"])
    tafel = make_org("Tafel Gifhorn", "gifhorn", reps=[rep], fields=["soziales"])
    _post(app, sv, rep, title="Platzwart", commitment="regular", hours_per_month=12)
    _post(app, tafel, rep, title="Ausgabe helfen", municipality="gifhorn", commitment="one_off",
          hours_per_month=3, suitable_for=["little_german"])  # fmt: skip
    yesterday = date.today() - timedelta(days=1)
    _post(app, tafel, rep, title="Abgelaufen", municipality="gifhorn", ends_on=yesterday)
    filled = _post(app, tafel, rep, title="Schon besetzt", municipality="gifhorn")
    _post(app, sv, rep, title="Erste-Hilfe-Kurs", kind="training", ends_on=date.today())
    with app.app_context():
        db.session.get(Opportunity, filled).status = "filled"
        db.session.commit()

    def titles(query=""):
        page = client.get(f"/engagement?{query}").get_data(as_text=True)
        return set(re.findall(r'/engagement/\d+">([^<]+)</a>', page))

    assert titles() == {"Platzwart", "Ausgabe helfen", "Erste-Hilfe-Kurs"}
    assert titles("municipality=gifhorn") == {"Ausgabe helfen"}
    assert titles("field=sport") == {"Platzwart", "Erste-Hilfe-Kurs"}
    assert titles("hours=4") == {"Ausgabe helfen"}
    assert titles("hours=more") == {"Platzwart"}
    assert titles("commitment=one_off") == {"Ausgabe helfen"}
    assert titles("suitable=little_german") == {"Ausgabe helfen"}
    assert titles("kind=training") == {"Erste-Hilfe-Kurs"}
    assert titles("municipality=x&hours=y&suitable=z&page=0") == titles()


def test_members_only_organisations_keep_their_opportunities_from_guests(
    app, client, make, make_org, login_as
):
    rep = make.user()
    secret = make_org("Stiller Kreis", "brome", reps=[rep], members_only=True)
    item = _post(app, secret, rep, title="Geheime Aufgabe", municipality="brome")
    assert "Geheime Aufgabe" not in client.get("/engagement").get_data(as_text=True)
    assert client.get(f"/engagement/{item}").status_code == 404
    login_as(make.user())
    assert "Geheime Aufgabe" in client.get("/engagement").get_data(as_text=True)


def test_interest_opens_a_conversation_with_the_representatives(
    app, client, make, make_org, login_as
):
    anna, ben = make.user("anna"), make.user("ben")
    org = make_org(reps=[anna, ben])
    item = _post(app, org, anna, title="Platzwart")
    # A brand-new member (nothing published yet) may write to the representatives.
    lea = make.user("lea")
    login_as(lea)
    response = client.post(f"/engagement/{item}/interesse", data={"message": "Ich helfe gern!"})
    assert response.status_code == 302
    again = client.post(
        f"/engagement/{item}/interesse", data={"message": "Nochmal"}, follow_redirects=True
    )
    assert "already shown interest" in again.get_data(as_text=True)
    mine = client.get("/engagement/meine").get_data(as_text=True)
    assert "Platzwart" in mine and "the conversation" in mine
    with app.app_context():
        interest = db.session.scalar(sa.select(Interest))
        assert interest.topic_id and interest.sent_at
        assert db.session.get(Opportunity, item).interest_count == 1
        kinds = set(db.session.scalars(sa.select(Notification.user_id).where(
            Notification.kind == "interest_shown")))  # fmt: skip
        assert kinds == {anna.id, ben.id}
        topic_id = interest.topic_id
    login_as(anna)
    conversation = client.get(f"/t/x/{topic_id}", follow_redirects=True).get_data(as_text=True)
    assert "Ich helfe gern!" in conversation
    assert "lea is interested in “Platzwart”." in client.get("/notifications").get_data(
        as_text=True
    )
    assert "1 person has shown interest." in client.get(f"/engagement/{item}").get_data(
        as_text=True
    )
    login_as(lea)
    with app.app_context():
        interest_id = db.session.scalar(sa.select(Interest.id))
    client.post(f"/engagement/interesse/{interest_id}/zurueckziehen")
    assert "Platzwart" not in client.get("/engagement/meine").get_data(as_text=True)


def test_guests_are_led_to_join_and_an_applicants_interest_waits_for_approval(
    app, client, make, make_org, login_as, coordinator
):
    rep = make.user("anna")
    org = make_org(reps=[rep])
    item = _post(app, org, rep, title="Platzwart")
    page = client.get(f"/engagement/{item}").get_data(as_text=True)
    assert "your message reaches the organisation as soon as you are a member" in page
    response = client.post(f"/engagement/{item}/interesse", data={"message": "Hi"})
    assert response.status_code == 302 and "/register" in response.location
    applicant = make.user("neu", role="applicant")
    login_as(applicant)
    client.post(f"/engagement/{item}/interesse", data={"message": "Ich will helfen"})
    assert "waits for your membership" in client.get("/engagement/meine").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Interest.topic_id)) is None
        person = db.session.get(User, applicant.id)
        applied = applications.submit_application(person, [{"question": "Wer?", "answer": "I"}], 1)
        applications.approve_application(db.session.get(User, coordinator.id), applied)
        interest = db.session.scalar(sa.select(Interest))
        assert interest.topic_id is not None and interest.sent_at is not None
        assert db.session.get(User, applicant.id).role == Role.MEMBER


def test_the_list_needs_a_fixed_number_of_statements(app, client, make, make_org):
    rep = make.user()
    org = make_org(reps=[rep])

    def count():
        with counting_statements(app) as statements:
            assert client.get("/engagement").status_code == 200
        return len(statements)

    _post(app, org, rep, title="Eins")
    read_settings_once(client)
    small = count()
    others = [make_org(f"Verein {n}", "brome", reps=[rep]) for n in range(5)]
    for n, other in enumerate(others * 3):
        _post(app, other, rep, title=f"Aufgabe {n}", municipality="brome")
    assert count() == small


def test_the_interest_count_stays_true_when_interests_go(app, client, make, make_org, login_as):
    """Withdrawn interests and an anonymised account's interests leave the count;
    `flask --app forum check` recomputes it from the rows."""
    from forum.boards.consistency import find_drift, repair_drift
    from forum.users.removal import KEEP_POSTS, anonymise

    anna = make.user("anna")
    org = make_org(reps=[anna])
    item = _post(app, org, anna, title="Platzwart")
    people = [make.user(name) for name in ("lea", "max", "ole")]
    for person in people:
        login_as(person)
        client.post(f"/engagement/{item}/interesse", data={"message": "Ich helfe gern!"})
    login_as(people[0])
    with app.app_context():
        mine = db.session.scalar(sa.select(Interest.id).where(Interest.user_id == people[0].id))
    client.post(f"/engagement/interesse/{mine}/zurueckziehen")
    with app.app_context():
        person = db.session.get(User, people[1].id)
        anonymise(person, person, KEEP_POSTS)
        db.session.commit()
        assert db.session.get(Opportunity, item).interest_count == 1
        assert find_drift() == []
        # A count gone wrong (e.g. rows deleted by hand) is found and set right.
        db.session.execute(sa.update(Opportunity).values(interest_count=7))
        db.session.commit()
        assert [d.column for d in find_drift()] == ["interest_count"]
        repair_drift()
        db.session.expire_all()
        assert db.session.get(Opportunity, item).interest_count == 1


def test_a_guests_interest_is_kept_through_registering_and_sent_on_approval(
    app, client, make, make_org, coordinator
):
    rep = make.user("anna")
    org = make_org(reps=[rep])
    item = _post(app, org, rep, title="Platzwart")
    assert client.post(f"/engagement/{item}/interesse", data={"message": ""}).status_code == 302
    response = client.post(
        f"/engagement/{item}/interesse", data={"message": "Ich mähe gern Rasen, samstags."}
    )
    assert "/register" in response.location
    password = "correct horse battery staple"
    registered = client.post("/register", data={
        "username": "rasenfreund", "email": "rasen@example.org", "password": password,
        "password_confirm": password}, buffered=True)  # fmt: skip
    assert registered.status_code == 302
    with app.app_context():
        person = db.session.scalar(sa.select(User).where(User.username == "rasenfreund"))
        interest = db.session.scalar(sa.select(Interest))
        assert interest.user_id == person.id and interest.sent_at is None
        assert interest.message == "Ich mähe gern Rasen, samstags."
        applied = applications.submit_application(person, [{"question": "Wer?", "answer": "I"}], 1)
        applications.approve_application(db.session.get(User, coordinator.id), applied)
        interest = db.session.scalar(sa.select(Interest))
        assert interest.topic_id is not None and interest.sent_at is not None
        first = db.session.scalar(
            sa.select(Post.raw).where(Post.topic_id == interest.topic_id, Post.post_number == 1)
        )
        assert first == "Ich mähe gern Rasen, samstags."
        assert db.session.scalar(
            sa.select(sa.func.count()).select_from(Notification).where(
                Notification.user_id == rep.id, Notification.kind == "interest_shown")
        ) == 1  # fmt: skip
