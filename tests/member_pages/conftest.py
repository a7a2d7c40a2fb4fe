"""Fixtures for the kept member pages' tests: posts published at once, and a
signed-in browser per member (each its own session and token)."""

import re

import pytest

from tests.conftest import ServerLikeClient, login

#: The reply form's submission key is new on every page, kept or not.
SUBMISSION_KEY = re.compile(r'name="submission_key" value="[0-9a-f]{32}"')
#: The reader's CSRF token is signed with the time of the request.
CSRF_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app_config(app_config):
    # A member's first post would wait for review (tests/moderation covers that).
    app_config["HOLD_FIRST_POSTS"] = 0
    return app_config


def signed_in(app, user) -> ServerLikeClient:
    """Return a browser of its own, asking for English, with ``user`` logged in."""
    client = ServerLikeClient(app, app.response_class, use_cookies=True)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, user)
    return client
