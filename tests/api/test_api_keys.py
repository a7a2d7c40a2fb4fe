"""API keys: made at /admin/api and on the command line, checked on every API request."""

import re

import pytest

from forum.auth import api_keys
from forum.auth.models import ApiKey
from forum.extensions import db
from tests.conftest import login


@pytest.fixture
def places(make):
    public = make.category("Ehrenamt entdecken", read_level="public")
    members = make.category("Allgemeines", read_level="members")
    author = make.user("anna")
    make.topic(author, public, "Offenes Thema", "Für alle.")
    make.topic(author, members, "Internes Thema", "Nur Mitglieder.")
    return public, members


def _titles(response) -> set[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {t["title"] for t in response.get_json()["topic_list"]["topics"]}


def _key(app, user=None, read_only=False) -> str:
    with app.app_context():
        if user is not None:
            user = db.session.merge(user)
        return api_keys.create_key(
            description="Test", user=user, read_only=read_only, created_by=None
        )[1]


def test_a_users_key_reads_what_the_user_may_read(app, client, make, places):
    key = _key(app, make.user("carla"))
    assert _titles(client.get("/latest.json")) == {"Offenes Thema"}
    assert _titles(client.get("/latest.json", headers={"Api-Key": key})) == {
        "Offenes Thema",
        "Internes Thema",
    }
    # The user's own name may be given; another one is refused.
    assert (
        client.get("/latest.json", headers={"Api-Key": key, "Api-Username": "carla"}).status_code
        == 200
    )
    refused = client.get("/latest.json", headers={"Api-Key": key, "Api-Username": "anna"})
    assert refused.status_code == 403
    assert refused.get_json()["error_type"] == "invalid_access"
    assert refused.headers["Content-Type"] == "application/json; charset=utf-8"


def test_an_all_users_key_needs_api_username(app, client, make, places):
    make.user("carla")
    key = _key(app)
    assert client.get("/latest.json", headers={"Api-Key": key}).status_code == 403
    answer = client.get("/latest.json", headers={"Api-Key": key, "Api-Username": "carla"})
    assert "Internes Thema" in _titles(answer)
    assert (
        client.get("/latest.json", headers={"Api-Key": key, "Api-Username": "niemand"}).status_code
        == 403
    )


def test_wrong_revoked_and_suspended_keys_are_refused(app, client, make, places):
    carla = make.user("carla")
    key = _key(app, carla)
    assert client.get("/latest.json", headers={"Api-Key": "falsch"}).status_code == 403
    with app.app_context():
        stored = db.session.scalar(db.select(ApiKey))
        # Only a digest is stored.
        assert key not in (stored.key_hash, stored.truncated) and stored.truncated == key[:4]
        assert stored.last_used_at is None
    client.get("/latest.json", headers={"Api-Key": key})
    with app.app_context():
        stored = db.session.scalar(db.select(ApiKey))
        assert stored.last_used_at is not None
        api_keys.revoke_key(stored)
    assert client.get("/latest.json", headers={"Api-Key": key}).status_code == 403


def test_a_key_does_not_log_in_the_browser_pages(app, client, make, places):
    key = _key(app, make.user("carla", role="admin"))
    # Outside the API a key means nothing: the admin area stays hidden.
    assert client.get("/admin/", headers={"Api-Key": key}).status_code == 404


def test_read_only_key_is_refused_on_writes(app, client, make, places):
    key = _key(app, make.user("carla"), read_only=True)
    assert client.get("/latest.json", headers={"Api-Key": key}).status_code == 200
    answer = client.put("/notifications/mark-read.json", headers={"Api-Key": key})
    assert answer.status_code == 403
    assert answer.get_json() == {
        "errors": [answer.get_json()["errors"][0]],
        "error_type": "invalid_access",
    }


def test_admin_makes_lists_and_revokes_keys(app, client, admin, make, places):
    make.user("carla")
    login(client, admin)
    page = client.get("/admin/api", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "No API keys yet." in page.get_data(as_text=True)
    answer = client.post(
        "/admin/api", data={"description": "Kreis-Website", "username": "carla", "read_only": "y"}
    )
    assert answer.status_code == 200
    secret = re.search(
        r'id="new-key-value" type="text" readonly value="([0-9a-f]{64})"',
        answer.get_data(as_text=True),
    ).group(1)
    assert client.get("/latest.json", headers={"Api-Key": secret}).status_code == 200
    listing = client.get("/admin/api").get_data(as_text=True)
    assert "Kreis-Website" in listing and secret not in listing and secret[:4] in listing
    unknown = client.post("/admin/api", data={"description": "x", "username": "niemand"})
    assert unknown.status_code == 400
    with app.app_context():
        key_id = db.session.scalar(db.select(ApiKey.id))
    assert client.post(f"/admin/api/{key_id}/revoke").status_code == 302
    assert client.get("/latest.json", headers={"Api-Key": secret}).status_code == 403
    assert client.post("/admin/api/999999/revoke").status_code == 404


def test_members_do_not_see_the_keys_page(client, make):
    login(client, make.user("carla"))
    assert client.get("/admin/api").status_code == 404
    assert client.post("/admin/api", data={"description": "x"}).status_code == 404


def test_command_line_creates_lists_and_revokes(app, runner, make, places):
    make.user("carla")
    made = runner.invoke(args=["api-key", "create", "--description", "Bot", "--user", "carla"])
    assert made.exit_code == 0, made.output
    secret = made.output.strip().splitlines()[-1]
    assert re.fullmatch(r"[0-9a-f]{64}", secret)
    listed = runner.invoke(args=["api-key", "list"])
    assert "Bot" in listed.output and "carla" in listed.output and secret not in listed.output
    key_id = listed.output.split("\t")[0]
    assert runner.invoke(args=["api-key", "revoke", key_id]).exit_code == 0
    assert "revoked" in runner.invoke(args=["api-key", "list"]).output
    assert runner.invoke(args=["api-key", "revoke", "99999"]).exit_code != 0
    assert (
        runner.invoke(
            args=["api-key", "create", "--description", "x", "--user", "niemand"]
        ).exit_code
        != 0
    )


def test_session_writes_to_json_routes_need_the_csrf_token(app, client, make):
    login(client, make.user("carla"))
    app.config["WTF_CSRF_ENABLED"] = True
    answer = client.put("/notifications/mark-read.json")
    assert answer.status_code == 403 and answer.get_json()["error_type"] == "csrf"
    token = client.get("/feeds").get_data(as_text=True).split('name="csrf_token" value="')[1]
    token = token.split('"')[0]
    answer = client.put("/notifications/mark-read.json", headers={"X-CSRF-Token": token})
    assert answer.status_code == 200 and answer.get_json() == {"success": "OK"}


def test_a_key_writes_without_a_csrf_token(app, client, make):
    key = _key(app, make.user("carla"))
    app.config["WTF_CSRF_ENABLED"] = True
    answer = client.put("/notifications/mark-read.json", headers={"Api-Key": key})
    assert answer.status_code == 200
