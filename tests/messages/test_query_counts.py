"""Messages pages run a fixed number of SQL statements; the header's counts are one."""

import re

import sqlalchemy as sa

from forum.extensions import db
from forum.messages import services
from forum.users.models import User
from tests.conftest import counting_statements


def _write(app, sender, names, count):
    with app.app_context():
        author = db.session.get(User, sender.id)
        recipients = list(db.session.scalars(sa.select(User).where(User.username.in_(names))))
        topics = [
            services.start_conversation(author, recipients, f"Gespräch Nummer {n}", "Hallo!")
            for n in range(count)
        ]
        return [topic.id for topic in topics]


def _count(app, browser, url) -> int:
    # Once before counting: after a write the first page reads the admin's settings
    # again (each process keeps them while nothing changed); the count is the
    # page's own, the same at both sizes.
    browser.get(url).close()
    with counting_statements(app) as statements:
        response = browser.get(url)
        assert response.status_code == 200, url
        response.get_data()
        response.close()
    return len(statements)


def test_the_messages_pages_need_a_fixed_number_of_statements(app, make, members, as_user):
    anke, lena, _ = members
    for n in range(4):
        make.user(f"extra{n}")
    browser = as_user(lena)
    first = _write(app, anke, ["lena", "mehmet"], 2)
    url = browser.get(f"/t/x/{first[0]}").location
    small = (_count(app, browser, "/messages"), _count(app, browser, url))
    _write(app, anke, ["lena", "mehmet", "extra0", "extra1", "extra2", "extra3"], 8)
    with app.app_context():
        topic = db.session.get(services.Topic, first[0])
        for name in ("extra0", "extra1", "extra2"):
            services.add_participant(db.session.get(User, anke.id), topic, name)
    large = (_count(app, browser, "/messages"), _count(app, browser, url))
    assert small == large
    assert large[0] <= 8, large


def test_the_header_count_is_one_statement(app, members, as_user):
    anke, lena, _ = members
    _write(app, anke, ["lena"], 3)
    browser = as_user(lena)
    page = browser.get("/latest").get_data(as_text=True)
    # The header's icon link: its label, then the count.
    assert re.search(
        r'href="/messages"[^>]*>(?:(?!</a>).)*?Messages</span><span class="count-badge">3<', page
    )
    with counting_statements(app) as statements:
        browser.get("/latest").get_data()
    # The header's counts, messages and notifications, come in one statement
    # (queries.header_counts); the notifications' part reads participants too.
    header = [
        s
        for s in statements
        if any(table in s for table in ("message_participants", "ignored_users", "notifications"))
    ]
    assert len(header) == 1, header
    assert "FROM notifications" in header[0] and "topic_users" in header[0]


def test_a_conversation_loads_its_topic_once(app, members, as_user):
    """A member's topic page asks the kept pages first (forum/member_pages), which
    never keep a conversation; the view it falls back to uses the topic loaded then."""
    anke, lena, _ = members
    (topic_id,) = _write(app, anke, ["lena"], 1)
    browser = as_user(lena)
    url = browser.get(f"/t/x/{topic_id}").location
    browser.get(url).close()
    with counting_statements(app) as statements:
        response = browser.get(url)
        assert response.status_code == 200
        response.close()
    topic_loads = [s for s in statements if re.search(r"FROM topics LEFT OUTER JOIN categories", s)]
    assert len(topic_loads) == 1, topic_loads
