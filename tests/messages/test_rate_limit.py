"""Messages are rate limited per account, whatever the address (no spam by message)."""

from forum.extensions import db
from tests.conftest import login
from tests.messages.conftest import send


def test_messages_are_limited_per_account(app_config, tmp_path, members):
    from forum import create_app

    app = create_app(
        {**app_config, "RATELIMIT_ENABLED": True, "MESSAGE_RATE_LIMIT": "2 per minute"},
        instance_path=str(tmp_path / "limited"),
    )
    first, second = app.test_client(), app.test_client()
    second.environ_base["REMOTE_ADDR"] = "192.0.2.7"  # another address, the same account
    for browser in (first, second):
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        login(browser, members[0])
    assert send(first, to="lena").status_code == 302
    # A preview does not count.
    preview = {"to": "lena", "title": "Eine Frage", "raw": "Hallo", "preview": "y"}
    assert first.post("/messages/new", data=preview).status_code == 200
    assert send(second, to="lena").status_code == 302
    assert send(second, to="mehmet").status_code == 429
    assert send(first, to="mehmet").status_code == 429
    # Another member is not held back by it.
    other = app.test_client()
    login(other, members[1])
    assert send(other, to="anke").status_code == 302
    with app.app_context():
        db.engine.dispose()
