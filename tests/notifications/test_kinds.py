"""Board events notify the people they concern: each kind, once, never the actor."""

import pytest
import sqlalchemy as sa

from forum.boards import services
from forum.boards.models import Post, Topic
from forum.extensions import db
from forum.notifications import watching
from forum.notifications.models import Level
from forum.users.models import User
from tests.conftest import login
from tests.notifications.helpers import kinds, notes, reply


@pytest.fixture
def anke(make):
    return make.user("anke.schulz")


@pytest.fixture
def lena(make):
    return make.user("lena.brandes")


@pytest.fixture
def category(make):
    return make.category("Fragen", read_level="members")


@pytest.fixture
def question(make, anke, category):
    return make.topic(anke, category, "Wer fährt nach Wittingen?")


def _set_level(app, user, level, *, topic=None, category=None):
    with app.app_context():
        if topic is not None:
            watching.set_topic_level(user.id, topic.id, level)
        else:
            watching.set_category_level(user.id, category.id, level)


def test_a_reply_to_the_topic_notifies_who_asked(app, make, anke, lena, question):
    post = make.post(question, lena, "Ich fahre am Dienstag.")
    [(kind, data)] = notes(app, anke)
    assert kind == "replied"
    assert data == {
        "post_id": post.id, "post_number": 2, "title": "Wer fährt nach Wittingen?",
        "actor": "lena.brandes", "topic_id": question.id,
    }  # fmt: skip
    assert notes(app, lena) == []  # never the actor


def test_a_reply_to_a_post_notifies_its_author(app, make, anke, lena, question):
    mehmet = make.user("mehmet")
    make.post(question, mehmet, "Ich vielleicht.")
    make.post(question, lena, "Mehmet, wann?", reply_to_post_number=2)
    assert kinds(app, mehmet) == ["replied"]
    # Anke hears about Mehmet's answer to her topic, not about an answer to Mehmet.
    assert kinds(app, anke) == ["replied"]


def test_a_mention_links_and_notifies(app, make, anke, lena, question):
    post = make.post(question, lena, "Frag mal @mehmet.yilmaz, er weiß das.")
    assert notes(app, make.user("unbeteiligt")) == []
    mehmet = make.user("mehmet.yilmaz")
    post = make.post(question, lena, "Frag mal @mehmet.yilmaz, er weiß das.")
    with app.app_context():
        cooked = db.session.get(Post, post.id).cooked
    assert '<a class="mention" href="/u/mehmet.yilmaz">@mehmet.yilmaz</a>' in cooked
    assert kinds(app, mehmet) == ["mentioned"]


def test_a_quote_notifies_the_quoted(app, make, anke, lena, question):
    mehmet = make.user("mehmet")
    make.post(question, mehmet, "Dienstags fährt der Bus.")
    raw = "> **@mehmet** [↑](/t/x/1/2):\n>\n> Dienstags fährt der Bus.\n\nDanke!"
    make.post(question, lena, raw)
    assert kinds(app, mehmet) == ["quoted"]


def test_one_notification_per_post_of_the_highest_kind(app, make, anke, lena, question):
    _set_level(app, anke, Level.WATCHING, topic=question)
    raw = "> **@anke.schulz** [↑](/t/x/1/1):\n>\n> Wer fährt?\n\n@anke.schulz ich!"
    make.post(question, lena, raw, reply_to_post_number=1)
    assert kinds(app, anke) == ["mentioned"]
    make.post(question, lena, "Noch was.", reply_to_post_number=1)
    make.post(question, lena, "> **@anke.schulz** [↑](/t/x/1/1):\n>\n> Wer?\n\nIch.")
    assert kinds(app, anke) == ["mentioned", "replied", "replied"]


def test_watching_a_topic_notifies_every_post(app, make, anke, lena, question):
    mehmet = make.user("mehmet")
    _set_level(app, mehmet, Level.WATCHING, topic=question)
    make.post(question, lena, "Erste Antwort")
    make.post(question, lena, "Zweite Antwort")
    assert kinds(app, mehmet) == ["posted", "posted"]


