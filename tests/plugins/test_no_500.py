"""No 500 with the plugins enabled: tests/test_no_500.py with events and solved."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from forum.boards.models import Post, ReadLevel
from forum.extensions import db
from tests.test_no_500 import build_world, examples, no_500_run

YEAR = datetime.now(UTC).year + 1


@pytest.fixture
def app_config(app_config, plugin_app_config):
    return {
        **app_config,
        **plugin_app_config(["events", "solved"]),
        "EVENTS_CATEGORIES": ["veranstaltungen"],
        "SOLVED_CATEGORIES": ["fragen-antworten"],
        "HOLD_FIRST_POSTS": 0,
        "WTF_CSRF_ENABLED": True,
    }


def plugin_world(app, make) -> dict:
    """The core's data set, plus an event and a question with an answer, listed first."""
    data = build_world(app, make)
    events = make.category("Veranstaltungen", slug="veranstaltungen", read_level=ReadLevel.PUBLIC)
    questions = make.category(
        "Fragen und Antworten", slug="fragen-antworten", read_level=ReadLevel.PUBLIC
    )
    start = f"{YEAR}-05-01T18:00"
    event = make.topic(
        category=events,
        title="Sommerfest im Dorfgemeinschaftshaus",
        extra={"plugin.events.starts_at": start, "plugin.events.ends_at": f"{YEAR}-05-01T20:00",
               "plugin.events.place": "Dorfgemeinschaftshaus"},
    )  # fmt: skip
    question = make.topic(category=questions, title="Wo beantrage ich ein Führungszeugnis?")
    answer = make.post(question, raw="Im Bürgerbüro.", reply_to_post_number=1)
    with app.app_context():
        from forum_plugins.events.models import Event

        assert db.session.get(Event, event.id) is not None, "the event was not created"
        assert db.session.scalar(sa.select(Post.id).where(Post.id == answer.id))
    data["topic_id"] = [event.id, question.id, data["topic_id"]]
    data["post_id"] = [answer.id, data["post_id"]]
    return data


@pytest.mark.parametrize("role", ["member", "admin"])
def test_no_request_gets_a_500_with_the_plugins(app, make, role):
    no_500_run(app, role, plugin_world(app, make), examples=examples(100))
