"""The settings page: every run-time setting is shown, checked, saved, logged, and
changes what the forum does at once; the deployer's settings are shown read-only."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.admin.settings_catalog import DEPLOYER, RUNTIME
from forum.db import utcnow
from forum.extensions import db
from forum.membership.models import Invitation
from forum.moderation.models import AuditLog
from forum.search import misses
from forum.search.models import SearchMiss
from forum.site.models import SiteSetting
from forum.site.services import setting

SECRET = "ein-geheimes-schluesselwort-mit-mehr-als-32-zeichen"
MAIL_SECRET = "post-geheimnis-4711"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SECRET_KEY": SECRET, "MAIL_PASSWORD": MAIL_SECRET}


def _form(app, **overrides) -> dict:
    """The settings form as the page fills it with the defaults, then ``overrides``
    (None leaves a field out, as an unticked checkbox is)."""
    data = {}
    for entry in RUNTIME:
        value = app.config[entry.key]
        if entry.kind == "bool":
            if value:
                data[entry.name] = "y"
        else:
            data[entry.name] = str(value)
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _log(app) -> list[AuditLog]:
    with app.app_context():
        entries = list(
            db.session.scalars(
                sa.select(AuditLog).where(AuditLog.action == "change_setting").order_by(AuditLog.id)
            )
        )
        db.session.expunge_all()
        return entries


def _stored(app) -> dict:
    with app.app_context():
        return dict(db.session.execute(sa.select(SiteSetting.key, SiteSetting.value)).all())


def _save(app, client, **overrides) -> None:
    response = client.post("/admin/settings", data=_form(app, **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)


# --- The page ------------------------------------------------------------------------------------


def test_page_shows_every_setting_with_default_and_the_deployers_read_only(
    app, client, login_as, admin
):
    login_as(admin)
    html = client.get("/admin/settings").get_data(as_text=True)
    for section in ("Site", "Membership", "Posting", "E-mail", "Privacy", "Search"):
        assert f">{section}</h2>" in html
    for entry in RUNTIME:
        assert f'name="{entry.name}"' in html, entry.key
        assert str(entry.explanation) in html.replace("&#34;", '"').replace("&#39;", "'")
    assert 'name="flags_to_hide" required type="number" value="3"' in html
    assert "Default: 3" in html and "Default: on" in html and "Default: 90" in html
    for fixed in DEPLOYER:
        assert f"<code>FORUM_{fixed.key}</code>" in html
    # Secrets: only whether they are set.
    assert SECRET not in html and MAIL_SECRET not in html
    assert app.config["SQLALCHEMY_DATABASE_URI"] not in html


def test_page_in_german(client, login_as, make):
    login_as(make.user("leitung", role="admin", locale="de"))
    html = client.get("/admin/settings", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Mitgliedschaft" in html and "Datenschutz" in html
    assert "Name des Forums" in html and "Standard:" in html


# --- Saving and logging --------------------------------------------------------------------------


def test_changes_are_saved_and_logged_with_old_and_new_value(app, client, login_as, admin):
    login_as(admin)
    _save(
        app, client, approval_required=None, flags_to_hide="5", join_request_notify="daily",
        site_name="Ehrenamt Wolfsburg", post_rate_limit="3 per minute",
    )  # fmt: skip
    with app.test_request_context():
        assert setting("MEMBERSHIP_APPROVAL_REQUIRED") is False
        assert setting("FLAGS_TO_HIDE") == 5
        assert setting("JOIN_REQUEST_NOTIFY") == "daily"
        assert setting("SITE_NAME") == "Ehrenamt Wolfsburg"
        assert setting("HOLD_FIRST_POSTS") == 1
    entries = _log(app)
    changes = {
        entry.target_label: (entry.details["old"], entry.details["new"]) for entry in entries
    }
    assert changes == {
        "MEMBERSHIP_APPROVAL_REQUIRED": (True, False),
        "FLAGS_TO_HIDE": (3, 5),
        "JOIN_REQUEST_NOTIFY": ("each", "daily"),
        "SITE_NAME": ("Ehrenamt im Landkreis Gifhorn", "Ehrenamt Wolfsburg"),
        "POST_RATE_LIMIT": ("12 per minute;200 per day", "3 per minute"),
    }
    assert all(entry.actor_id == admin.id for entry in entries)
    # Saving again without a change writes nothing; the page shows the saved values.
    client.post(
        "/admin/settings",
        data=_form(
            app, approval_required=None, flags_to_hide="5", join_request_notify="daily",
            site_name="Ehrenamt Wolfsburg", post_rate_limit="3 per minute",
        ),
    )  # fmt: skip
    assert len(_log(app)) == 5
    html = client.get("/admin/settings").get_data(as_text=True)
    assert 'value="Ehrenamt Wolfsburg"' in html
    assert 'name="approval_required" type="checkbox" value="y"' in html  # not checked


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"flags_to_hide": "0"}, "from 1 to 100"),
        ({"hold_first_posts": "-1"}, "from 0 to 100"),
        ({"hold_first_posts": "viele"}, ""),
        ({"flags_to_hide": None}, "Please enter a number."),
        ({"join_request_notify": "weekly"}, ""),
        ({"site_name": "   "}, "Please fill in this field."),
        ({"site_name": "x" * 101}, "at most 100 characters"),
        ({"post_rate_limit": "ganz viel"}, "per minute"),
        ({"post_rate_limit": ""}, "Please fill in this field."),
        ({"search_log_days": "366"}, "from 0 to 365"),
        ({"invitation_days": "0"}, "from 1 to 365"),
        ({"topics_per_page": "1"}, "from 5 to 100"),
    ],
)
def test_invalid_values_are_refused_with_a_message_and_nothing_saved(
    app, client, login_as, admin, overrides, message
):
    login_as(admin)
    response = client.post("/admin/settings", data=_form(app, **overrides))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html or "Not a valid choice" in html
    assert message in html.replace("&#34;", '"')
    assert _log(app) == [] and _stored(app) == {}


def test_what_was_typed_stays_after_an_error(app, client, login_as, admin):
    login_as(admin)
    response = client.post(
        "/admin/settings",
        data=_form(app, flags_to_hide="0", hold_first_posts="7", site_name="Neuer Name"),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'name="hold_first_posts" required type="number" value="7"' in html
    assert 'value="Neuer Name"' in html
    assert "flags_to_hide-error" in html


_FIELD_VALUES = st.one_of(
    st.none(),
    st.text(max_size=120),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["y", "on", "each", "none", "1 per day", "0", "5", "365", "1e3"]),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.fixed_dictionaries({entry.name: _FIELD_VALUES for entry in RUNTIME}))
def test_arbitrary_input_never_fails_and_is_stored_only_when_valid(
    app, client, login_as, admin, data
):
    login_as(admin)
    form = {key: value for key, value in data.items() if value is not None}
    before = _stored(app)
    response = client.post("/admin/settings", data=form)
    assert response.status_code in (302, 400)
    after = _stored(app)
    if response.status_code == 400:
        assert after == before
    else:
        for entry in RUNTIME:
            if entry.key in after:
                assert entry.problem(after[entry.key]) is None, entry.key


# --- Every setting takes effect at once ----------------------------------------------------------


def test_site_name_and_description(app, client, login_as, admin):
    login_as(admin)
    _save(app, client, site_name="Ehrenamt Wolfsburg", site_description="Wir helfen uns.")
    assert "<title>Settings \N{EN DASH} Ehrenamt Wolfsburg</title>" in client.get(
        "/admin/settings"
    ).get_data(as_text=True)
    html = app.test_client().get("/").get_data(as_text=True)  # a guest
    assert "Wir helfen uns." in html and "Ehrenamt Wolfsburg" in html


def test_invitation_days(app, client, login_as, admin):
    login_as(admin)
    _save(app, client, invitation_days="3")
    client.post("/admin/invitations", data={"email": "neu@example.org"})
    with app.app_context():
        invitation = db.session.scalar(sa.select(Invitation))
        left = invitation.expires_at - utcnow()
    assert timedelta(days=2, hours=23) < left <= timedelta(days=3)


def test_posts_and_topics_per_page(app, client, login_as, admin, make):
    category = make.category("Offen", read_level="public")
    author = make.user("schreiberin")
    topic = make.topic(author=author, category=category, title="Das erste Thema hier")
    for number in range(6):
        make.post(topic, author=author, raw=f"Antwort Nummer {number} mit Text")
    for number in range(5):
        make.topic(author=author, category=category, title=f"Weiteres Thema {number}")
    login_as(admin)
    _save(app, client, posts_per_page="5", topics_per_page="5")
    html = client.get(f"/t/x/{topic.id}", follow_redirects=True).get_data(as_text=True)
    assert len(re.findall(r'<article class="post', html)) == 5
    html = client.get("/latest").get_data(as_text=True)
    assert len(re.findall(r"Weiteres Thema \d|Das erste Thema hier", html)) == 5
    _save(app, client, posts_per_page="20", topics_per_page="20")
    html = client.get(f"/t/x/{topic.id}", follow_redirects=True).get_data(as_text=True)
    assert len(re.findall(r'<article class="post', html)) == 7


def test_hold_first_posts(app, client, login_as, admin, make):
    category = make.category("Offen", read_level="members")
    topic = make.topic(category=category)
    newcomer = make.user("neuling")
    login_as(admin)
    _save(app, client, hold_first_posts="0")
    login_as(newcomer)
    client.post(f"/t/{topic.id}/reply", data={"raw": "Meine erste Antwort, gleich sichtbar."})
    page = client.get(f"/t/x/{topic.id}", follow_redirects=True)
    assert "Meine erste Antwort" in page.get_data(as_text=True)


def test_post_rate_limit(app_config, tmp_path, make, admin):
    from forum import create_app
    from tests.conftest import login

    category = make.category("Offen", read_level="members")
    topic = make.topic(category=category)
    limited = create_app(
        {**app_config, "RATELIMIT_ENABLED": True}, instance_path=str(tmp_path / "limited")
    )
    try:
        client = limited.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        login(client, admin)
        _save(limited, client, post_rate_limit="2 per day")
        answers = [
            client.post(f"/t/{topic.id}/reply", data={"raw": f"Antwort {n} von der Verwaltung"})
            for n in range(3)
        ]
        assert [a.status_code for a in answers] == [302, 302, 429]
    finally:
        # Its own engine: closed here, or its connections are left to the garbage
        # collector (a ResourceWarning in whichever test runs then).
        if "search" in limited.extensions:
            limited.extensions["search"].close()
        with limited.app_context():
            db.session.remove()
            db.engine.dispose()


def test_search_per_page(app, login_as, admin):
    from forum.search import services as search

    with app.test_request_context():
        from forum.site.services import set_setting

        set_setting("SEARCH_PER_PAGE", 7)
        db.session.commit()
    with app.test_request_context():
        assert search.search(None, "irgendwas").per_page == 7


def test_search_log_days(app, client, login_as, admin, make):
    login_as(admin)
    today = utcnow().date()
    with app.app_context():
        misses.write_miss("alt", today - timedelta(days=40), 90)
        misses.write_miss("uralt", today - timedelta(days=100), 90)
    _save(app, client, search_log_days="30")
    with app.app_context():  # a shorter retention applies at once
        assert set(db.session.scalars(sa.select(SearchMiss.term))) == set()
    client.get("/search?q=Schwimmbadfahrdienst", buffered=True).close()
    with app.app_context():
        terms = set(db.session.scalars(sa.select(SearchMiss.term)))
    # The new miss is counted; what is older than 30 days is gone.
    assert terms == {"schwimmbadfahrdienst"}
    with app.app_context():
        misses.write_miss("gestern", today - timedelta(days=1), 30)
    _save(app, client, search_log_days="1")
    with app.app_context():
        assert set(db.session.scalars(sa.select(SearchMiss.term))) == {"schwimmbadfahrdienst"}
    _save(app, client, search_log_days="0")  # keeps nothing, from now on
    client.get("/search?q=Nochwasganzanderes", buffered=True).close()
    with app.app_context():
        assert set(db.session.scalars(sa.select(SearchMiss.term))) == set()


def test_every_run_time_setting_is_described_and_documented():
    from pathlib import Path

    from forum.site.services import RUNTIME_SETTINGS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    changed_in_browser = readme.split("### Changed in the browser")[1].split("###")[0]
    assert {entry.key for entry in RUNTIME} == set(RUNTIME_SETTINGS)
    for key in RUNTIME_SETTINGS:
        assert f"`{key}`" in changed_in_browser, key


def test_flags_to_hide(app, client, login_as, admin, make):
    from forum.boards.models import Post
    from tests.conftest import login

    category = make.category("Offen", read_level="members")
    topic = make.topic(category=category)
    reply = make.post(topic, raw="Kaufen Sie jetzt billige Uhren!")
    login_as(admin)
    _save(app, client, flags_to_hide="1")
    flagger = app.test_client()
    login(flagger, make.user("melderin"))
    assert flagger.post(f"/p/{reply.id}/flag", data={"reason": "spam"}).status_code == 302
    with app.app_context():
        assert db.session.get(Post, reply.id).hidden_at is not None


def test_mail_and_privacy_settings_a_deployer_sets_are_shown_read_only(
    app, client, login_as, admin
):
    app.config.update(
        LOGIN_RECORD_DAYS=7, REPLY_BY_EMAIL_ADDRESS="antwort@forum.example", MAIL_USE_TLS=True,
        INCOMING_MAIL_IMAP_PASSWORD="imap-geheimnis-123",
    )  # fmt: skip
    login_as(admin)
    html = client.get("/admin/settings").get_data(as_text=True)
    for key in ("LOGIN_RECORD_DAYS", "REPLY_BY_EMAIL_ADDRESS", "MAIL_MAX_ATTEMPTS",
                "MAIL_RETRY_BASE_SECONDS", "EMAIL_NOTIFY_MAX_AGE_HOURS"):  # fmt: skip
        assert f"<code>FORUM_{key}</code>" in html, key
        assert f'name="{key.lower()}"' not in html  # not a form field
    assert "antwort@forum.example" in html
    assert "imap-geheimnis-123" not in html
    assert 'name="email_notify_delay_minutes"' in html  # the coordinator's to change


def test_search_extra_words_split_compounds_after_the_rebuild(app, client, login_as, admin, make):
    author = make.user("autorin")
    category = make.category("Fragen", slug="fragen", read_level="public")
    make.topic(author, category, "Vereinsheimgrill", "Der Vereinsheimgrill ist kaputt.")
    login_as(admin)
    assert "0 topics found" in client.get("/search?q=Grill").get_data(as_text=True)
    response = client.post(
        "/admin/settings", data=_form(app, search_extra_words="Vereinsheim, grill  Vereinsheim 12")
    )
    assert response.status_code == 400  # "12" is no word
    assert "not: 12" in response.get_data(as_text=True)
    response = client.post(
        "/admin/settings", data=_form(app, search_extra_words="Vereinsheim, grill  Vereinsheim")
    )
    assert response.status_code == 302
    response.close()  # the rebuild runs after the response
    assert _stored(app)["SEARCH_EXTRA_WORDS"] == "Vereinsheim\ngrill"
    page = client.get("/admin/settings", follow_redirects=True).get_data(as_text=True)
    assert "The search index is being rebuilt with the new words" in page
    assert "Vereinsheim\ngrill</textarea>" in page
    html = client.get("/search?q=Grill").get_data(as_text=True)
    assert "1 topic found" in html and "<mark>" in html
