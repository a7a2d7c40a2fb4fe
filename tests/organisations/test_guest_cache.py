"""The volunteering exchange is the open door: guests get its directory,
profiles and opportunities from the anonymous page cache, and a change by a
representative shows up for them at once."""

import html
import random
import re

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.kept import KeptText
from forum.organisations.models import Interest
from tests.organisations.test_opportunities import _post


@pytest.fixture
def app_config(app_config):
    return {**app_config, "PAGE_CACHE_ENABLED": True}


@pytest.fixture
def guest(app):
    def get(path):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = client.get(path)
        response.close()
        return response

    return get


def test_the_exchange_comes_from_the_cache_and_a_change_drops_it(app, guest, make, make_org):
    rep = make.user("petra")
    organisation = make_org(reps=[rep])
    first = _post(app, organisation, rep, title="Trainer/in für die F-Jugend")
    paths = ["/organisationen", f"/o/{organisation.slug}", "/engagement", f"/engagement/{first}"]
    for path in paths:
        miss, hit = guest(path), guest(path)
        assert (miss.status_code, hit.status_code) == (200, 200), path
        assert miss.headers["X-Page-Cache"] == "miss", path
        assert hit.headers["X-Page-Cache"] == "hit", path
        assert hit.get_data() == miss.get_data(), path
    _post(app, organisation, rep, title="Kuchen backen für das Sommerfest")
    for path in paths[1:3]:
        page = guest(path)
        assert page.headers["X-Page-Cache"] == "miss", path
        assert "Kuchen backen für das Sommerfest" in page.get_data(as_text=True), path


def test_a_members_only_organisation_never_reaches_a_guest_through_the_cache(
    app, client, guest, make, make_org, login_as
):
    make_org("Geheimer Lesekreis", members_only=True)
    login_as(make.user("mitglied"))
    assert "Geheimer Lesekreis" in client.get("/organisationen").get_data(as_text=True)
    assert "X-Page-Cache" not in client.get("/organisationen").headers
    page = guest("/organisationen")
    assert page.headers["X-Page-Cache"] == "miss"
    assert "Geheimer Lesekreis" not in page.get_data(as_text=True)
    assert guest("/o/geheimer-lesekreis").status_code == 404


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


#: 2,000 characters a browser once lost: Chinese and emoji (one a woman farmer,
#: joined by U+200D) in no repeating order. The session wrote each as \uXXXX
#: escapes, and zlib could not shrink them under the 4 KB a cookie may have.
_RANDOM = random.Random(2000)
WIDE_TEXT = (
    "".join(
        chr(_RANDOM.randrange(0x4E00, 0x9FFF))
        if n % 5
        else chr(_RANDOM.randrange(0x1F300, 0x1F5FF))
        for n in range(1997)
    )
    + "👩\u200d🌾"
)


class TestWithCsrfAsInProduction:
    """Tests run without CSRF tokens; production has them, and a token on a page
    sets the session cookie. The guest's opportunity page held the interest form
    (and its token), so it was never cached: a guest gets a link to the form."""

    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "WTF_CSRF_ENABLED": True}

    def test_a_guests_pages_of_the_exchange_set_no_cookie_and_come_from_the_cache(
        self, app, guest, make, make_org
    ):
        rep = make.user("petra")
        organisation = make_org(reps=[rep])
        item = _post(app, organisation, rep, title="Trainer/in für die F-Jugend")
        paths = ["/organisationen", f"/o/{organisation.slug}", "/engagement", f"/engagement/{item}"]
        for path in paths:
            miss, hit = guest(path), guest(path)
            assert "Set-Cookie" not in miss.headers, path
            assert (miss.headers["X-Page-Cache"], hit.headers["X-Page-Cache"]) == ("miss", "hit")
        page = guest(f"/engagement/{item}").get_data(as_text=True)
        assert "csrf_token" not in page and 'method="post"' not in page
        assert f'href="/engagement/{item}/interesse">I am interested</a>' in page

    def test_a_guests_long_wide_interest_arrives_whole_after_registering(self, app, make, make_org):
        rep = make.user("petra")
        item = _post(app, make_org(reps=[rep]), rep, title="Platzwart")
        assert len(WIDE_TEXT) == 2000 and len(WIDE_TEXT.encode()) > 6000
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        form = client.get(f"/engagement/{item}/interesse").get_data(as_text=True)
        assert 'name="message"' in form
        response = client.post(
            f"/engagement/{item}/interesse",
            data={"csrf_token": _token(form), "message": WIDE_TEXT},
        )
        assert response.status_code == 302 and "/register" in response.location
        for cookie in response.headers.getlist("Set-Cookie"):
            assert len(cookie.encode()) < 4093, len(cookie.encode())
        # Back on the form (say, to read it again), the message is filled in.
        form = client.get(f"/engagement/{item}/interesse").get_data(as_text=True)
        assert html.escape(WIDE_TEXT, quote=False) in form
        register = client.get("/register").get_data(as_text=True)
        password = "correct horse battery staple"
        registered = client.post("/register", data={
            "csrf_token": _token(register), "username": "weitschrift",
            "email": "weit@example.org", "password": password,
            "password_confirm": password}, buffered=True)  # fmt: skip
        assert registered.status_code == 302
        for cookie in registered.headers.getlist("Set-Cookie"):
            assert len(cookie.encode()) < 4093, len(cookie.encode())
        with app.app_context():
            interest = db.session.scalar(sa.select(Interest))
            assert interest.user.username == "weitschrift"
            assert interest.message == WIDE_TEXT
            # Taken: nothing is kept any longer.
            assert db.session.scalar(sa.select(sa.func.count()).select_from(KeptText)) == 0


def test_a_member_keeps_the_form_on_the_opportunitys_page(app, client, make, make_org, login_as):
    rep = make.user("petra")
    item = _post(app, make_org(reps=[rep]), rep, title="Platzwart")
    guest_form = app.test_client().get(f"/engagement/{item}/interesse").get_data(as_text=True)
    assert 'name="message"' in guest_form
    login_as(make.user("helfer"))
    page = client.get(f"/engagement/{item}")
    assert "X-Page-Cache" not in page.headers
    assert f'action="/engagement/{item}/interesse"' in page.get_data(as_text=True)
    assert 'name="message"' in page.get_data(as_text=True)
