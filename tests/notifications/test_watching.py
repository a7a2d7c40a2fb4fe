"""Watching levels through the pages: the controls, the overview, Latest without muted
categories; and the statements the bell and the notifications page cost."""

import re

import pytest

from forum.extensions import db
from forum.notifications.services import notify
from tests.conftest import counting_statements, login, read_settings_once
from tests.notifications.helpers import kinds


@pytest.fixture
def category(make):
    return make.category("Nachbarschaft", read_level="members")


@pytest.fixture
def topic(make, category):
    return make.topic(make.user("fragende"), category, "Rasenmäher zu verleihen")


def test_the_topic_control_works_without_javascript(app, client, make, topic):
    reader = make.user("leserin")
    login(client, reader)
    page = client.get(f"/t/{topic.slug}/{topic.id}").get_data(as_text=True)
    assert f'action="/t/{topic.id}/notifications"' in page
    assert re.search(r'value="normal" id="topic-level-normal"[^>]*checked', page)
    response = client.post(
        f"/t/{topic.id}/notifications", data={"level": "watching"}, follow_redirects=True
    )
    body = response.get_data(as_text=True)
    assert "Notifications for “Rasenmäher zu verleihen”: Watching." in body
    assert re.search(r'value="watching" id="topic-level-watching"[^>]*checked', body)
    make.post(topic, make.user(), "Ich hätte Interesse.")
    assert kinds(app, reader) == ["posted"]


def test_each_reader_gets_their_own_level_and_token(app, client, make, topic):
    """The control is kept per level (forum/notifications/level_box.py): one
    reader's level and form token never reach another."""
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, make.user("leserin"))
    login(other, make.user("nachbarin"))
    url = f"/t/{topic.slug}/{topic.id}"
    for reader in (client, other):
        reader.get(url)  # both controls kept at "normal"
    client.post(f"/t/{topic.id}/notifications", data={"level": "watching"})
    tokens = []
    for reader, level in ((client, "watching"), (other, "normal")):
        page = reader.get(url).get_data(as_text=True)
        control = page[
            page.index('id="topic-level"') : page.index(
                "</details>", page.index('id="topic-level"')
            )
        ]
        assert re.findall(r'value="(\w+)" id="topic-level-\w+"[^>]*checked', control) == [level]
        assert "\x00" not in control
        tokens.append(re.search(r'name="csrf_token" value="([^"]+)"', control).group(1))
    assert tokens[0] != tokens[1]


def test_a_wrong_level_is_refused_politely(client, make, topic):
    login(client, make.user("leserin"))
    response = client.post(
        f"/t/{topic.id}/notifications", data={"level": "kaputt"}, follow_redirects=True
    )
    assert "Please choose a notification level." in response.get_data(as_text=True)


def test_a_topic_one_may_not_read_cannot_be_watched(client, make):
    staff_topic = make.topic(
        make.user("chefin", role="moderator"), make.category("Intern", read_level="staff")
    )
    login(client, make.user("leserin"))
    assert (
        client.post(f"/t/{staff_topic.id}/notifications", data={"level": "watching"}).status_code
        == 404
    )


def test_muting_a_category_hides_it_from_latest_and_silences_it(app, client, make, topic, category):
    reader = make.user("leserin")
    other = make.topic(make.user(), make.category("Anderes"), "Ein anderes Thema hier")
    login(client, reader)
    assert "Rasenmäher" in client.get("/latest").get_data(as_text=True)
    response = client.post(
        f"/c/{category.id}/notifications", data={"level": "muted"}, follow_redirects=True
    )
    assert "Notifications for “Nachbarschaft”: Muted." in response.get_data(as_text=True)
    latest = client.get("/latest").get_data(as_text=True)
    assert "Rasenmäher" not in latest and other.title in latest
    assert "Rasenmäher" in client.get(f"/c/{category.slug}/{category.id}").get_data(as_text=True)
    make.post(topic, make.user(), "@leserin schau mal")
    assert kinds(app, reader) == []


def test_the_overview_lists_and_changes_what_one_follows(app, client, make, topic, category):
    reader = make.user("leserin")
    login(client, reader)
    client.post(f"/c/{category.id}/notifications", data={"level": "watching"})
    client.post(f"/t/{topic.id}/notifications", data={"level": "muted"})
    settings = client.get("/settings").get_data(as_text=True)
    assert "Nachbarschaft" in settings and "Rasenmäher zu verleihen" in settings
    assert 'href="/settings/watching"' in settings
    page = client.get("/settings/watching").get_data(as_text=True)
    assert f'href="/c/{category.slug}/{category.id}"' in page
    assert f'href="/t/{topic.slug}/{topic.id}"' in page
    response = client.post(
        f"/t/{topic.id}/notifications", data={"level": "normal", "from": "settings"}
    )
    assert response.headers["Location"] == "/settings/watching"
    assert f'href="/t/{topic.slug}/{topic.id}"' not in client.get("/settings/watching").get_data(
        as_text=True
    )
    response = client.post("/settings/watching", data={"level": "watching"}, follow_redirects=True)
    assert "topics you write in are set to “Watching”" in response.get_data(as_text=True)
    mine = make.topic(reader, category, "Mein eigenes Thema hier")
    make.post(mine, make.user(), "Antwort", reply_to_post_number=None)
    make.post(mine, make.user(), "Noch eine", reply_to_post_number=2)
    assert kinds(app, reader)[-2:] == ["replied", "posted"]


def _page_statements(app, client, url: str) -> list[str]:
    with counting_statements(app) as statements:
        response = client.get(url)
        assert response.status_code == 200
    return statements


def test_the_bell_and_the_page_cost_a_fixed_number_of_statements(app, client, make, topic):
    reader = make.user("leserin")
    login(client, reader)
    read_settings_once(client)
    make.post(topic, make.user("antwortende"), "@leserin eine Antwort")
    few = _page_statements(app, client, "/notifications")
    with app.app_context():
        for _number in range(40):
            notify(reader.id, "replied", topic_id=topic.id, post_number=1, title=topic.title,
                   actor="fragende", post_id=None)  # fmt: skip
        notify(reader.id, "application_approved")
        db.session.commit()
    many = _page_statements(app, client, "/notifications")
    assert len(many) == len(few)
    about_notifications = [s for s in many if "notifications" in s]
    # The bell's count and the page's list; the topics come in one more query.
    assert len(about_notifications) == 2
    latest = _page_statements(app, client, "/latest")
    assert len([s for s in latest if "FROM notifications" in s]) == 1
    assert client.get("/notifications/count.json").get_json() == {"unread": 42}
