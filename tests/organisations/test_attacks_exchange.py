"""An attacker's pass over the volunteering exchange (organisations, opportunities,
interests, their feeds and the guests' page cache): each test is a hole that was
found open, with the answer now expected.

tests/test_hostile_input.py and tests/access/ cover odd values and permissions
on every route; these are the cases they did not reach.
"""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from forum.boards.models import Post
from forum.db import utcnow
from forum.extensions import db
from forum.membership import applications
from forum.organisations.models import Interest, Opportunity
from forum.users.models import User
from tests.organisations.test_opportunities import _post

#: C0 controls a form takes as typed (NUL is dropped by forum/routing.py); XML has none.
CONTROLS = "\x01\x08\x0b\x0c\x1b\x1f"
PROFILE = {"name": "SV Blau-Weiß Isenbüttel", "municipality": "isenbuettel"}
OPPORTUNITY = {"kind": "opportunity", "title": "Trainer/in", "municipality": "isenbuettel",
               "commitment": "regular"}  # fmt: skip
FEEDS = ["/organisationen.rss", "/organisationen.atom", "/o/{slug}.rss", "/o/{slug}.atom",
         "/engagement.rss", "/engagement.atom", "/latest.rss", "/latest.atom"]  # fmt: skip


def test_control_characters_typed_by_a_representative_never_break_the_feeds(
    client, make, make_org, login_as
):
    """One name with a control character made every feed that lists it a 500."""
    rep = make.user("petra")
    organisation = make_org(reps=[rep])
    login_as(rep)
    response = client.post(
        f"/o/{organisation.slug}/bearbeiten",
        data={
            **PROFILE,
            "name": f"SV{CONTROLS} Isenbüttel",
            "short_line": f"Sport{CONTROLS}",
            "description": f"Fußball{CONTROLS} und mehr",
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"/o/{organisation.slug}/engagement/neu",
        data={
            **OPPORTUNITY,
            "title": f"Platzwart{CONTROLS}",
            "place": f"Platz{CONTROLS}",
            "description": f"Rasen{CONTROLS} mähen",
        },
    )
    assert response.status_code == 302
    for path in FEEDS:
        feed = client.get(path.format(slug=organisation.slug))
        assert feed.status_code == 200, path
        body = feed.get_data(as_text=True)
        assert not set(CONTROLS) & set(body), path
    assert "SV Isenbüttel" in client.get("/organisationen.rss").get_data(as_text=True)
    assert "Platzwart" in client.get("/engagement.rss").get_data(as_text=True)


def test_a_members_topic_with_control_characters_never_breaks_the_public_feeds(client, make):
    """Any member could take /latest.rss down for everybody with one title."""
    category = make.category("Offen", read_level="public")
    make.topic(category=category, title=f"Gesucht{CONTROLS} Helfer", raw=f"Text{CONTROLS} hier")
    for path in ("/latest.rss", "/latest.atom"):
        feed = client.get(path)
        assert feed.status_code == 200, path
        assert "Gesucht Helfer" in feed.get_data(as_text=True), path


def _silence(app, user) -> None:
    with app.app_context():
        db.session.get(User, user.id).silenced_until = utcnow() + timedelta(days=3)
        db.session.commit()


def test_a_silenced_member_cannot_show_interest(app, client, make, make_org, login_as, fetch):
    """It was taken and counted, "The organisation has your message" said, yet no
    conversation was opened (a silenced member may not write one): the message was lost."""
    rep = make.user("petra")
    item = _post(app, make_org(reps=[rep]), rep)
    quiet = make.user("leise")
    _silence(app, quiet)
    login_as(quiet)
    assert "I am interested" not in client.get(f"/engagement/{item}").get_data(as_text=True)
    response = client.post(f"/engagement/{item}/interesse", data={"message": "Ich helfe gern."})
    assert response.status_code == 403
    assert fetch(Opportunity, item).interest_count == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Interest.id))) == 0


class TestGuestCacheWithCsrf:
    """Production runs with CSRF on (the tests' default is off)."""

    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "PAGE_CACHE_ENABLED": True, "WTF_CSRF_ENABLED": True}

    def test_a_profile_is_cached_for_guests(self, app, make, make_org):
        """The profile built its (staff-only) confirm form for guests too: the form's
        token set a session cookie on every guest, so no profile was ever kept."""
        organisation = make_org(reps=[make.user("petra")])
        answers = []
        for _ in range(2):
            guest = app.test_client()
            response = guest.get(f"/o/{organisation.slug}")
            answers.append((response.status_code, response.headers.get("X-Page-Cache")))
            assert "Set-Cookie" not in response.headers
            assert not re.search(r'name="csrf_token"', response.get_data(as_text=True))
        assert answers == [(200, "miss"), (200, "hit")]


