"""Members flag posts; enough flags from different members hide a post."""

import pytest
import sqlalchemy as sa

from forum.boards.models import Post
from forum.extensions import db
from forum.moderation.models import Flag, ReviewItem
from tests.conftest import login


@pytest.fixture
def reply(make, world):
    return make.post(world.topic, world.author, "Kaufen Sie jetzt billige Uhren!")


def _topic_page(client, world) -> str:
    path = f"/t/{world.topic.slug}/{world.topic.id}?page=1"
    return client.get(path).get_data(as_text=True)


def _flag_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Flag))


def test_member_flags_a_post(app, client, make, world, reply):
    login(client, make.user("melderin", role="member"))
    assert f'href="/p/{reply.id}/flag"' in _topic_page(client, world)
    page = client.get(f"/p/{reply.id}/flag").get_data(as_text=True)
    assert "Off topic" in page and "Spam" in page and "billige Uhren" in page
    response = client.post(f"/p/{reply.id}/flag", data={"reason": "spam"})
    assert response.status_code == 302 and f"#post_{reply.post_number}" in response.location
    with app.app_context():
        item = db.session.scalar(sa.select(ReviewItem).where(ReviewItem.post_id == reply.id))
        assert item.kind == "flagged_post" and item.status.value == "pending"
    # Flagged once: the action is gone, and a second flag is refused.
    assert f'href="/p/{reply.id}/flag"' not in _topic_page(client, world)
    response = client.post(f"/p/{reply.id}/flag", data={"reason": "spam"})
    assert response.status_code == 400
    assert "already flagged" in response.get_data(as_text=True)
    assert _flag_count(app) == 1


def test_something_else_needs_a_message(app, client, make, reply):
    login(client, make.user("melderin", role="member"))
    response = client.post(f"/p/{reply.id}/flag", data={"reason": "other", "message": "  "})
    assert response.status_code == 400
    assert "Please tell the moderators what is wrong." in response.get_data(as_text=True)
    assert _flag_count(app) == 0
    response = client.post(
        f"/p/{reply.id}/flag", data={"reason": "other", "message": "Telefonnummer eines Dritten"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Flag.message)) == "Telefonnummer eines Dritten"


@pytest.mark.parametrize("data", [{}, {"reason": "boring"}])
def test_a_reason_is_required(app, client, make, reply, data):
    login(client, make.user("melderin", role="member"))
    response = client.post(f"/p/{reply.id}/flag", data=data)
    assert response.status_code == 400
    assert _flag_count(app) == 0


def test_enough_flags_hide_the_post(app, client, make, world, reply):
    app.config["FLAGS_TO_HIDE"] = 2
    for number in range(2):
        flagger = app.test_client()
        login(flagger, make.user(f"melder{number}", role="member"))
        assert flagger.post(f"/p/{reply.id}/flag", data={"reason": "spam"}).status_code == 302
    with app.app_context():
        assert db.session.get(Post, reply.id).hidden_at is not None
    # Other members see that it is hidden, but not its text.
    login(client, make.user("leserin", role="member"))
    page = _topic_page(client, world)
    assert "hidden until a moderator has looked at it" in page and "billige Uhren" not in page
    # Its author sees it marked hidden, with the text, and was told.
    author = app.test_client()
    author.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(author, world.author)
    page = _topic_page(author, world)
    assert "badge-hidden" in page and "billige Uhren" in page
    assert "was hidden after reports" in author.get("/notifications").get_data(as_text=True)


def test_a_hidden_post_text_does_not_leak_through_the_flag_form(app, client, make, reply):
    with app.app_context():
        db.session.get(Post, reply.id).hidden_at = db.func.now()
        db.session.commit()
    login(client, make.user("melderin", role="member"))
    page = client.get(f"/p/{reply.id}/flag").get_data(as_text=True)
    assert "billige Uhren" not in page


def test_who_may_not_flag(app, client, make, world, reply, members):
    # The author, on their own post.
    login(client, world.author)
    assert client.get(f"/p/{reply.id}/flag").status_code == 403
    assert client.post(f"/p/{reply.id}/flag", data={"reason": "spam"}).status_code == 403
    # An applicant does not even learn that the post exists.
    applicant = app.test_client()
    login(applicant, make.user("bewerber", role="applicant"))
    assert applicant.post(f"/p/{reply.id}/flag", data={"reason": "spam"}).status_code == 404
    # A guest is sent to log in.
    assert app.test_client().get(f"/p/{reply.id}/flag").status_code == 302
    assert app.test_client().get("/p/999999/flag").status_code == 302
    assert _flag_count(app) == 0
