"""Production settings: start-up refuses what would leave the forum open; shared rate limits."""

import json
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from forum import create_app
from forum.extensions import db

REDIS_URL = os.environ.get("FORUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LONG_SECRET = "0123456789abcdef" * 4
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def build(app_config, tmp_path):
    """Create apps from the test settings plus ``changes``; dispose of them afterwards."""
    apps = []

    def _build(**changes):
        app = create_app({**app_config, **changes}, instance_path=str(tmp_path / "instance"))
        apps.append(app)
        return app

    yield _build
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def _production(**changes) -> dict:
    settings = {"TESTING": False, "DEBUG": False, "RATELIMIT_ENABLED": True}
    return {**settings, "SECRET_KEY": LONG_SECRET, **changes}


# --- Rate-limit storage -----------------------------------------------------------------


def test_production_refuses_per_process_rate_limits(build):
    with pytest.raises(RuntimeError, match="FORUM_RATELIMIT_STORAGE_URI=redis://"):
        build(**_production(RATELIMIT_STORAGE_URI="memory://"))


def test_production_accepts_one_process_or_shared_storage(build):
    assert build(**_production(RATELIMIT_SINGLE_PROCESS=True))
    assert build(**_production(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379"))
    assert build(**_production(RATELIMIT_ENABLED=False))


def test_debug_under_gunicorn_warns(build, monkeypatch, caplog):
    monkeypatch.setenv("SERVER_SOFTWARE", "gunicorn/23.0.0")
    with caplog.at_level(logging.WARNING):
        build(TESTING=False, DEBUG=True, RATELIMIT_ENABLED=True)
    assert "counts rate limits per process" in caplog.text


def _redis_or_skip():
    """Return a client for the test Redis; skip where there is none (never in CI)."""
    in_ci = os.environ.get("CI", "").lower() == "true"
    try:
        import redis
    except ImportError:  # pragma: no cover - depends on the machine
        if in_ci:
            raise
        pytest.skip("the redis package is not installed: pip install -e '.[redis]'")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:  # pragma: no cover - depends on the machine
        if in_ci:
            raise
        pytest.skip(f"no Redis at {REDIS_URL} (FORUM_TEST_REDIS_URL)")
    return client


#: Another worker: a separate process with the same settings makes login attempts.
WORKER = """
import json, sys
from forum import create_app
from forum.extensions import db
app = create_app(json.loads(sys.argv[1]), instance_path=sys.argv[2])
client = app.test_client()
for name in sys.argv[3:]:
    response = client.post("/login", data={"login": name, "password": "falsch falsch"})
    print(response.status_code)
with app.app_context():
    db.engine.dispose()
"""


def _other_worker(settings: dict, instance: Path, names: list[str]) -> list[int]:
    result = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(settings), str(instance), *names],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=ROOT,
    )
    return [int(line) for line in result.stdout.split()]


def _attempts(client, names: list[str]) -> list[int]:
    return [
        client.post("/login", data={"login": name, "password": "falsch falsch"}).status_code
        for name in names
    ]


@pytest.mark.parametrize("storage", ["redis", "memory://"])
def test_workers_share_rate_limits_only_through_redis(app_config, tmp_path, storage):
    settings = {**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": storage}
    if storage == "redis":
        redis_client = _redis_or_skip()
        prefix = f"forum-test-{uuid.uuid4().hex}"
        settings.update(RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
    # A new name each time: the per-address limit, not the per-name lockout.
    names = [f"x{n}" for n in range(12)]
    try:
        # LOGIN_RATE_LIMIT allows 10 a minute per address; two workers use 6 each.
        first = _other_worker(settings, tmp_path / "first", names[:6])
        second = _other_worker(settings, tmp_path / "second", names[6:])
    finally:
        if storage == "redis":
            keys = list(redis_client.scan_iter(f"*{prefix}*"))
            for key in keys:
                redis_client.delete(key)
            redis_client.close()
    assert first == [400] * 6
    if storage == "redis":
        assert keys, "nothing was counted in Redis"
        assert second == [400] * 4 + [429] * 2
    else:  # each process counts alone: why production refuses memory://
        assert second == [400] * 6


# --- Secret key ------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "message"), [(None, "not set"), ("dev", "too short")])
def test_production_refuses_a_missing_or_short_secret_key(build, key, message):
    with pytest.raises(RuntimeError, match=message) as refused:
        build(**_production(SECRET_KEY=key, RATELIMIT_SINGLE_PROCESS=True))
    assert "FORUM_SECRET_KEY" in str(refused.value)
    assert "instance/config.py" in str(refused.value)


def test_development_and_tests_may_use_a_short_key(build):
    assert build(SECRET_KEY="dev", TESTING=True)
    assert build(SECRET_KEY="dev", TESTING=False, DEBUG=True)


# --- HTTPS ---------------------------------------------------------------------------------


def _log_in(app, make) -> list[str]:
    """Log in with "stay logged in"; return the Set-Cookie headers."""
    user = make.user("berta")
    client = app.test_client()
    data = {"login": user.username, "password": make.password, "remember": "y"}
    response = client.post("/login", data=data)
    assert response.status_code == 302
    return response.headers.getlist("Set-Cookie")


def _cookie(cookies: list[str], name: str) -> str:
    return next(cookie for cookie in cookies if cookie.startswith(f"{name}="))


def test_https_base_url_makes_cookies_secure_and_sends_hsts(build, app, make):
    secure = build(BASE_URL="https://forum.example.org")
    cookies = _log_in(secure, make)
    assert "Secure" in _cookie(cookies, "session")
    assert "Secure" in _cookie(cookies, "remember_token")
    response = secure.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_http_base_url_sends_plain_cookies_and_no_hsts(app, make):
    assert app.config["BASE_URL"].startswith("http://")
    cookies = _log_in(app, make)
    assert "Secure" not in _cookie(cookies, "session")
    assert "Secure" not in _cookie(cookies, "remember_token")
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers


def test_explicit_cookie_settings_and_hsts_off_win(build):
    app = build(BASE_URL="https://forum.example.org", SESSION_COOKIE_SECURE=False, HSTS_SECONDS=0)
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers
