"""The volunteering exchange is the open door: guests get its directory,
profiles and opportunities from the anonymous page cache, and a change by a
representative shows up for them at once."""

import pytest

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
