"""Watched words: each process keeps them while the settings generation stands
(one statement less per reply), and an admin's change shows on the next reply."""

import pytest
import sqlalchemy as sa

from forum import pagecache
from forum.extensions import db
from forum.moderation.models import WatchedWord, WatchedWordAction
from tests.conftest import counting_statements, login


@pytest.fixture
def app_config(app_config):
    app_config["HOLD_FIRST_POSTS"] = 0
    return app_config


def _word_reads(statements: list[str]) -> int:
    return sum("FROM watched_words" in s for s in statements)


def _reply(client, topic, text: str):
    return client.post(f"/t/{topic.id}/reply", data={"raw": text})


def test_a_reply_reads_no_watched_words_while_the_generation_stands(app, client, make):
    topic = make.topic()
    login(client, make.user("antwortende"))
    assert _reply(client, topic, "Erste Antwort hier.").status_code == 302
    with counting_statements(app) as statements:
        assert _reply(client, topic, "Zweite Antwort hier.").status_code == 302
    assert _word_reads(statements) == 0


def test_the_admins_change_shows_on_the_next_reply(app, client, make, admin):
    topic = make.topic()
    writer = make.user("antwortende", locale="en")
    login(client, writer)
    assert _reply(client, topic, "Ich spiele gern Lotto.").status_code == 302  # the copy exists
    client.post("/logout")
    login(client, admin)
    assert (
        client.post("/admin/watched-words", data={"word": "lotto", "action": "block"}).status_code
        == 302
    )
    client.post("/logout")
    login(client, writer)
    refused = _reply(client, topic, "Noch einmal Lotto.")
    assert refused.status_code == 400
    assert "which is not allowed here" in refused.get_data(as_text=True)
    with app.app_context():
        word_id = db.session.scalar(sa.select(WatchedWord.id))
    client.post("/logout")
    login(client, admin)
    assert client.post(f"/admin/watched-words/{word_id}/delete").status_code == 302
    client.post("/logout")
    login(client, writer)
    assert _reply(client, topic, "Noch einmal Lotto.").status_code == 302


def test_a_word_added_by_another_process_shows_once_it_bumps_the_generation(app, client, make):
    topic = make.topic()
    login(client, make.user("antwortende", locale="en"))
    assert _reply(client, topic, "Ich spiele gern Skat.").status_code == 302  # the copy exists
    # Written past this session's listeners, as another process would.
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            sa.insert(WatchedWord.__table__).values(word="skat", action=WatchedWordAction.BLOCK)
        )
    assert _reply(client, topic, "Wieder Skat.").status_code == 302  # not bumped yet
    pagecache.bump(app, pagecache.SETTINGS)
    assert _reply(client, topic, "Und wieder Skat.").status_code == 400
