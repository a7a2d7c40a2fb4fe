"""The fan-out is a job written with the post: a killed worker loses no notification.

A job row commits with the reply, is made after the response and deleted in
the fan-out's own transaction; what no process made, ``mail send`` (cron)
makes, exactly once; a failing job is tried again a limited number of times.
"""

import logging
import threading
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.boards import services
from forum.boards.models import Post, Topic
from forum.db import utcnow
from forum.extensions import db
from forum.notifications import fanout, outbox
from forum.notifications.models import NotificationJob
from forum.users.models import User
from tests.conftest import login
from tests.notifications.helpers import kinds


@pytest.fixture
def anke(make):
    return make.user("anke.schulz")


@pytest.fixture
def lena(make):
    return make.user("lena.brandes")


@pytest.fixture
def question(make, anke):
    return make.topic(anke, make.category("Fragen", read_level="members"), "Wer fährt?")


def jobs(app) -> list[tuple[str, int, int, int]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(
                NotificationJob.kind, NotificationJob.post_id, NotificationJob.actor_id,
                NotificationJob.attempts,
            ).order_by(NotificationJob.id)
        )  # fmt: skip
        return [tuple(row) for row in rows]


def make_due(app) -> None:
    """As if NOTIFY_RECOVER_AFTER_SECONDS (or the retry's delay) had passed."""
    with app.app_context():
        db.session.execute(
            sa.update(NotificationJob).values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()


def post_reply(client, topic, raw: str):
    """Reply as a server would answer; return the response still open (the
    writer has posted before: a new member's first post waits for review)."""
    return client.post(
        f"/t/{topic.id}/reply",
        data={"raw": raw, "submission_key": uuid.uuid4().hex},
        buffered=False,
    )


@pytest.fixture
def no_fan_out(monkeypatch):
    """The process dies before it makes its jobs (its in-memory work is gone)."""
    monkeypatch.setattr(outbox, "_runner", lambda app, ids: lambda: None)


def test_the_job_commits_with_the_reply_and_is_made_after_the_response(
    app, client, make, anke, lena, question
):
    make.post(make.topic(lena), lena, "Schon einmal geschrieben (nicht mehr neu).")
    login(client, lena)
    response = post_reply(client, question, "Ich fahre am Dienstag.")
    assert response.status_code == 302
    with app.app_context():
        post_id = db.session.scalar(sa.select(sa.func.max(Post.id)))
    assert jobs(app) == [("post", post_id, lena.id, 0)]  # committed before the response
    assert kinds(app, anke) == []  # not yet: after the response
    response.close()  # as a server does: the work after the response runs now
    assert kinds(app, anke) == ["replied"]
    assert jobs(app) == []  # deleted with the fan-out


def test_the_thread_makes_the_jobs_of_its_gathering_time_in_one_transaction(
    app, client, make, anke, lena, question, monkeypatch
):
    """NOTIFY_GATHER_SECONDS: replies handed over while the thread waits share one
    ``run_jobs`` (one claim, one commit); each is still made once."""
    app.config["NOTIFY_IN_BACKGROUND"] = True
    app.config["NOTIFY_GATHER_SECONDS"] = 2.0
    made = []
    real_run_jobs = outbox.run_jobs

    def counted(app_, ids):
        if threading.current_thread().name == "notify" and ids:
            made.append(list(ids))
        return real_run_jobs(app_, ids)

    monkeypatch.setattr(outbox, "run_jobs", counted)
    make.post(make.topic(lena), lena, "Schon einmal geschrieben (nicht mehr neu).")
    login(client, lena)
    post_reply(client, question, "Ich fahre am Dienstag.").close()
    post_reply(client, question, "Und am Mittwoch.").close()  # within the 2 seconds
    background = app.extensions["notifications.background"]
    background.finish(timeout=30)
    assert len(made) == 1 and len(made[0]) == 2
    assert kinds(app, anke) == ["replied", "replied"]
    assert jobs(app) == []


def test_a_killed_worker_leaves_the_job_and_mail_send_makes_it_once(
    app, client, make, anke, lena, question, monkeypatch
):
    app.config["NOTIFY_IN_BACKGROUND"] = True
    # The worker is killed with the reply's fan-out still in its thread's queue.
    monkeypatch.setattr(outbox._Background, "put", lambda self, ids: None)
    make.post(make.topic(lena), lena, "Schon einmal geschrieben (nicht mehr neu).")
    login(client, lena)
    post_reply(client, question, "Ich fahre am Dienstag.").close()
    assert kinds(app, anke) == [] and len(jobs(app)) == 1
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert kinds(app, anke) == [] and len(jobs(app)) == 1  # its worker may still make it
    make_due(app)
    result = runner.invoke(args=["mail", "send"])
    assert "Made 1 notification jobs no worker had finished." in result.output
    assert kinds(app, anke) == ["replied"] and jobs(app) == []
    make_due(app)
    assert "notification jobs" not in runner.invoke(args=["mail", "send"]).output
    assert kinds(app, anke) == ["replied"]


def test_a_job_run_twice_notifies_once(app, make, anke, lena, question, no_fan_out):
    make.post(question, lena, "Ich fahre am Dienstag.")
    [(kind, _post, _actor, attempts)] = jobs(app)
    assert (kind, attempts) == ("post", 0)  # left by the process that died
    with app.app_context():
        job_id = db.session.scalar(sa.select(NotificationJob.id))
    assert outbox.run_job(app, job_id) is True
    assert outbox.run_job(app, job_id) is False  # the row is gone: nothing to make
    make_due(app)
    with app.app_context():
        assert outbox.recover() == 0
    assert kinds(app, anke) == ["replied"]


def test_a_rolled_back_post_leaves_no_job(app, make, anke, lena, question):
    with app.app_context():
        services.create_post(
            db.session.get(User, lena.id),
            db.session.get(type(question), question.id),
            "Doch nicht.",
            commit=False,
        )
        db.session.flush()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationJob)) == 1
        db.session.rollback()
    assert jobs(app) == [] and kinds(app, anke) == []


