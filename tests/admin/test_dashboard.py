"""The admin dashboard at /admin/: the review queue, people, activity per week as an
accessible chart, the week's most read and unanswered topics, searches that found
nothing; a fixed number of SQL statements."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from forum.admin import dashboard
from forum.admin.chart import week_chart
from forum.boards.models import Topic, TopicUser
from forum.db import utcnow
from forum.extensions import db
from forum.moderation.models import ReviewItem
from forum.search.models import SearchMiss
from tests.conftest import counting_statements, read_settings_once


def _html(client) -> str:
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _set(app, model, row_id, **values) -> None:
    with app.app_context():
        db.session.execute(sa.update(model).where(model.id == row_id).values(**values))
        db.session.commit()


def test_empty_forum(client, login_as, admin):
    login_as(admin)
    html = _html(client)
    assert "Nothing waits for a decision." in html
    assert "Every search found something." in html
    # The chart: an image with a title and a description, and the table beside it.
    svg = re.search(r"<svg[^>]*role=\"img\"[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="week-chart-title week-chart-desc"' in svg
    assert '<title id="week-chart-title">New topics and posts per week</title>' in svg
    assert "In the last 12 weeks: 0 topics and 0 posts." in svg
    table = re.search(r"<details>.*?</details>", html, re.S).group(0)
    assert len(re.findall(r'<th scope="row">', table)) == dashboard.WEEKS
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_what_waits_and_who_joined(app, client, login_as, admin, make):
    applicant = make.user("bewerberin", role="applicant")
    flagged = make.user("jemand")
    with app.app_context():
        old = utcnow() - timedelta(days=3)
        db.session.add_all(
            [
                ReviewItem(kind="join_request", user_id=applicant.id, created_at=old),
                ReviewItem(kind="flagged_post", user_id=flagged.id),
                ReviewItem(kind="flagged_post", user_id=flagged.id),
            ]
        )
        db.session.commit()
    # One member joined long ago and was last seen 20 days ago.
    veteran = make.user("urgestein")
    _set(
        app, type(veteran), veteran.id,
        created_at=utcnow() - timedelta(days=100), last_seen_at=utcnow() - timedelta(days=20),
    )  # fmt: skip
    login_as(admin)
    html = _html(client)
    assert re.search(r'href="/review\?kind=join_request">Join requests: <strong>1</strong>', html)
    assert re.search(r'href="/review\?kind=flagged_post">Flagged posts: <strong>2</strong>', html)
    assert re.search(r"oldest: <time datetime=\"[^\"]+\" title=\"[^\"]+\">3 d</time>", html)
    with app.test_request_context():
        people = dashboard.people(utcnow())
    # admin, flagged and veteran are members; the admin was just seen (logged in).
    assert (people.members, people.new_7, people.new_30, people.applicants) == (3, 2, 2, 1)
    assert people.active_30 >= 2 and people.active_7 < people.active_30


def test_weeks_count_topics_and_posts_in_their_week(app, make, admin):
    category = make.category("Offen", read_level="public")
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)  # a Sunday: the week began on 30 Nov
    this_week = make.topic(category=category, title="Ein Thema von dieser Woche")
    make.post(this_week)
    last_week = make.topic(category=category, title="Ein Thema der letzten Woche")
    too_old = make.topic(category=category, title="Ein Thema von vor langer Zeit")
    gone = make.topic(category=category, title="Ein gelöschtes Thema hier")
    with app.app_context():
        for topic, moment in (
            (this_week, datetime(2026, 11, 30, 0, 1, tzinfo=UTC)),
            (last_week, datetime(2026, 11, 29, 23, 59, tzinfo=UTC)),
            (too_old, now - timedelta(weeks=13)),
            (gone, now),
        ):
            topic_row = sa.update(Topic).where(Topic.id == topic.id)
            db.session.execute(topic_row.values(created_at=moment))
            db.session.execute(
                sa.text("UPDATE posts SET created_at = :m WHERE topic_id = :t").bindparams(
                    m=moment, t=topic.id
                )
            )
        db.session.execute(sa.update(Topic).where(Topic.id == gone.id).values(deleted_at=now))
        db.session.commit()
        weeks = dashboard.weeks(now)
    assert [w.start.isoformat() for w in weeks[-2:]] == ["2026-11-23", "2026-11-30"]
    assert (weeks[-1].topics, weeks[-1].posts) == (1, 3)  # the reply, and gone's post
    assert (weeks[-2].topics, weeks[-2].posts) == (1, 1)
    assert sum(w.topics for w in weeks) == 2
    chart = week_chart(weeks)
    assert [label.text for label in chart.labels][-2:] == ["48", "49"]
    tallest = max(chart.bars, key=lambda bar: bar.height)
    assert tallest.series == "posts" and tallest.value == 3
    assert all(bar.y + bar.height == pytest.approx(chart.baseline) for bar in chart.bars)


def test_most_read_and_unanswered_of_the_week(app, client, login_as, admin, make):
    open_ = make.category("Offen", read_level="public")
    staff = make.category("Koordination", read_level="staff")
    author = make.user("autorin")
    popular = make.topic(author=author, category=open_, title="Sommerfest im Park")
    quiet = make.topic(author=author, category=open_, title="Wer hilft beim Umzug")
    answered = make.topic(author=author, category=open_, title="Gartenarbeit am Samstag")
    make.post(answered)
    secret = make.topic(
        author=make.user("chefin", role="moderator"), category=staff,
        title="Interne Absprache Koordination",
    )  # fmt: skip
    deleted = make.topic(author=author, category=open_, title="Gelöschte Frage zum Fest")
    _set(app, Topic, deleted.id, deleted_at=utcnow())
    readers = [make.user(f"leser{n}") for n in range(3)]
    with app.app_context():
        for reader in readers:
            db.session.add(TopicUser(user_id=reader.id, topic_id=popular.id))
        db.session.add(TopicUser(user_id=readers[0].id, topic_id=quiet.id))
        db.session.add(TopicUser(user_id=readers[0].id, topic_id=deleted.id))
        # Everybody who read the answered topic did so more than a week ago.
        db.session.execute(
            sa.update(TopicUser)
            .where(TopicUser.topic_id == answered.id)
            .values(last_visited_at=utcnow() - timedelta(days=8))
        )
        db.session.commit()
    login_as(admin)
    html = _html(client)
    most_read = re.search(r'id="dash-most-read".*?</section>', html, re.S).group(0)
    assert most_read.index("Sommerfest im Park") < most_read.index("Wer hilft beim Umzug")
    assert "readers: 4" in most_read  # the author and three readers
    assert "Gartenarbeit" not in most_read and "Gelöschte Frage" not in most_read
    unanswered = re.search(r'id="dash-unanswered".*?</section>', html, re.S).group(0)
    assert "Wer hilft beim Umzug" in unanswered and "Sommerfest im Park" in unanswered
    assert "Gartenarbeit" not in unanswered and "Gelöschte Frage" not in unanswered
    # The admin reads the staff category; a moderator's view of it follows the same rule.
    assert "Interne Absprache" in unanswered
    with app.test_request_context():
        guest_view = dashboard.unanswered(None, utcnow())
    assert secret.id not in {topic.id for topic in guest_view}


def test_searches_that_found_nothing(app, client, login_as, admin, member):
    for _ in range(2):
        client.get("/search?q=Fahrradwerkstatt  Gifhorn", buffered=True).close()
    client.get("/search?q=Lastenrad", buffered=True).close()
    with app.app_context():
        rows = db.session.execute(sa.select(SearchMiss.term, SearchMiss.times)).all()
        columns = set(SearchMiss.__table__.columns.keys())
    assert sorted(rows) == [("fahrradwerkstatt gifhorn", 2), ("lastenrad", 1)]
    assert columns == {"id", "day", "term", "times"}  # nobody's name, no address
    login_as(admin)
    misses = re.search(r'id="dash-misses".*?</section>', _html(client), re.S).group(0)
    assert misses.index("fahrradwerkstatt gifhorn") < misses.index("lastenrad")
    assert "<td>2</td>" in misses and "Kept for 90 days" in misses


def _grow(app, make, size: int) -> None:
    category = make.category(f"Kategorie {size}", read_level="members")
    author = make.user(f"autor{size}")
    for number in range(size):
        topic = make.topic(author=author, category=category, title=f"Thema Nummer {number} hier")
        make.post(topic, author=author)
        reader = make.user(f"leser{size}x{number}")
        with app.app_context():
            db.session.add(TopicUser(user_id=reader.id, topic_id=topic.id))
            db.session.add(ReviewItem(kind=f"kind{number % 3}", user_id=reader.id))
            db.session.add(SearchMiss(day=utcnow().date(), term=f"wort {size} {number}", times=1))
            db.session.commit()


def test_a_fixed_number_of_statements(app, client, login_as, admin, make):
    login_as(admin)
    read_settings_once(client)
    _grow(app, make, 2)
    with counting_statements(app) as small:
        _html(client)
    _grow(app, make, 12)
    with counting_statements(app) as large:
        html = _html(client)
    assert "Thema Nummer 11 hier" in html
    assert len(small) == len(large), "\n".join(large)
    assert len(large) <= 12
