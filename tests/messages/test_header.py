"""The header's counts (queries.header_counts): a member's unread
notifications and conversations, an applicant's notifications, in one
statement a page, and each page counts anew."""

import re

from forum.extensions import db
from forum.notifications.services import notify
from tests.conftest import counting_statements, login

BELL = re.compile(r'href="/notifications"[^>]*>(?:(?!</a>).)*?<span class="count-badge">(\d+)<')
MESSAGES = re.compile(r'href="/messages"[^>]*>(?:(?!</a>).)*?<span class="count-badge">(\d+)<')


def _notify(app, user, times: int = 1) -> None:
    with app.app_context():
        for _ in range(times):
            notify(user.id, "application_approved")
        db.session.commit()


def _page(app, client) -> tuple[str, list[str]]:
    """Return /latest and the statements that read the header's counts."""
    client.get("/latest").close()  # the admin's settings, read once per process
    with counting_statements(app) as statements:
        page = client.get("/latest").get_data(as_text=True)
    counts = [s for s in statements if "notifications" in s or "message_participants" in s]
    return page, counts


def test_a_member_s_counts_come_in_one_statement_and_change_at_once(app, client, make):
    from forum.messages import services as messages
    from forum.users.models import User

    member, writer = make.user("mitglied"), make.user("schreiber", role="moderator")
    _notify(app, member, times=2)
    with app.app_context():
        author = db.session.get(User, writer.id)
        messages.start_conversation(author, [db.session.get(User, member.id)], "Hallo", "Hi!")
    login(client, member)
    page, counts = _page(app, client)
    # Two notifications and the one of the new conversation.
    assert BELL.search(page).group(1) == "3" and MESSAGES.search(page).group(1) == "1"
    assert len(counts) == 1 and "topic_users" in counts[0], counts
    # A new notification shows on the next page: nothing is kept between requests.
    _notify(app, member)
    page, _counts = _page(app, client)
    assert BELL.search(page).group(1) == "4"


def test_an_applicant_s_header_has_the_bell_and_no_messages(app, client, make):
    applicant = make.user("bewerberin", role="applicant")
    _notify(app, applicant)
    login(client, applicant)
    page, counts = _page(app, client)
    assert BELL.search(page).group(1) == "1"
    assert 'href="/messages"' not in page
    # The conversations' part (it reads the read positions) is left out.
    assert len(counts) == 1 and "topic_users" not in counts[0]


def test_guests_ask_for_no_counts(app, client, make):
    page, counts = _page(app, client)
    assert counts == [] and 'href="/notifications"' not in page


def test_the_conversation_read_on_this_page_is_no_longer_counted_there(app, client, make):
    # The read position is written after the response; the header, counted
    # while the page renders, must not count the conversation the page shows.
    from forum.messages import services as messages
    from forum.users.models import User

    member, writer = make.user("mitglied"), make.user("schreiber", role="moderator")
    with app.app_context():
        author, reader = db.session.get(User, writer.id), db.session.get(User, member.id)
        read = messages.start_conversation(author, [reader], "Gelesen", "Hallo!")
        messages.start_conversation(author, [reader], "Noch offen", "Hallo auch!")
        topic_id = read.id
    url = f"/t/gelesen/{topic_id}"
    login(client, member)
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert "Gelesen" in page and MESSAGES.search(page).group(1) == "1"
    assert MESSAGES.search(client.get("/latest").get_data(as_text=True)).group(1) == "1"
    # Read again: nothing was unread, nothing is taken off.
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert MESSAGES.search(page).group(1) == "1"