def test_a_failing_job_is_retried_logged_and_given_up_on(
    app, make, anke, lena, question, monkeypatch, caplog
):
    app.config["NOTIFY_MAX_ATTEMPTS"] = 2

    def broken(*args, **kwargs):
        raise RuntimeError("the fan-out broke")

    working = fanout.notify_post
    monkeypatch.setattr(fanout, "notify_post", broken)
    with caplog.at_level(logging.WARNING, logger="forum.notifications.outbox"):
        make.post(question, lena, "Ich fahre am Dienstag.")  # fails after its commit
    [warning] = [r for r in caplog.records if r.name == "forum.notifications.outbox"]
    assert warning.levelno == logging.WARNING and "attempt 1" in warning.getMessage()
    assert [job[3] for job in jobs(app)] == [1]
    with app.app_context():
        assert outbox.recover() == 0  # not yet: it waits a minute
        make_due(app)
        caplog.clear()
        assert outbox.recover() == 0  # fails again: the second and last attempt
    [error] = [r for r in caplog.records if r.name == "forum.notifications.outbox"]
    assert error.levelno == logging.ERROR and "given up" in error.getMessage()
    with app.app_context():
        job = db.session.scalar(sa.select(NotificationJob))
        assert job.failed_at is not None and "the fan-out broke" in job.last_error
        assert outbox.job_counts() == {"waiting": 0, "failed": 1}
    monkeypatch.setattr(fanout, "notify_post", working)
    make_due(app)
    with app.app_context():
        assert outbox.recover() == 0  # given up on: kept for the operator, not retried
    assert kinds(app, anke) == []


def test_a_retried_job_notifies_once_it_works(app, make, anke, lena, question, monkeypatch):
    working = fanout.notify_post
    monkeypatch.setattr(fanout, "notify_post", lambda *a, **k: 1 / 0)
    make.post(question, lena, "Ich fahre am Dienstag.")
    assert kinds(app, anke) == [] and [job[3] for job in jobs(app)] == [1]
    monkeypatch.setattr(fanout, "notify_post", working)
    make_due(app)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert "Made 1 notification jobs" in result.output
    assert kinds(app, anke) == ["replied"] and jobs(app) == []


def test_likes_and_edits_are_jobs_too(app, make, anke, lena, question, no_fan_out):
    moderator = make.user("koordination", role="moderator")
    with app.app_context():
        first = db.session.scalar(sa.select(Post).where(Post.topic_id == question.id))
        services.toggle_like(db.session.get(User, lena.id), first)
        services.edit_post(db.session.get(User, moderator.id), first, "Korrigiert", reason="Typo")
        first_id = first.id
    assert [job[:3] for job in jobs(app)] == [
        ("like", first_id, lena.id), ("edit", first_id, moderator.id),
    ]  # fmt: skip
    make_due(app)
    with app.app_context():
        assert outbox.recover() == 2
    assert sorted(kinds(app, anke)) == ["edited", "liked"]


