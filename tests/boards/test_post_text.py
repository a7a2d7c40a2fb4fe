"""One decision for a single post's text (permissions.can_read_post), asked by
every page and endpoint that shows it: the topic page, the reply and quote
composer (GET and the error page of a POST), the edit history, the flag form
and the JSON API. A hidden post's text is for its author and staff, a deleted
post's text for staff only.
"""

from dataclasses import dataclass

import pytest

from forum.boards.models import Post
from forum.db import utcnow

SECRET = "Geheimer Wortlaut 4711"


@dataclass
class Scene:
    topic: object
    post: object
    author: object
    member: object
    moderator: object


@pytest.fixture
def scene(make, places, client, login_as) -> Scene:
    """A reply whose text was edited once (so it has an edit history)."""
    author = make.user("autorin", locale="en")
    topic = make.topic(make.user("eroeffnerin"), places.members, "Fahrdienst am Mittwoch")
    post = make.post(topic, author, raw="Erste Fassung der Antwort")
    login_as(author)
    response = client.post(f"/p/{post.id}/edit", data={"raw": SECRET, "reason": "ergänzt"})
    assert response.status_code == 302
    client.post("/logout")
    return Scene(
        topic=topic,
        post=post,
        author=author,
        member=make.user("leserin", locale="en"),
        moderator=make.user("koordination", role="moderator", locale="en"),
    )


def _pages(client, scene) -> dict[str, tuple[int, str]]:
    """Every place that may show the post's text: name -> (status, body)."""
    topic, number = scene.topic, scene.post.post_number
    responses = {
        "topic page": client.get(f"/t/{topic.slug}/{topic.id}?page=1"),
        "reply to": client.get(f"/t/{topic.id}/reply?to={number}"),
        "quote": client.get(f"/t/{topic.id}/reply?to={number}&quote=1"),
        "reply error page": client.post(
            f"/t/{topic.id}/reply", data={"raw": "", "reply_to_post_number": str(number)}
        ),
        "revisions": client.get(f"/p/{scene.post.id}/revisions"),
        "flag form": client.get(f"/p/{scene.post.id}/flag"),
        "JSON API": client.get(f"/t/{topic.id}.json"),
    }
    return {name: (r.status_code, r.get_data(as_text=True)) for name, r in responses.items()}


def _leaks(client, scene) -> dict[str, int]:
    pages = _pages(client, scene)
    return {name: status for name, (status, body) in pages.items() if SECRET in body}


def _sees_text(client, scene) -> set[str]:
    return set(_leaks(client, scene))


def test_a_visible_post_text_is_shown_everywhere(scene, client, login_as):
    login_as(scene.member)
    assert _sees_text(client, scene) == {
        "topic page", "reply to", "quote", "reply error page", "revisions", "flag form", "JSON API",
    }  # fmt: skip


@pytest.mark.parametrize("state", ["hidden", "deleted"])
def test_a_member_never_sees_a_hidden_or_deleted_post_text(scene, state, client, login_as, update):
    update(Post, scene.post.id, **{f"{state}_at": utcnow()})
    login_as(scene.member)
    assert _leaks(client, scene) == {}
    pages = _pages(client, scene)
    # The pages themselves still answer; only the text is left out.
    assert pages["topic page"][0] == 200 and pages["JSON API"][0] == 200
    assert pages["reply to"][0] == 200 and pages["reply error page"][0] == 400
    assert pages["revisions"][0] == 404


def test_the_author_sees_their_hidden_post_but_not_their_deleted_one(
    scene, client, login_as, update
):
    update(Post, scene.post.id, hidden_at=utcnow())
    login_as(scene.author)
    # Authors may not flag their own post (403), so the flag form shows nothing.
    assert _sees_text(client, scene) == {
        "topic page", "reply to", "quote", "reply error page", "revisions", "JSON API",
    }  # fmt: skip
    update(Post, scene.post.id, hidden_at=None, deleted_at=utcnow())
    assert _leaks(client, scene) == {}


@pytest.mark.parametrize("state", ["hidden", "deleted"])
def test_staff_see_hidden_and_deleted_post_text(scene, state, client, login_as, update):
    update(Post, scene.post.id, **{f"{state}_at": utcnow()})
    login_as(scene.moderator)
    seen = _sees_text(client, scene)
    assert {"topic page", "reply error page", "revisions", "JSON API"} <= seen
    if state == "hidden":
        assert {"reply to", "quote", "flag form"} <= seen


def test_a_hidden_post_can_still_be_answered_without_its_text(scene, client, login_as, update):
    update(Post, scene.post.id, hidden_at=utcnow())
    login_as(scene.member)
    form = client.get(f"/t/{scene.topic.id}/reply?to={scene.post.post_number}&quote=1")
    html = form.get_data(as_text=True)
    number = scene.post.post_number
    assert f'name="reply_to_post_number" type="hidden" value="{number}"' in html
    assert SECRET not in html and "In reply to" not in html
