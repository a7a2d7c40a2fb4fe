"""The events plugin end to end: composer, answers, pages, calendar files, reminders."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from forum.boards.models import ReadLevel, Topic
from forum.extensions import db
from forum.notifications.models import Notification

from .conftest import branch_problems

BERLIN = ZoneInfo("Europe/Berlin")
YEAR = datetime.now(UTC).year + 1


@pytest.fixture
def app_config(app_config, plugin_app_config):
    return {
        **app_config,
        **plugin_app_config(["events"]),
        "EVENTS_CATEGORIES": ["veranstaltungen"],
        "HOLD_FIRST_POSTS": 0,
    }


@pytest.fixture
def events_category(make):
    return make.category("Veranstaltungen", slug="veranstaltungen", read_level=ReadLevel.PUBLIC)


@pytest.fixture
def members_events(make):
    # A second event category whose topics only members may read.
    return make.category("Intern", slug="intern-treffen", read_level=ReadLevel.MEMBERS)


def fields(start="", end="", **more) -> dict:
    data = {"plugin.events.starts_at": start, "plugin.events.ends_at": end}
    data.update({f"plugin.events.{key}": value for key, value in more.items()})
    return data


WINTER = fields(f"{YEAR}-03-14T10:00", f"{YEAR}-03-14T16:00", place="Kreishaus, Gifhorn")


def event_topic(make, category, author=None, start=None, hours=2, **more):
    """Create a topic with an event through the real hooks (topic_created)."""
    start = start or datetime(YEAR, 5, 1, 18, 0)
    extra = fields(
        start.strftime("%Y-%m-%dT%H:%M"),
        (start + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M"),
        **{"place": "Dorfgemeinschaftshaus", **more},
    )
    return make.topic(author=author, category=category, title=more.pop("title", None), extra=extra)


def stored_event(app, topic_id):
    from forum_plugins.events.models import Event

    with app.app_context():
        event = db.session.get(Event, topic_id)
        if event is not None:
            db.session.expunge(event)
        return event


def new_topic(client, category, title="Erste-Hilfe-Kurs für Übungsleitende", **extra):
    data = {"category": category.id, "title": title, "raw": "Wir lernen stabile Seitenlage."}
    return client.post("/new-topic", data={**data, **extra})


def topic_path(app, topic_id):
    from forum.urls import topic_url

    with app.app_context(), app.test_request_context():
        return topic_url(db.session.get(Topic, topic_id))


# --- Composer -----------------------------------------------------------------------------


def test_composer_offers_event_fields_only_for_event_categories(
    client, make, login_as, events_category
):
    other = make.category("Allgemeines", slug="allgemeines")
    login_as(make.user())
    assert 'name="plugin.events.starts_at"' in client.get("/new-topic").get_data(as_text=True)
    page = client.get(f"/new-topic?category={events_category.id}").get_data(as_text=True)
    assert 'type="datetime-local"' in page
    assert "plugin.events.municipality" in page
    assert "plugin.events" not in client.get(f"/new-topic?category={other.id}").get_data(
        as_text=True
    )


def test_member_creates_an_event_in_local_time_stored_as_utc(
    app, client, make, login_as, events_category
):
    login_as(make.user())
    summer = fields(
        f"{YEAR}-07-01T18:00",
        f"{YEAR}-07-01T20:30",
        place="Rathaus Wittingen",
        municipality="wittingen",
        max_participants="12",
        registration_deadline=f"{YEAR}-06-28T12:00",
    )
    response = new_topic(client, events_category, **summer)
    assert response.status_code == 302
    topic_id = int(response.headers["Location"].rsplit("/", 1)[1])
    event = stored_event(app, topic_id)
    # Summer time: Berlin is UTC+2.
    assert event.starts_at == datetime(YEAR, 7, 1, 16, 0, tzinfo=UTC)
    assert event.ends_at == datetime(YEAR, 7, 1, 18, 30, tzinfo=UTC)
    assert event.registration_deadline == datetime(YEAR, 6, 28, 10, 0, tzinfo=UTC)
    assert (event.place, event.municipality, event.max_participants) == (
        "Rathaus Wittingen",
        "wittingen",
        12,
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rathaus Wittingen" in page
    assert "6:00" in page and "8:30" in page  # shown in Berlin time (English: 6:00 PM)
    assert "Stadt Wittingen" in page


def test_a_topic_without_event_fields_stays_a_plain_topic(app, client, make, login_as,
                                                           events_category):  # fmt: skip
    login_as(make.user())
    response = new_topic(client, events_category, **fields())
    assert response.status_code == 302
    topic_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert stored_event(app, topic_id) is None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (fields(f"{YEAR}-03-14T10:00", f"{YEAR}-03-14T09:00", place="X"), "must end after"),
        (fields(f"{YEAR}-03-14T10:00", f"{YEAR}-03-14T10:00", place="X"), "must end after"),
        (fields("", f"{YEAR}-03-14T10:00", place="X"), "needs a start"),
        (fields(f"{YEAR}-03-14T10:00", "", place="X"), "needs an end"),
        (fields("morgen", f"{YEAR}-03-14T10:00", place="X"), "Starts"),
        (fields(f"{YEAR}-03-14T10:00", f"{YEAR}-03-14T12:00"), "a place or an online link"),
        ({**WINTER, "plugin.events.online_url": "javascript:alert(1)"}, "full web address"),
        ({**WINTER, "plugin.events.max_participants": "0"}, "Maximum participants"),
        (
            {**WINTER, "plugin.events.registration_deadline": f"{YEAR}-03-15T10:00"},
            "deadline must not be after",
        ),
        ({**WINTER, "plugin.events.municipality": "berlin"}, "Municipality"),
        # A right-to-left override would make the place read backwards (U+202E).
        ({**WINTER, "plugin.events.place": "Rathaus \u202eGifhorn"}, "U+202E"),
    ],
)
def test_bad_event_fields_are_refused_with_a_message(
    app, client, make, login_as, events_category, extra, message
):
    login_as(make.user())
    response = new_topic(client, events_category, **extra)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Topic)) == 0


def test_event_fields_in_a_category_without_events_are_refused(app, client, make, login_as):
    other = make.category("Allgemeines", slug="allgemeines")
    login_as(make.user())
    response = new_topic(client, other, **WINTER)
    assert response.status_code == 400
    assert "only be added to topics in the event categories" in response.get_data(as_text=True)


def _first_post_id(app, topic_id) -> int:
    from forum.boards.models import Post

    with app.app_context():
        return db.session.scalar(
            sa.select(Post.id).where(Post.topic_id == topic_id, Post.post_number == 1)
        )


def test_the_author_changes_the_date_and_place_in_the_edit_form(
    app, client, make, login_as, events_category
):
    from forum_plugins.events.models import Rsvp

    author = make.user("vorstand")
    topic = event_topic(make, events_category, author=author, title="Sommerfest")
    post_id = _first_post_id(app, topic.id)
    login_as(author)
    form = client.get(f"/p/{post_id}/edit").get_data(as_text=True)
    assert f'value="{YEAR}-05-01T18:00"' in form and 'value="Dorfgemeinschaftshaus"' in form
    guest = make.user("gast")
    login_as(guest)
    client.post(f"/events/{topic.id}/rsvp", data={"status": "going"})
    with app.app_context():
        db.session.execute(sa.update(Rsvp).values(reminded_at=sa.func.now()))
        db.session.commit()

    login_as(author)
    moved = fields(f"{YEAR}-05-08T17:00", f"{YEAR}-05-08T22:00", place="Schützenplatz")
    unchanged_text = {"title": "Sommerfest", "raw": "Ein erster Beitrag mit Text."}
    response = client.post(f"/p/{post_id}/edit", data={**unchanged_text, **moved})
    assert response.status_code == 302
    event = stored_event(app, topic.id)
    assert (event.place, event.starts_at) == (
        "Schützenplatz",
        datetime(YEAR, 5, 8, 17, 0, tzinfo=ZoneInfo("Europe/Berlin")),
    )
    with app.app_context():  # the reminder goes out again for the new date
        assert db.session.scalar(sa.select(Rsvp.reminded_at)) is None
    page = client.get(topic_path(app, topic.id)).get_data(as_text=True)
    assert "Schützenplatz" in page and "Dorfgemeinschaftshaus" not in page
    with app.app_context():  # who answered hears of it; the author who changed it not
        told = db.session.scalars(
            sa.select(Notification.user_id).where(Notification.kind == "event_changed")
        ).all()
    assert told == [guest.id]
    login_as(guest)
    notice = client.get("/notifications").get_data(as_text=True)
    assert "“Sommerfest” has changed: it now begins on " in notice
    login_as(author)

    backwards = fields(f"{YEAR}-05-08T17:00", f"{YEAR}-05-08T16:00", place="Schützenplatz")
    text = {"title": "Sommerfest", "raw": "Neuer Text, der bleiben soll."}
    response = client.post(f"/p/{post_id}/edit", data={**text, **backwards})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The event must end after it starts." in html
    assert "Neuer Text, der bleiben soll." in html
    assert stored_event(app, topic.id).ends_at.hour == 20  # 22:00 in Berlin, unchanged


def test_replies_have_no_event_fields(app, client, make, login_as, events_category):
    author = make.user("vorstand")
    topic = event_topic(make, events_category, author=author)
    reply = make.post(topic, author, "Ich bringe Kuchen mit.")
    login_as(author)
    assert "plugin.events.starts_at" not in client.get(f"/p/{reply.id}/edit").get_data(as_text=True)


# --- Answers and waiting list ----------------------------------------------------------------


def test_answers_counts_names_and_waiting_list(app, client, make, login_as, events_category):
    topic = event_topic(make, events_category, max_participants="1")
    first, second = make.user("anna"), make.user("bert")
    path = topic_path(app, topic.id)

    login_as(first)
    response = client.post(f"/events/{topic.id}/rsvp", data={"status": "going"})
    assert response.status_code == 302
    client.post("/logout")
    login_as(second)
    client.post(f"/events/{topic.id}/rsvp", data={"status": "going"})
    page = client.get(path).get_data(as_text=True)
    assert "This event is full" in page
    assert "You are number 1 on the waiting list." in page
    assert "anna" in page and "bert" in page  # members see the names

    # Anna cancels: Bert moves up from the waiting list.
    client.post("/logout")
    login_as(first)
    client.post(f"/events/{topic.id}/rsvp", data={"status": "not_going"})
    client.post("/logout")
    login_as(second)
    page = client.get(path).get_data(as_text=True)
    assert "Your answer: Going" in page
    assert "You are number" not in page

    # Guests see counts, no names and no buttons.
    client.post("/logout")
    page = client.get(path).get_data(as_text=True)
    assert 'class="event-going-count">1 / 1<' in page
    assert "bert" not in page
    assert f"/events/{topic.id}/rsvp" not in page


def test_answering_needs_a_member_who_can_read_the_topic(app, client, make, login_as):
    staff_only = make.category("Team-Treffen", slug="veranstaltungen", read_level=ReadLevel.STAFF)
    topic = event_topic(make, staff_only, author=make.user(role="moderator"))
    assert client.post(f"/events/{topic.id}/rsvp", data={"status": "going"}).status_code == 302
    login_as(make.user())
    assert client.post(f"/events/{topic.id}/rsvp", data={"status": "going"}).status_code == 404
    client.post("/logout")
    login_as(make.user(role="applicant"))
    assert client.post(f"/events/{topic.id}/rsvp", data={"status": "going"}).status_code == 404
    client.post("/logout")
    login_as(make.user(role="moderator"))
    assert client.post(f"/events/{topic.id}/rsvp", data={"status": "maybe"}).status_code == 400
    assert client.post(f"/events/{topic.id}/rsvp", data={"status": "going"}).status_code == 302


def test_no_going_after_the_registration_deadline(app, client, make, login_as, events_category):
    soon = datetime.now(BERLIN).replace(tzinfo=None, second=0, microsecond=0) + timedelta(hours=5)
    deadline = (soon - timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M")
    topic = event_topic(make, events_category, start=soon, registration_deadline=deadline)
    # The deadline passed an hour ago; "interested" still works.
    login_as(make.user())
    assert client.post(f"/events/{topic.id}/rsvp", data={"status": "going"}).status_code == 403
    assert client.post(f"/events/{topic.id}/rsvp", data={"status": "interested"}).status_code == 302
    assert "Registration is closed." in client.get(topic_path(app, topic.id)).get_data(as_text=True)


# --- Upcoming events page -------------------------------------------------------------------


def test_upcoming_events_grouped_by_month_and_filtered(
    app_config, client, make, login_as, events_category, members_events
):
    app_config_events = ["veranstaltungen", "intern-treffen"]
    client.application.config["EVENTS_CATEGORIES"] = app_config_events
    march = event_topic(make, events_category, start=datetime(YEAR, 3, 3, 10), title="Märzkurs",
                        municipality="gifhorn")  # fmt: skip
    april = event_topic(make, events_category, start=datetime(YEAR, 4, 4, 10), title="Aprilkurs",
                        municipality="brome")  # fmt: skip
    internal = event_topic(make, members_events, start=datetime(YEAR, 4, 5, 10),
                           title="Internes Treffen")  # fmt: skip
    past = event_topic(make, events_category, start=datetime(2020, 1, 1, 10), title="Altes Fest")

    page = client.get("/events").get_data(as_text=True)
    assert f"March {YEAR}" in page and f"April {YEAR}" in page
    assert page.index(march.title) < page.index(april.title)
    assert internal.title not in page  # guests: public categories only
    assert past.title not in page

    login_as(make.user())
    page = client.get("/events").get_data(as_text=True)
    assert internal.title in page
    page = client.get("/events?municipality=brome").get_data(as_text=True)
    assert april.title in page and march.title not in page
    page = client.get(f"/events?category={members_events.id}").get_data(as_text=True)
    assert internal.title in page and april.title not in page
    # Unknown filter values are ignored, not errors.
    assert client.get("/events?municipality=x&category=999999").status_code == 200


def test_nav_link_and_topic_list_badge(client, make, events_category):
    event_topic(make, events_category, start=datetime(YEAR, 3, 3, 10), title="Märzkurs mit Datum")
    page = client.get("/latest").get_data(as_text=True)
    assert 'href="/events"' in page
    assert "badge-event" in page
    assert f"Mar 3, {YEAR}" in page


def test_search_documents_get_the_place(app, client, make, events_category):
    from forum import plugins
    from forum.boards.models import Post

    topic = event_topic(make, events_category, place="Schützenhaus Meinersen",
                        municipality="meinersen")  # fmt: skip
    with app.app_context():
        post = db.session.scalar(sa.select(Post).where(Post.topic_id == topic.id))
        texts = plugins.search_fields(
            [(post.id, topic.id, 1), (post.id + 1, topic.id, 2)], db.session
        )
    assert texts == {post.id: "Schützenhaus Meinersen Samtgemeinde Meinersen"}
    # The search index has the place too (the first post is indexed again).
    page = client.get("/search?q=Schützenhaus").get_data(as_text=True)
    assert topic.title in page


# --- Calendar files ----------------------------------------------------------------------------


def _calendar(response) -> Calendar:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def test_event_ics_parses_back_with_the_right_times(client, make, events_category):
    topic = event_topic(make, events_category, start=datetime(YEAR, 3, 14, 10), hours=6,
                        title="Vereinsrecht kompakt", place="Kreishaus, Gifhorn")  # fmt: skip
    response = client.get(f"/events/{topic.id}.ics")
    assert "attachment" in response.headers["Content-Disposition"]
    (vevent,) = _calendar(response).walk("VEVENT")
    start, end = vevent.decoded("dtstart"), vevent.decoded("dtend")
    assert start == datetime(YEAR, 3, 14, 10, tzinfo=BERLIN)
    assert start.astimezone(UTC) == datetime(YEAR, 3, 14, 9, tzinfo=UTC)
    assert end == datetime(YEAR, 3, 14, 16, tzinfo=BERLIN)
    assert str(vevent["summary"]) == "Vereinsrecht kompakt"
    assert str(vevent["location"]) == "Kreishaus, Gifhorn"
    assert str(vevent["uid"]) == f"event-{topic.id}@localhost"
    assert str(vevent["url"]).endswith(f"/{topic.id}")
    assert "stabile" not in str(vevent["description"])  # the first post's own text
    assert "Ein erster Beitrag" in str(vevent["description"])
    assert vevent.get("dtstamp") is not None
    assert b"BEGIN:VTIMEZONE" in response.data and b"TZID:Europe/Berlin" in response.data


def test_calendar_files_respect_who_may_read(client, make, login_as, events_category,
                                             members_events):  # fmt: skip
    client.application.config["EVENTS_CATEGORIES"] = ["veranstaltungen", "intern-treffen"]
    public = event_topic(make, events_category, title="Offenes Sommerfest")
    internal = event_topic(make, members_events, title="Internes Planungstreffen")
    assert client.get(f"/events/{internal.id}.ics").status_code == 404

    def summaries(response):
        return {str(e["summary"]) for e in _calendar(response).walk("VEVENT")}

    assert summaries(client.get("/events.ics")) == {public.title}
    member = make.user()
    login_as(member)
    assert client.get(f"/events/{internal.id}.ics").status_code == 200
    # The feed without a token stays public, even for a logged-in member.
    assert summaries(client.get("/events.ics")) == {public.title}
    page = client.get("/events").get_data(as_text=True)
    feed_path = page.split("/events/feed/", 1)[1].split('"', 1)[0]
    client.post("/logout")
    # Calendar apps send no cookie: the token alone says whose feed it is.
    feed = client.get(f"/events/feed/{feed_path}")
    assert summaries(feed) == {public.title, internal.title}
    assert client.get("/events/feed/forged.ics").status_code == 404


def test_a_member_renews_the_personal_feed_address(app, client, make, login_as, events_category):
    event_topic(make, events_category, title="Offenes Sommerfest")
    member = make.user()
    login_as(member)

    def feed_path():
        page = client.get("/events").get_data(as_text=True)
        return page.split('value="http://localhost/events/feed/', 1)[1].split('"', 1)[0]

    first = feed_path()
    assert client.get(f"/events/feed/{first}").status_code == 200
    response = client.post("/events/feed/renew")
    assert response.status_code == 302
    second = feed_path()
    assert second != first
    client.post("/logout")
    assert client.get(f"/events/feed/{first}").status_code == 404  # the shared one is dead
    assert client.get(f"/events/feed/{second}").status_code == 200
    # Guests and applicants have no personal feed to renew.
    assert client.post("/events/feed/renew").status_code == 302  # to the login page
    login_as(make.user(role="applicant"))
    assert client.post("/events/feed/renew").status_code == 403


# --- Reminders ------------------------------------------------------------------------------


def test_reminders_go_to_those_going_once(app, client, make, login_as, events_category):
    tomorrow = datetime.now(BERLIN).replace(tzinfo=None, hour=18, minute=0, second=0,
                                            microsecond=0) + timedelta(days=1)  # fmt: skip
    soon = event_topic(make, events_category, start=tomorrow, max_participants="1",
                       title="Morgen: Helferkreis")  # fmt: skip
    later = event_topic(make, events_category, start=tomorrow + timedelta(days=7))
    going, waiting, interested = make.user(), make.user(), make.user()
    for user, topic, status in (
        (going, soon, "going"), (waiting, soon, "going"), (interested, soon, "interested"),
        (going, later, "going"),
    ):  # fmt: skip
        login_as(user)
        client.post(f"/events/{topic.id}/rsvp", data={"status": status})
        client.post("/logout")

    runner = app.test_cli_runner()
    result = runner.invoke(args=["events", "send-reminders"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 reminder(s)." in result.output
    assert "Sent 0 reminder(s)." in runner.invoke(args=["events", "send-reminders"]).output
    with app.app_context():
        reminders = db.session.scalars(
            sa.select(Notification).where(Notification.kind == "event_reminder")
        ).all()
        assert [(n.user_id, n.topic_id, n.data["title"]) for n in reminders] == [
            (going.id, soon.id, soon.title)
        ]
    login_as(going)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Reminder: “Morgen: Helferkreis” begins on " in page
    assert "You said you would come." in page


# --- Off and on ------------------------------------------------------------------------------


def test_turning_the_plugin_off_and_on(app_config, make, events_category, tmp_path):
    from forum import create_app

    topic = event_topic(make, events_category, title="Fest mit Anmeldung", place="Festwiese")
    path = f"/t/{topic.slug}/{topic.id}"

    def build(plugins):
        app = create_app({**app_config, "PLUGINS": plugins},
                         instance_path=str(tmp_path / f"instance-{len(plugins)}"))  # fmt: skip
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        return app, client

    def fetch(client, url) -> tuple[int, str]:
        # Closing the response runs its after-response work (view counts) now,
        # before this test disposes of the app's engine.
        with client.get(url) as response:
            return response.status_code, response.get_data(as_text=True)

    off, client = build([])
    assert fetch(client, "/events")[0] == 404
    assert fetch(client, f"/events/{topic.id}.ics")[0] == 404
    page = fetch(client, path)[1]
    assert "Festwiese" not in page and 'href="/events"' not in page
    assert "events" not in off.cli.list_commands(None)
    with off.app_context():
        count = db.session.execute(sa.text("SELECT count(*) FROM events")).scalar_one()
        assert count == 1  # the data stays
        db.session.remove()
        db.engine.dispose()

    on, client = build(["events"])
    assert fetch(client, "/events")[0] == 200
    page = fetch(client, path)[1]
    assert "Festwiese" in page and 'href="/events"' in page
    with on.app_context():
        db.engine.dispose()


# --- Migration --------------------------------------------------------------------------------


def test_the_branch_matches_the_models_and_stands_alone(app):
    assert branch_problems(app, "events", {"events", "event_rsvps", "event_feed_keys"}) == []


def test_the_calendar_feed_uses_the_core_feed_keys(app, make):
    """The plugin's tokens are the core's FeedKeys with its own salt and table:
    addresses handed out before (a bare id) still work, the forum's feed keys
    open no calendar, and a member who is no longer one loses the calendar too."""
    from forum_plugins.events import services
    from itsdangerous import URLSafeSerializer

    from forum.api import feed_keys
    from forum.extensions import db
    from forum.users.models import Role, User

    member = make.user()
    with app.test_request_context():
        user = db.session.get(User, member.id)
        assert isinstance(services.FEED_KEYS, feed_keys.FeedKeys)
        old = URLSafeSerializer(app.config["SECRET_KEY"], salt="events-feed").dumps(user.id)
        assert services.feed_token(user) == old and services.feed_user(old) == user
        assert services.feed_user(feed_keys.feed_token(user)) is None
        user.role = Role.APPLICANT
        db.session.commit()
        assert services.feed_user(old) is None


def test_an_organisations_profile_lists_its_upcoming_events(
    app, client, make, login_as, english, events_category, members_events
):
    from forum.organisations import services as organisations

    app.config["EVENTS_CATEGORIES"] = ["veranstaltungen", "intern-treffen"]
    author = make.user("vorstand")
    with app.app_context():
        club = organisations.create_organisation("SV Blau-Weiß Isenbüttel", "isenbuettel")
        other = organisations.create_organisation("Tafel Brome", "brome")
        organisations.create_organisation("Ohne Termine", "gifhorn")
        db.session.commit()
        club_id, other_id = club.id, other.id
    soon = datetime(YEAR, 6, 6, 18, 0)
    titles = {
        "Sommerfest am Vereinsheim": (events_category, club_id, soon),
        "Vorstandssitzung intern": (members_events, club_id, soon),
        "Rückblick aufs Vorjahr": (events_category, club_id, datetime(YEAR - 2, 1, 1, 10, 0)),
        "Ausgabe der Tafel": (events_category, other_id, soon),
    }
    for title, (category, organisation_id, start) in titles.items():
        topic = event_topic(make, category, author=author, start=start, title=title)
        with app.app_context():
            db.session.get(Topic, topic.id).organisation_id = organisation_id
            db.session.commit()

    def events_section(path):
        page = client.get(path).get_data(as_text=True)
        return page.split('aria-labelledby="org-events"', 1)[1].split("</section>", 1)[0]

    shown = events_section("/o/sv-blau-weiss-isenbuettel")
    assert "Sommerfest am Vereinsheim" in shown and "Dorfgemeinschaftshaus" in shown
    # Not the members' event for a guest, not a past one, not another organisation's.
    for absent in ("Vorstandssitzung intern", "Rückblick aufs Vorjahr", "Ausgabe der Tafel"):
        assert absent not in shown, absent
    login_as(make.user("mitglied"))
    assert "Vorstandssitzung intern" in events_section("/o/sv-blau-weiss-isenbuettel")
    # An organisation without events shows no empty section.
    assert "Upcoming events" not in client.get("/o/ohne-termine").get_data(as_text=True)
