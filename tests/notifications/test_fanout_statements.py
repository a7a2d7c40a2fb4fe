"""A reply's fan-out runs a fixed, small number of statements, however many watch.

It runs after the response in a thread of the worker (forum/notifications/
outbox.py), sharing the worker's CPU with the next requests: under 8 writers
its statements are about a quarter of a reply's CPU (bench/README.md, "Writes").
"""

import uuid

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.notifications import outbox, watching
from forum.notifications.models import Level, NotificationJob
from tests.conftest import counting_statements, login
from tests.notifications.helpers import kinds

#: The job's DELETE … RETURNING; the post, topic, category and author; the
#: author's level for the topic and the topic's watchers (one statement on
#: PostgreSQL); who may be told (muted topics and categories left out in the
#: same query); the notifications.
FAN_OUT_STATEMENTS = {"sqlite": 6, "postgresql": 5}


@pytest.fixture
def no_fan_out(monkeypatch):
    """Jobs stay rows until the test makes them."""
    monkeypatch.setattr(outbox, "_runner", lambda app, ids: lambda: None)


def make_jobs(app) -> None:
    """Make the jobs the set-up left (its topics and posts)."""
    with app.app_context():
        ids = db.session.scalars(sa.select(NotificationJob.id)).all()
        db.session.rollback()
    for job_id in ids:
        outbox.run_job(app, job_id)


def reply_and_fan_out(app, client, topic, raw: str) -> None:
    """Reply as the logged-in member, then make the reply's one job."""
    response = client.post(
        f"/t/{topic.id}/reply", data={"raw": raw, "submission_key": uuid.uuid4().hex}
    )
    assert response.status_code == 302
    with app.app_context():
        [job_id] = db.session.scalars(sa.select(NotificationJob.id)).all()
    assert outbox.run_job(app, job_id)


def test_a_replys_fan_out_costs_the_same_for_no_watcher_or_four(app, client, make, no_fan_out):
    anke, lena = make.user("anke.schulz"), make.user("lena.brandes")
    others = [make.user(f"helferin{n}") for n in range(3)]
    make.post(make.topic(lena), lena, "Schon einmal geschrieben (nicht mehr neu).")
    topics = [
        make.topic(anke, make.category(f"Fragen {n}", read_level="members"), f"Wer fährt {n}?")
        for n in range(2)
    ]
    make_jobs(app)
    with app.app_context():
        for user in [anke, *others]:
            watching.set_topic_level(user.id, topics[1].id, Level.WATCHING)
    login(client, lena)
    counts = []
    for topic in topics:
        response = client.post(
            f"/t/{topic.id}/reply",
            data={"raw": "Ich fahre am Dienstag.", "submission_key": uuid.uuid4().hex},
        )
        assert response.status_code == 302
        with app.app_context():
            [job_id] = db.session.scalars(sa.select(NotificationJob.id)).all()
        with counting_statements(app) as statements:
            assert outbox.run_job(app, job_id)
        counts.append(len(statements))
    with app.app_context():
        expected = FAN_OUT_STATEMENTS[db.engine.dialect.name]
    assert counts == [expected] * 2, "\n".join(s.split("\n")[0] for s in statements)
    assert kinds(app, anke) == ["replied", "replied"]
    assert [kinds(app, user) for user in others] == [["posted"]] * 3
    assert kinds(app, lena) == []


def test_a_muted_member_named_in_a_reply_is_not_told(app, client, make, no_fan_out):
    """Levels are still read for those who do not watch: a muted topic stays silent."""
    anke, lena, mehmet = make.user("anke.schulz"), make.user("lena.brandes"), make.user("mehmet")
    make.post(make.topic(lena), lena, "Schon einmal geschrieben (nicht mehr neu).")
    topic = make.topic(anke, make.category("Fragen", read_level="members"), "Wer fährt?")
    with app.app_context():
        watching.set_topic_level(mehmet.id, topic.id, Level.MUTED)
    make_jobs(app)
    login(client, lena)
    reply_and_fan_out(app, client, topic, "Ich fahre, @mehmet kommt mit.")
    assert kinds(app, mehmet) == []
    assert kinds(app, anke) == ["replied"]


def test_a_level_chosen_for_the_topic_outweighs_a_muted_category(app, client, make, no_fan_out):
    anke, lena = make.user("anke.schulz"), make.user("lena.brandes")
    mehmet, olga = make.user("mehmet"), make.user("olga")
    make.post(make.topic(lena), lena, "Schon einmal geschrieben (nicht mehr neu).")
    category = make.category("Fragen", read_level="members")
    topic = make.topic(anke, category, "Wer fährt?")
    make_jobs(app)
    with app.app_context():
        for user in (mehmet, olga):
            watching.set_category_level(user.id, category.id, Level.MUTED)
        watching.set_topic_level(mehmet.id, topic.id, Level.TRACKING)
    login(client, lena)
    reply_and_fan_out(app, client, topic, "Ich fahre, @mehmet und @olga?")
    assert kinds(app, mehmet) == ["mentioned"]
    assert kinds(app, olga) == []