def test_watching_a_category_notifies_new_topics_and_their_posts(app, make, lena, category):
    mehmet = make.user("mehmet")
    _set_level(app, mehmet, Level.WATCHING, category=category)
    topic = make.topic(lena, category, "Neues Thema im Kreis")
    make.post(topic, make.user(), "Eine Antwort")
    assert kinds(app, mehmet) == ["watching_first_post", "posted"]
    assert kinds(app, lena) == ["replied"]


def test_tracking_and_normal_hear_only_mentions_and_replies(app, make, anke, lena, question):
    tracker, normal = make.user("tracker"), make.user("normal")
    _set_level(app, tracker, Level.TRACKING, topic=question)
    make.post(question, lena, "Antwort ohne Namen")
    make.post(question, lena, "Antwort an @tracker und @normal")
    assert kinds(app, tracker) == ["mentioned"] and kinds(app, normal) == ["mentioned"]


def test_muted_topics_and_categories_never_notify(app, make, anke, lena, question, category):
    _set_level(app, anke, Level.MUTED, topic=question)
    make.post(question, lena, "@anke.schulz eine Antwort", reply_to_post_number=1)
    assert kinds(app, anke) == []
    other = make.user("other")
    _set_level(app, other, Level.MUTED, category=category)
    make.post(question, lena, "@other hallo")
    assert kinds(app, other) == []


def test_you_track_topics_you_created_or_replied_to(app, make, anke, lena, question):
    make.post(question, lena, "Antwort")
    with app.app_context():
        assert watching.topic_level(anke.id, db.session.get(Topic, question.id)) == (
            Level.TRACKING, True,
        )  # fmt: skip
        assert watching.topic_level(lena.id, db.session.get(Topic, question.id))[0] == (
            Level.TRACKING
        )
        watching.set_default_topic_level(lena.id, Level.WATCHING)
    topic = make.topic(lena, title="Lena will alles wissen")
    make.post(topic, anke, "Antwort von Anke")
    make.post(topic, make.user(), "Antwort an Anke", reply_to_post_number=2)
    make.post(topic, make.user(), "Noch eine an Anke", reply_to_post_number=2)
    # Lena watches her new topic (her default), Anke tracks it (replied to it).
    assert kinds(app, lena) == ["replied", "posted", "posted"]
    assert kinds(app, anke) == ["replied", "replied", "replied"]


def test_nobody_hears_about_a_post_they_may_not_read(app, make, lena):
    staff_room = make.category("Intern", read_level="staff")
    moderator = make.user("koordination", role="moderator")
    member, applicant = make.user("mitglied"), make.user("neu", role="applicant")
    topic = make.topic(moderator, staff_room, "Interne Absprache")
    make.post(topic, moderator, "@mitglied @neu @lena.brandes bitte lesen")
    assert kinds(app, member) == [] and kinds(app, applicant) == [] and kinds(app, lena) == []


def test_likes_are_grouped_in_one_notification(app, make, anke, question):
    likers = [make.user(f"fan{i}") for i in range(4)]
    with app.app_context():
        first = db.session.scalar(sa.select(Post).where(Post.topic_id == question.id))
        for liker in likers:
            services.toggle_like(db.session.get(User, liker.id), first)
        services.toggle_like(db.session.get(User, likers[0].id), first)  # taken back
        services.toggle_like(db.session.get(User, likers[0].id), first)  # and again
    [(kind, data)] = notes(app, anke)
    assert kind == "liked" and data["count"] == 4 and data["actor"] == "fan3"
    with app.app_context():
        from forum.notifications.services import mark_all_read

        mark_all_read(db.session.get(User, anke.id))
        late = make.user("spaet")
        services.toggle_like(db.session.get(User, late.id), db.session.get(Post, first.id))
    assert kinds(app, anke) == ["liked", "liked"]  # after reading, a new group starts