def test_an_applicants_withdrawn_interest_is_not_sent_on_approval(
    app, client, make, make_org, login_as, coordinator
):
    """The approval sent every waiting interest, the withdrawn ones too: a message
    its writer took back reached the organisation anyway."""
    rep = make.user("anna")
    item = _post(app, make_org(reps=[rep]), rep, title="Platzwart")
    applicant = make.user("neu", role="applicant")
    login_as(applicant)
    client.post(f"/engagement/{item}/interesse", data={"message": "Ich will helfen"})
    with app.app_context():
        interest_id = db.session.scalar(sa.select(Interest.id))
    client.post(f"/engagement/interesse/{interest_id}/zurueckziehen")
    with app.app_context():
        person = db.session.get(User, applicant.id)
        applied = applications.submit_application(person, [{"question": "Wer?", "answer": "I"}], 1)
        applications.approve_application(db.session.get(User, coordinator.id), applied)
        interest = db.session.get(Interest, interest_id)
        assert interest.withdrawn_at is not None
        assert interest.topic_id is None and interest.sent_at is None
        conversations = sa.select(sa.func.count(Post.id)).where(Post.raw == "Ich will helfen")
        assert db.session.scalar(conversations) == 0


#: Names url_for takes for its own arguments: a query string handed to it whole
#: made them that (a BuildError, a TypeError: 500 for any guest).
URL_FOR_NAMES = ["_method=POST", "endpoint=x", "_external=1&_scheme=javascript", "_anchor=x"]


@pytest.mark.parametrize("odd", URL_FOR_NAMES)
def test_url_for_argument_names_in_a_lists_query_are_only_text(client, make, make_org, odd):
    make_org(reps=[make.user("petra")])
    for path in ("/organisationen", "/engagement"):
        response = client.get(f"{path}?page=2&municipality=gifhorn&{odd}")
        assert response.status_code == 200, path
        previous = re.search(r'rel="prev" href="([^"]+)"', response.get_data(as_text=True))
        assert previous.group(1) == f"{path}?page=1&amp;municipality=gifhorn", path
    response = client.get(f"/organisations?q=Sport&{odd}")
    assert response.status_code == 301
    assert response.location == f"/organisationen?q=Sport&{odd.replace(':', '%3A')}"


def test_a_choice_sent_twice_counts_once(app, client, make, make_org, login_as, fetch):
    """The bit mask was a sum: "seniors" twice made 4, an opportunity for families."""
    rep = make.user("petra")
    organisation = make_org(reps=[rep])
    login_as(rep)
    response = client.post(
        f"/o/{organisation.slug}/engagement/neu",
        data={**OPPORTUNITY, "suitable_for": ["seniors", "seniors", "young_people"] * 3},
    )
    assert response.status_code == 302
    item = int(response.location.rsplit("/", 1)[1])
    assert fetch(Opportunity, item).suitable_for == 3
    assert "Young people, Seniors" in client.get(response.location).get_data(as_text=True)
    assert f"/engagement/{item}" not in client.get("/engagement?suitable=families").get_data(
        as_text=True
    )


@pytest.mark.parametrize("closed", ["filled", "expired"])
def test_no_interest_in_a_filled_or_expired_opportunity(
    app, client, make, make_org, login_as, fetch, closed
):
    """The page offered the form and the service took the interest: a filled
    opportunity's representatives kept getting messages for a post already taken."""
    rep = make.user("petra")
    item = _post(app, make_org(reps=[rep]), rep)
    with app.app_context():
        opportunity = db.session.get(Opportunity, item)
        if closed == "filled":
            opportunity.status = "filled"
        else:
            opportunity.ends_on = date.today() - timedelta(days=1)
        db.session.commit()
    guest = app.test_client()
    guest.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    response = guest.post(f"/engagement/{item}/interesse", data={"message": "Ich helfe."})
    assert response.location == f"/engagement/{item}"
    page = guest.get(response.location).get_data(as_text=True)
    assert page.count("Dieses Engagement ist nicht mehr offen.") == 2  # the message, the box
    assert f'action="/engagement/{item}/interesse"' not in page
    login_as(make.user("helfer"))
    response = client.post(f"/engagement/{item}/interesse", data={"message": "Ich helfe."})
    assert response.location == f"/engagement/{item}"
    assert "This opportunity is no longer open." in client.get(response.location).get_data(
        as_text=True
    )
    assert fetch(Opportunity, item).interest_count == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Interest.id))) == 0


class TestInterestsCountAsMessages:
    """An interest opens a conversation with the representatives, and even a new
    member's goes out at once: without a limit, one fresh account wrote to every
    organisation with an opportunity, past the messages' own limit."""

    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "MESSAGE_RATE_LIMIT": "2 per day"}

    def test_a_member_shows_interest_within_the_message_limit(
        self, app, client, make, make_org, login_as
    ):
        rep = make.user("petra")
        organisation = make_org(reps=[rep])
        items = [_post(app, organisation, rep, title=f"Aufgabe {n}") for n in range(3)]
        guest = app.test_client()
        for item in items:  # a guest's message only waits on the session: no limit
            response = guest.post(f"/engagement/{item}/interesse", data={"message": "Hallo"})
            assert response.status_code == 302
        login_as(make.user("eifrig"))
        answers = [
            client.post(f"/engagement/{item}/interesse", data={"message": "Ich helfe."})
            for item in items
        ]
        assert [answer.status_code for answer in answers] == [302, 302, 429]
        assert "Too many" in answers[2].get_data(as_text=True)
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count(Interest.id))) == 2
