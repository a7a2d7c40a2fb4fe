"""POST /preview: the composer's live preview (forum.js) gets cooked HTML as JSON."""

import re

import pytest

from tests.conftest import login


def test_preview_cooks_markdown_for_a_member(client, make):
    login(client, make.user())
    response = client.post("/preview", data={"raw": "**fett** <script>x()</script>"})
    assert response.status_code == 200
    assert response.json["cooked"].startswith("<p><strong>fett</strong>")
    assert "<script>" not in response.json["cooked"]


def test_preview_needs_a_login(client):
    response = client.post("/preview", data={"raw": "Hallo"})
    assert response.status_code in (302, 401)


class TestProtection:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "PREVIEW_RATE_LIMIT": "3 per minute"}

    def test_csrf_token_from_the_header_and_rate_limit(self, app, client, make):
        login(client, make.user())
        app.config["WTF_CSRF_ENABLED"] = True
        assert client.post("/preview", data={"raw": "Hallo"}).status_code == 400  # no token
        page = client.get("/settings").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        headers = {"X-CSRFToken": token.group(1)}
        statuses = [
            client.post("/preview", data={"raw": "Hallo"}, headers=headers).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