def test_staff_edits_notify_the_author_own_edits_do_not(app, make, anke, question):
    moderator = make.user("koordination", role="moderator")
    with app.app_context():
        first = db.session.scalar(sa.select(Post).where(Post.topic_id == question.id))
        services.edit_post(db.session.get(User, anke.id), first, "Von mir selbst geändert")
        assert kinds(app, anke) == []
        services.edit_post(db.session.get(User, moderator.id), first, "Korrigiert", reason="Typo")
        services.edit_post(db.session.get(User, moderator.id), first, "Nochmal", reason="Typo")
    [(kind, data)] = notes(app, anke)
    assert kind == "edited" and data["actor"] == "koordination" and data["post_number"] == 1


def test_the_page_describes_and_opening_marks_read(app, client, make, anke, lena, question):
    make.post(question, lena, "Ich fahre!")
    login(client, anke)
    page = client.get("/notifications").get_data(as_text=True)
    assert "lena.brandes replied to you in “Wer fährt nach Wittingen?”." in page
    [link] = [part.split('"')[0] for part in page.split('href="/notifications/')[1:2]]
    response = client.get(f"/notifications/{link}")
    assert response.headers["Location"] == f"/t/{question.slug}/{question.id}/2#post_2"
    assert "is-unread" not in client.get("/notifications").get_data(as_text=True)
    assert client.get("/notifications/count.json").get_json() == {"unread": 0}


def test_a_reply_through_the_page_notifies_after_the_response(app, client, make, anke, question):
    writer = make.user("schreiber")
    make.post(make.topic(writer), writer, "Schon einmal geschrieben (nicht mehr neu).")
    login(client, writer)
    response = reply(client, question, "Ich helfe gern, @anke.schulz!")
    assert response.headers["Location"].endswith("#post_2")
    assert kinds(app, anke) == ["mentioned"]


def test_an_edit_notifies_only_the_newly_mentioned(app, make, anke, lena, question):
    mehmet, watcher = make.user("mehmet"), make.user("beobachter")
    _set_level(app, watcher, Level.WATCHING, topic=question)
    post = make.post(question, lena, "Erst ohne Namen.")
    assert kinds(app, watcher) == ["posted"]
    with app.app_context():
        services.edit_post(
            db.session.get(User, lena.id), db.session.get(Post, post.id),
            "Jetzt mit @mehmet und @anke.schulz und @beobachter.",
        )  # fmt: skip
    assert kinds(app, mehmet) == ["mentioned"]
    assert kinds(app, anke) == ["replied"]  # told about this post already
    assert kinds(app, watcher) == ["posted"]


def test_a_request_context_without_a_response_still_notifies(app, make, anke, lena, question):
    """Scripts and the demo loader write inside test_request_context()."""
    with app.test_request_context():
        services.create_post(
            db.session.get(User, lena.id), db.session.get(Topic, question.id), "Antwort"
        )
        assert kinds(app, anke) == []  # not yet: after the response, or when it ends
    assert kinds(app, anke) == ["replied"]


def test_in_the_background_the_workers_thread_tells_who_asked(
    app, client, make, anke, lena, question
):
    """NOTIFY_IN_BACKGROUND (the default outside tests): the response's close only
    hands the fan-out to this process's thread, which tells the watchers moments later."""
    app.config["NOTIFY_IN_BACKGROUND"] = True
    make.post(make.topic(lena), lena, "Schon einmal geschrieben (nicht mehr neu).")
    login(client, lena)
    response = reply(client, question, "Ich fahre am Dienstag.")
    assert response.headers["Location"].endswith("#post_2")
    background = app.extensions["notifications.background"]
    background.finish(timeout=30)
    assert background.thread.name == "notify"
    assert kinds(app, anke) == ["replied"]
    assert notes(app, lena) == []  # never the actor
