"""Fixtures: English pages (text assertions survive new translations), staff accounts."""

import pytest


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def coordinator(make):
    return make.user("koordination", role="moderator", locale="en")


@pytest.fixture
def admin(make):
    return make.user("verwaltung", role="admin", locale="en")