def test_two_runs_of_one_job_at_once_notify_once(app, make, anke, lena, question, no_fan_out):
    """A slow thread and the recovery take the same job: the second waits for the
    first's transaction (row lock, SQLite's write lock) and finds the row gone."""
    import threading

    make.post(question, lena, "Ich fahre am Dienstag.")
    with app.app_context():
        job_id = db.session.scalar(sa.select(NotificationJob.id))
    start, results = threading.Barrier(2), []

    def run() -> None:
        start.wait()
        results.append(outbox.run_job(app, job_id))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False, True]
    assert kinds(app, anke) == ["replied"] and jobs(app) == []


def test_a_staff_edit_of_a_plugins_fields_only_is_a_job_too(app, make, anke, question):
    """No revision (the text is the same), so the hook writes the job itself."""
    moderator = make.user("koordination", role="moderator")
    with app.app_context():
        first = db.session.scalar(sa.select(Post).where(Post.topic_id == question.id))
        services.edit_post(
            db.session.get(User, moderator.id), first, first.raw, extra={"event_date": "x"}
        )
    assert kinds(app, anke) == ["edited"] and jobs(app) == []


def test_a_conversations_participants_are_told_through_the_job(app, make, anke, lena, no_fan_out):
    """A message's participants hear of it through the post's job, not a second
    commit after it: a process that dies after the post loses nothing."""
    from forum.messages import services as messages

    mehmet, coordinator = make.user("mehmet"), make.user("koordination", role="moderator")
    with app.app_context():
        db.session.execute(
            sa.update(User)
            .where(User.id.in_([anke.id, lena.id, mehmet.id]))
            .values(published_post_count=5)
        )
        db.session.commit()
        author, others = db.session.get(User, anke.id), [db.session.get(User, lena.id)]
        topic = messages.start_conversation(author, others, "Unter uns", "Hallo Lena!")
        office = messages.start_conversation(
            author, [], "An das Büro", "Eine Frage.", to_office=True
        )
        topic_id, office_id = topic.id, office.id
    assert kinds(app, lena) == [] and len(jobs(app)) == 2  # the process died
    make_due(app)
    with app.app_context():
        assert outbox.recover() == 2
    assert kinds(app, lena) == ["private_message"]
    assert kinds(app, coordinator) == ["private_message"]  # the office's inbox
    assert kinds(app, mehmet) == [] and kinds(app, anke) == []
    with app.app_context():
        conversation = db.session.get(Topic, topic_id)
        make.post(conversation, lena, "Hallo Anke, gern.")
        assert db.session.get(Topic, office_id) is not None
    make_due(app)
    with app.app_context():
        assert outbox.recover() == 1
    assert kinds(app, anke) == ["private_message"]
    assert kinds(app, lena) == ["private_message"]  # not told of her own reply


def test_queued_jobs_are_made_in_one_transaction(app, make, anke, lena, question, no_fan_out):
    for text in ("Ich fahre am Dienstag.", "Und am Mittwoch.", "Und am Donnerstag."):
        make.post(question, lena, text)
    with app.app_context():
        ids = list(db.session.scalars(sa.select(NotificationJob.id)))
    commits = []
    with app.app_context():
        sa.event.listen(db.engine, "commit", lambda _connection: commits.append(1))
    assert outbox.run_jobs(app, ids) == 3
    assert len(commits) == 1
    assert kinds(app, anke) == ["replied"] * 3 and jobs(app) == []
    assert outbox.run_jobs(app, ids) == 0  # made already: nothing twice


def test_a_failing_job_in_a_batch_fails_alone(
    app, make, anke, lena, question, no_fan_out, monkeypatch
):
    posts = [make.post(question, lena, f"Ich fahre am {day}.") for day in ("Montag", "Dienstag")]
    broken_id = posts[0].id
    working = fanout.notify_post

    def broken_for_one(post_id, actor_id, **kwargs):
        if post_id == broken_id:
            raise RuntimeError("the fan-out broke")
        return working(post_id, actor_id, **kwargs)

    monkeypatch.setattr(fanout, "notify_post", broken_for_one)
    with app.app_context():
        ids = list(db.session.scalars(sa.select(NotificationJob.id)))
    assert outbox.run_jobs(app, ids) == 1
    assert kinds(app, anke) == ["replied"]
    assert jobs(app) == [("post", broken_id, lena.id, 1)]  # one attempt counted, kept
