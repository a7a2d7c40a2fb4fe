"""The access matrix with API keys: every JSON route answers a key exactly what
it answers its user's browser session, and never more.

Each role's requests of the JSON routes (the matrix's own list,
tests/access/routes.py) are sent by the logged-in session and again with
the role's key, with an all-users key and ``Api-Username``, and with a
read-only key; the answers must be the same. A revoked key, a key with an
unknown or another user's ``Api-Username`` and a suspended member's key get
403 and no secret. A read-only key writes nothing.
"""

import pytest
import sqlalchemy as sa

from forum.auth import api_keys
from forum.boards.models import Post
from forum.extensions import db
from forum.users.models import User
from tests.access import world as content
from tests.access.routes import requests_for
from tests.access.test_matrix import _login, _searchable
from tests.access.world import (
    HELD_REPLY,
    HIDDEN_POST,
    MARKERS,
    MEMBERS_TOPIC,
    ROLES,
    STAFF_TOPIC,
)


@pytest.fixture
def app_config(app_config):
    return {**app_config, **content.settings()}


def _json_gets(app, world, role: str) -> list[tuple[str, str]]:
    """(endpoint, URL) of the matrix's GET requests of JSON routes for ``role``."""
    adapter = app.url_map.bind("localhost")
    planned, missing = requests_for(app, world.value_sets(role))
    assert not missing
    found = []
    for request in planned:
        path = request.url.split("?")[0]
        endpoint = adapter.match(path, method=request.method)[0]
        if request.method == "GET" and endpoint.startswith("api.") and path.endswith(".json"):
            found.append((endpoint, request.url))
    return found


def _keys(app, world) -> dict:
    """Each account's own key and a read-only one; one all-users key; one revoked."""
    with app.app_context():
        admin = db.session.get(User, world.accounts["admin"].id)
        keys = {
            "all": api_keys.create_key(
                description="Alle", user=None, read_only=False, created_by=admin
            )[1]
        }
        for role, account in world.accounts.items():
            user = db.session.get(User, account.id)
            keys[role] = api_keys.create_key(
                description=role, user=user, read_only=False, created_by=admin
            )[1]
            keys[f"{role}-read"] = api_keys.create_key(
                description=role, user=user, read_only=True, created_by=admin
            )[1]
        revoked, keys["revoked"] = api_keys.create_key(
            description="Alt", user=admin, read_only=False, created_by=admin
        )
        api_keys.revoke_key(revoked)
    return keys


def _leaks(response, role: str) -> list[str]:
    text = _searchable(response)
    return [m.text for m in MARKERS if m.text in text and not m.may_be_seen_by(role)]


def _answer(response) -> tuple:
    return response.status_code, response.headers.get("Content-Type"), response.get_data()


def test_keys_get_what_their_users_sessions_get_and_never_more(app, make):
    world = content.build(app, make)
    keys = _keys(app, world)
    sessions = {role: app.test_client() for role in world.accounts}
    for role, account in world.accounts.items():
        _login(sessions[role], account.username)
    content.restrict(app, world)
    keyed = app.test_client()
    problems = []
    seen = {role: set() for role in ROLES}
    for role in ROLES:
        if role == "guest":
            continue
        username = world.accounts[role].username
        variants = {
            "own key": {"Api-Key": keys[role]},
            "read-only key": {"Api-Key": keys[f"{role}-read"]},
            "all-users key": {"Api-Key": keys["all"], "Api-Username": username},
        }
        refused = {
            "revoked key": {"Api-Key": keys["revoked"], "Api-Username": username},
            "all-users key, unknown name": {"Api-Key": keys["all"], "Api-Username": "niemand"},
            "all-users key, no name": {"Api-Key": keys["all"]},
            "own key, another's name": {"Api-Key": keys[role], "Api-Username": "nachbar"},
        }
        if role == "suspended":  # a suspended member's keys stop working
            refused.update(variants)
            variants = {}
        first = set()
        for endpoint, url in _json_gets(app, world, role):
            expected = _answer(sessions[role].get(url))
            # Refusals come before any view: once per endpoint is enough.
            once = endpoint not in first
            first.add(endpoint)
            tried = dict(variants)
            if once and variants and endpoint != "api.openapi":
                # The path without .json, with a key, answers as the .json path.
                path, _, query = url.partition(".json")
                tried["own key, no .json"] = (variants["own key"], path + query)
                tried["own key, own name"] = {
                    "Api-Key": keys[role],
                    "Api-Username": username.upper(),
                }
            for name, headers in tried.items():
                headers, asked = headers if isinstance(headers, tuple) else (headers, url)
                got = keyed.get(asked, headers=headers)
                if _answer(got) != expected:
                    problems.append(
                        f"{role} {name}: GET {asked} {got.status_code} != {expected[0]}"
                    )
                problems += [f"{role} {name}: GET {asked} shows {m}" for m in _leaks(got, role)]
                seen[role] |= {m for m in MARKERS if m.text in _searchable(got)}
            for name, headers in refused.items() if once else ():
                got = keyed.get(url, headers=headers)
                if got.status_code != 403 or got.get_json()["error_type"] != "invalid_access":
                    problems.append(f"{role} {name}: GET {url} answered {got.status_code}")
                problems += [f"{role} {name}: GET {url} shows {m}" for m in _leaks(got, "guest")]
    # The keys were shown something: members' topics, staff the held posts.
    assert MEMBERS_TOPIC in seen["member"] and STAFF_TOPIC not in seen["member"]
    assert {STAFF_TOPIC, HELD_REPLY, HIDDEN_POST} <= seen["moderator"]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


def test_read_only_revoked_and_unknown_keys_write_nothing(app, make):
    world = content.build(app, make)
    keys = _keys(app, world)
    values = next(s for s in world.subjects if s.name == "hidden").values
    client = app.test_client()
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Post))
    writes = [
        ("POST", "/posts.json", {"topic_id": values["topic_id"], "raw": "Eine Antwort per Key."}),
        ("POST", "/post_actions.json", {"id": values["post_id"], "post_action_type_id": "2"}),
        ("PUT", f"/posts/{values['post_id']}.json", {"post[raw]": "Überschrieben per Key."}),
        ("DELETE", f"/posts/{values['post_id']}.json", {}),
        ("PUT", f"/t/{values['topic_id']}/status.json", {"status": "closed", "enabled": "true"}),
        ("PUT", f"/review/{world.ids['held_reply']}/perform/approve_post", {}),
        ("PUT", "/notifications/mark-read.json", {}),
    ]
    for headers in (
        {"Api-Key": keys["admin-read"]},
        {"Api-Key": keys["revoked"], "Api-Username": "verwaltung"},
        {"Api-Key": keys["all"], "Api-Username": "niemand"},
        {"Api-Key": keys["member"], "Api-Username": "verwaltung"},
    ):
        for method, url, data in writes:
            answer = client.open(url, method=method, data=data, headers=headers)
            assert answer.status_code == 403, (headers, method, url)
            assert answer.get_json()["error_type"] == "invalid_access"
    assert not content.secrets_kept(app, world)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == before
        post = db.session.get(Post, values["post_id"])
        assert post.deleted_at is None and "Überschrieben" not in post.raw
