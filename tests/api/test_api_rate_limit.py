"""A rate-limited API write answers 429 with Retry-After and extras.wait_seconds."""

import pytest

from forum.auth import api_keys
from forum.extensions import db


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_ENABLED": True, "POST_RATE_LIMIT": "2 per minute"}


def test_too_many_posts_answer_429(app, client, make):
    user = make.user("carla")
    with app.app_context():
        secret = api_keys.create_key(
            description="Test", user=db.session.merge(user), read_only=False, created_by=None
        )[1]
    headers = {"Api-Key": secret}
    answers = [client.post("/posts.json", headers=headers, data={"raw": "x"}) for _ in range(3)]
    assert [a.status_code for a in answers[:2]] == [422, 422]
    limited = answers[2]
    assert limited.status_code == 429
    assert limited.headers["Content-Type"] == "application/json; charset=utf-8"
    body = limited.get_json()
    assert body["error_type"] == "rate_limit" and body["extras"]["wait_seconds"] > 0
    assert int(limited.headers["Retry-After"]) > 0
