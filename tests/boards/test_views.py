"""Categories, topics, posts, likes and bookmarks through the real pages."""

import re
from html import unescape

import pytest
import sqlalchemy as sa

from forum.boards.models import Category, Post, PostRevision, Topic
from forum.users.models import User


def _html(response) -> str:
    return response.get_data(as_text=True)


def _first_post(scalar, topic) -> Post:
    return scalar(sa.select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))


def _url(topic, post_number=None) -> str:
    suffix = f"/{post_number}" if post_number else ""
    return f"/t/{topic.slug}/{topic.id}{suffix}"


# --- Categories --------------------------------------------------------------------------


def test_guests_see_public_categories_only(client, places, make):
    make.topic(category=places.public, title="Öffentliches Thema")
    make.topic(category=places.members, title="Mitgliederthema")
    html = _html(client.get("/"))
    assert "Ehrenamt entdecken" in html
    assert "Öffentliches Thema" in html
    for hidden in ("Mitgliederforum", "Koordination", "Mitgliederthema"):
        assert hidden not in html


def test_category_list_shows_counts_and_subcategory_topics(client, make, login_as):
    parent = make.category("Vereine", read_level="public")
    child = make.category("Sportvereine", read_level="public", parent=parent)
    topic = make.topic(category=parent, title="Mitgliederversammlung")
    make.post(topic)
    make.topic(category=child, title="Neues vom Sportverein")
    login_as(make.user())
    html = _html(client.get("/"))
    card = html[html.index("Vereine</a></h2>") :]
    assert "1 topic · 2 posts" in card
    assert "Sportvereine" in card
    assert "Neues vom Sportverein" in card

    listing = _html(client.get(f"/c/vereine/{parent.id}"))
    assert "Mitgliederversammlung" in listing
    assert "Neues vom Sportverein" in listing
    only_child = _html(client.get(f"/c/sportvereine/{child.id}"))
    assert "Neues vom Sportverein" in only_child
    assert "Mitgliederversammlung" not in only_child


def test_category_wrong_slug_redirects_permanently(client, places):
    response = client.get(f"/c/falsch/{places.public.id}?before=x")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/c/ehrenamt-entdecken/{places.public.id}?before=x"


def test_unknown_category_is_404(client):
    assert client.get("/c/nichts/2147483647").status_code == 404


@pytest.mark.parametrize("role", [None, "applicant"])
def test_members_category_is_hidden_from_guests_and_applicants(
    client, make, login_as, places, role
):
    topic = make.topic(category=places.members)
    if role:
        login_as(make.user(role=role))
    assert client.get(f"/c/mitgliederforum/{places.members.id}").status_code == 404
    assert client.get(_url(topic)).status_code == 404
    assert client.get(f"/c/ehrenamt-entdecken/{places.public.id}").status_code == 200


def test_staff_category_is_hidden_from_members(client, make, login_as, places):
    topic = make.topic(make.user(role="moderator"), places.staff, title="Internes der Leitung")
    login_as(make.user())
    assert client.get(f"/c/koordination/{places.staff.id}").status_code == 404
    assert client.get(_url(topic)).status_code == 404
    assert "Internes der Leitung" not in _html(client.get("/latest"))
    assert client.get(f"/c/mitgliederforum/{places.members.id}").status_code == 200


def test_staff_see_the_staff_category(client, make, login_as, places):
    moderator = make.user(role="moderator")
    topic = make.topic(moderator, places.staff, title="Internes der Leitung")
    login_as(moderator)
    assert "Internes der Leitung" in _html(client.get(f"/c/koordination/{places.staff.id}"))
    assert client.get(_url(topic)).status_code == 200


def test_public_topic_is_readable_by_guests(client, make, places):
    topic = make.topic(category=places.public, title="Für alle lesbar", raw="Hallo **Welt**")
    response = client.get(_url(topic))
    assert response.status_code == 200
    html = _html(response)
    assert "Für alle lesbar" in html
    assert "Hallo <strong>Welt</strong>" in html
    assert "to reply." in html  # guests are invited to log in, not offered a composer
    assert 'name="raw"' not in html


# --- Creating topics ---------------------------------------------------------------------


def test_member_creates_a_topic(app, client, make, login_as, places, scalar):
    login_as(make.user("anna"))
    form = _html(client.get(f"/new-topic?category={places.members.id}"))
    assert f'<option selected value="{places.members.id}">' in form
    assert "Koordination" not in form  # staff-only reading
    assert "Ankündigungen" not in form  # staff-only writing

    response = client.post(
        "/new-topic",
        data={
            "category": places.members.id,
            "title": "Wer hilft beim Umzug?",
            "raw": "Am *Samstag*.",
        },
    )
    assert response.status_code == 302
    topic = scalar(sa.select(Topic).where(Topic.title == "Wer hilft beim Umzug?"))
    assert response.headers["Location"] == f"/t/wer-hilft-beim-umzug/{topic.id}"
    assert topic.category_id == places.members.id
    post = _first_post(scalar, topic)
    assert (post.raw, post.cooked) == ("Am *Samstag*.", "<p>Am <em>Samstag</em>.</p>")
    html = _html(client.get(response.headers["Location"]))
    assert "Wer hilft beim Umzug?" in html
    assert "Am <em>Samstag</em>." in html


def test_staff_write_category_is_closed_to_members_for_topics_but_open_for_replies(
    client, make, login_as, places, scalar
):
    moderator, member = make.user(role="moderator"), make.user()
    login_as(member)
    response = client.post(
        "/new-topic",
        data={"category": places.announcements.id, "title": "Darf ich das?", "raw": "Versuch"},
    )
    assert response.status_code in (400, 403)
    assert scalar(sa.select(Topic).where(Topic.title == "Darf ich das?")) is None

    client.post("/logout")
    login_as(moderator)
    response = client.post(
        "/new-topic",
        data={"category": places.announcements.id, "title": "Neue Regeln", "raw": "Bitte lesen."},
    )
    assert response.status_code == 302
    topic = scalar(sa.select(Topic).where(Topic.title == "Neue Regeln"))

    client.post("/logout")
    login_as(member)
    response = client.post(f"/t/{topic.id}/reply", data={"raw": "Eine Frage dazu"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/t/neue-regeln/{topic.id}/2#post_2"


def test_guests_are_sent_to_log_in_and_applicants_may_not_write(client, make, login_as, places):
    response = client.get("/new-topic")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    login_as(make.user(role="applicant"))
    assert client.get("/new-topic").status_code == 403
    topic = make.topic(category=places.public)
    assert client.post(f"/t/{topic.id}/reply", data={"raw": "Hallo!"}).status_code == 403


def test_topic_urls_and_wrong_slug(client, make, places):
    topic = make.topic(category=places.public, title="Ein Thema mit Umlauten: Größe")
    make.post(topic)
    assert topic.slug == "ein-thema-mit-umlauten-groesse"
    assert client.get(_url(topic)).status_code == 200
    assert client.get(_url(topic, 2)).status_code == 200
    response = client.get(f"/t/falsch/{topic.id}/2")
    assert response.status_code == 301
    assert response.headers["Location"] == _url(topic, 2)
    response = client.get(f"/t/falsch/{topic.id}")
    assert (response.status_code, response.headers["Location"]) == (301, _url(topic))
    assert client.get(f"/t/{topic.slug}/{topic.id + 100}").status_code == 404


def test_post_link_redirects_to_the_post(client, make, places):
    topic = make.topic(category=places.public)
    reply = make.post(topic)
    response = client.get(f"/p/{reply.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{_url(topic, 2)}#post_2"


# --- Views -------------------------------------------------------------------------------


def test_views_are_counted_after_the_response(client, make, places, fetch, login_as):
    topic = make.topic(category=places.public)
    for _ in range(3):
        assert client.get(_url(topic)).status_code == 200
    login_as(make.user())
    client.get(_url(topic)).close()
    assert fetch(Topic, topic.id).views == 4


# --- Posts: markdown, replies, quotes ----------------------------------------------------


def test_reply_is_cooked_at_write_time(client, make, login_as, places, scalar):
    topic = make.topic(category=places.members)
    login_as(make.user())
    raw = (
        "| a | b |\n|---|:-:|\n| 1 | 2 |\n\n~~alt~~ siehe https://example.org\n\n"
        "<script>alert(1)</script>\n\n"
        "![fremd](https://tracker.example/x.png) ![hier](/static/a.png)"
    )
    assert client.post(f"/t/{topic.id}/reply", data={"raw": raw}).status_code == 302
    post = scalar(sa.select(Post).where(Post.topic_id == topic.id, Post.post_number == 2))
    assert post.raw == raw
    assert "<table>" in post.cooked and '<th class="align-center">b</th>' in post.cooked
    assert "<s>alt</s>" in post.cooked
    assert '<a href="https://example.org" rel="nofollow ugc noopener">' in post.cooked
    assert "<script>" not in post.cooked and "&lt;script&gt;" in post.cooked
    assert "tracker.example" not in post.cooked
    assert '<img alt="fremd">' in post.cooked
    # Only uploads may be image sources, not other addresses of the forum.
    assert '<img alt="hier">' in post.cooked
    # The page shows the stored HTML.
    assert '<img alt="hier">' in _html(client.get(_url(topic, 2)))


def test_reply_to_a_post_links_both_ways(client, make, login_as, places, scalar):
    topic = make.topic(category=places.members)
    make.post(topic, make.user("bert"), raw="Die Frage von Bert")
    login_as(make.user("clara"))
    form = _html(client.get(f"/t/{topic.id}/reply?to=2"))
    assert "In reply to bert (#2)" in form
    assert 'name="reply_to_post_number" type="hidden" value="2"' in form

    response = client.post(
        f"/t/{topic.id}/reply", data={"raw": "Claras Antwort", "reply_to_post_number": "2"}
    )
    assert response.headers["Location"] == f"{_url(topic, 3)}#post_3"
    post = scalar(sa.select(Post).where(Post.topic_id == topic.id, Post.post_number == 3))
    assert post.reply_to_post_number == 2
    assert (
        scalar(sa.select(Post.reply_count).where(Post.topic_id == topic.id, Post.post_number == 2))
        == 1
    )

    html = _html(client.get(_url(topic, 3)))
    # The chip unfolds the replied-to post's opening words and links to it.
    chip = html[html.index('id="post_3"') :]
    assert '<summary class="in-reply-to">in reply to bert (#2)</summary>' in chip
    assert '<div class="reply-excerpt"><p>Die Frage von Bert</p>' in chip
    assert f'<a href="{_url(topic, 2)}#post_2">Show this post in the topic</a>' in chip
    replies = html[html.index('id="post_2"') : html.index('id="post_3"')]
    assert "1 reply" in replies
    assert f'<a href="{_url(topic, 3)}#post_3">#3 by clara</a>' in replies


def test_reply_to_an_unknown_post_is_a_form_error(client, make, login_as, places):
    topic = make.topic(category=places.members)
    login_as(make.user())
    response = client.post(
        f"/t/{topic.id}/reply", data={"raw": "Antwort ins Leere", "reply_to_post_number": "9"}
    )
    assert response.status_code == 400
    html = _html(response)
    assert "does not exist" in html
    assert "Antwort ins Leere" in html


def test_quote_prefills_a_block_quote_with_the_author(client, make, login_as, places):
    topic = make.topic(category=places.members)
    make.post(topic, make.user("bert"), raw="Zeile eins\n\nZeile zwei")
    login_as(make.user())
    html = unescape(_html(client.get(f"/t/{topic.id}/reply?to=2&quote=1")))
    assert (
        f"> **@bert** [↑](/t/{topic.slug}/{topic.id}/2):\n>\n> Zeile eins\n>\n> Zeile zwei" in html
    )
    assert 'name="reply_to_post_number" type="hidden" value="2"' in html


def test_preview_renders_without_saving(client, make, login_as, places, fetch):
    topic = make.topic(category=places.members)
    login_as(make.user())
    response = client.post(
        f"/t/{topic.id}/reply", data={"raw": "**Vorschau**", "preview": "Preview"}
    )
    assert response.status_code == 200
    assert "<strong>Vorschau</strong>" in _html(response)
    assert fetch(Topic, topic.id).posts_count == 1


# --- Editing -------------------------------------------------------------------------------


def test_edit_through_the_page_keeps_a_revision(client, make, login_as, places, scalar):
    author = make.user("anna")
    topic = make.topic(category=places.public)
    reply = make.post(topic, author, raw="Erste Fassung")
    login_as(author)
    assert "Erste Fassung" in _html(client.get(f"/p/{reply.id}/edit"))
    response = client.post(
        f"/p/{reply.id}/edit", data={"raw": "Zweite Fassung", "reason": "Rechtschreibung"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"{_url(topic, 2)}#post_2"
    revision = scalar(sa.select(PostRevision).where(PostRevision.post_id == reply.id))
    assert (revision.raw_before, revision.raw_after, revision.reason) == (
        "Erste Fassung",
        "Zweite Fassung",
        "Rechtschreibung",
    )
    html = _html(client.get(_url(topic, 2)))
    assert "Zweite Fassung" in html
    assert f'href="/p/{reply.id}/revisions">edited</a>' in html


def test_revisions_are_visible_to_whoever_can_read_the_topic(client, make, login_as, places):
    author = make.user()
    public_reply = make.post(make.topic(category=places.public), author, raw="Öffentlich alt")
    closed_reply = make.post(make.topic(category=places.members), author, raw="Intern alt")
    login_as(author)
    for reply, raw in ((public_reply, "Öffentlich neu"), (closed_reply, "Intern neu")):
        response = client.post(f"/p/{reply.id}/edit", data={"raw": raw, "reason": "Grund"})
        assert response.status_code == 302
    client.post("/logout")

    response = client.get(f"/p/{public_reply.id}/revisions")
    assert response.status_code == 200
    html = _html(response)
    assert "Öffentlich alt" in html and "Öffentlich neu" in html and "Grund" in html
    assert client.get(f"/p/{closed_reply.id}/revisions").status_code == 404
    login_as(make.user(role="applicant"))
    assert client.get(f"/p/{closed_reply.id}/revisions").status_code == 404


def test_editing_the_first_post_renames_the_topic(client, make, login_as, places, fetch):
    author = make.user()
    topic = make.topic(author, places.members, title="Alter Titel")
    login_as(author)
    first = re.search(r'href="/p/(\d+)/edit"', _html(client.get(_url(topic)))).group(1)
    response = client.post(
        f"/p/{first}/edit", data={"title": "Ganz neuer Titel", "raw": "Neuer Text", "reason": ""}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/t/ganz-neuer-titel/{topic.id}#post_1"
    renamed = fetch(Topic, topic.id)
    assert (renamed.title, renamed.slug) == ("Ganz neuer Titel", "ganz-neuer-titel")
    assert client.get(f"/t/alter-titel/{topic.id}").headers["Location"] == _url(renamed)


@pytest.mark.parametrize("title", ["Kurz", "x" * 201])
def test_editing_the_first_post_checks_the_title_length(
    client, make, login_as, places, fetch, title
):
    author = make.user()
    topic = make.topic(author, places.members, title="Alter Titel")
    login_as(author)
    first = re.search(r'href="/p/(\d+)/edit"', _html(client.get(_url(topic)))).group(1)
    response = client.post(f"/p/{first}/edit", data={"title": title, "raw": "Neuer Text"})
    assert response.status_code == 400
    html = _html(response)
    assert "Neuer Text" in html and f'value="{title}"' in html
    assert "Please write at" in html
    assert fetch(Topic, topic.id).title == "Alter Titel"


@pytest.mark.parametrize("title", ["", "   "])
def test_editing_the_first_post_needs_a_title(client, make, login_as, places, fetch, title):
    author = make.user()
    topic = make.topic(author, places.members, title="Alter Titel")
    login_as(author)
    first = re.search(r'href="/p/(\d+)/edit"', _html(client.get(_url(topic)))).group(1)
    response = client.post(f"/p/{first}/edit", data={"title": title, "raw": "Neuer Text"})
    assert fetch(Topic, topic.id).title == "Alter Titel"
    assert response.status_code == 400
    assert "Neuer Text" in _html(response)


def test_other_members_cannot_edit(client, make, login_as, places, fetch):
    reply = make.post(make.topic(category=places.members), raw="Meins")
    login_as(make.user())
    assert client.get(f"/p/{reply.id}/edit").status_code == 403
    assert client.post(f"/p/{reply.id}/edit", data={"raw": "Deins"}).status_code == 403
    assert fetch(Post, reply.id).raw == "Meins"
    assert f"/p/{reply.id}/edit" not in _html(client.get(f"/p/{reply.id}", follow_redirects=True))


# --- Deleting and restoring ------------------------------------------------------------------


def test_author_deletes_and_staff_restores_a_reply(client, make, login_as, places, fetch):
    author, moderator, reader = make.user(), make.user(role="moderator"), make.user()
    topic = make.topic(category=places.members)
    reply = make.post(topic, author, raw="Ein Versehen")
    login_as(author)
    response = client.post(f"/p/{reply.id}/delete")
    assert response.status_code == 302
    assert fetch(Topic, topic.id).posts_count == 1
    assert fetch(Category, places.members.id).post_count == 1
    assert fetch(User, author.id).post_count == 0

    client.post("/logout")
    login_as(reader)
    html = _html(client.get(f"{_url(topic)}?page=1"))
    assert "Ein Versehen" not in html
    assert client.get(f"/p/{reply.id}/revisions").status_code == 404

    client.post("/logout")
    login_as(moderator)
    html = _html(client.get(f"{_url(topic)}?page=1"))
    assert "Ein Versehen" in html
    assert "This post was deleted." in html
    assert f'action="/p/{reply.id}/restore"' in html
    assert client.post(f"/p/{reply.id}/restore").status_code == 302
    assert fetch(Topic, topic.id).posts_count == 2
    assert fetch(Category, places.members.id).post_count == 2
    assert fetch(User, author.id).post_count == 1


def test_staff_delete_a_reply_others_may_not(client, make, login_as, places, fetch):
    reply = make.post(make.topic(category=places.members))
    login_as(make.user())
    assert client.post(f"/p/{reply.id}/delete").status_code == 403
    assert not fetch(Post, reply.id).is_deleted
    client.post("/logout")
    login_as(make.user(role="moderator"))
    assert client.post(f"/p/{reply.id}/delete").status_code == 302
    assert fetch(Post, reply.id).is_deleted


def test_deleting_the_first_post_deletes_the_topic(client, make, login_as, places, fetch, scalar):
    author = make.user()
    topic = make.topic(author, places.members, title="Bald weg")
    first = _first_post(scalar, topic)
    login_as(author)
    response = client.post(f"/p/{first.id}/delete")
    assert response.headers["Location"] == f"/c/mitgliederforum/{places.members.id}"
    assert client.get(_url(topic)).status_code == 404
    assert "Bald weg" not in _html(client.get("/latest"))
    assert fetch(Category, places.members.id).topic_count == 0

    client.post("/logout")
    login_as(make.user(role="moderator"))
    html = _html(client.get(_url(topic)))
    assert "Bald weg" in html and "Deleted" in html
    assert client.post(f"/p/{first.id}/restore").status_code == 302
    client.post("/logout")
    login_as(author)
    assert client.get(_url(topic)).status_code == 200


# --- Likes and bookmarks -----------------------------------------------------------------------


def test_like_toggles_by_form_and_json(client, make, login_as, places, fetch):
    author = make.user()
    reply = make.post(make.topic(category=places.members), author)
    login_as(make.user())
    response = client.post(f"/p/{reply.id}/like")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#post_2")
    assert fetch(Post, reply.id).like_count == 1
    response = client.post(f"/p/{reply.id}/like", headers={"Accept": "application/json"})
    assert response.get_json() == {"liked": False, "like_count": 0}
    response = client.post(f"/p/{reply.id}/like", headers={"Accept": "application/json"})
    assert response.get_json() == {"liked": True, "like_count": 1}
    assert fetch(Topic, reply.topic_id).like_count == 1
    assert fetch(User, author.id).likes_received == 1


def test_own_posts_cannot_be_liked(client, make, login_as, places, fetch):
    author = make.user()
    reply = make.post(make.topic(category=places.members), author)
    login_as(author)
    assert client.post(f"/p/{reply.id}/like").status_code == 403
    assert fetch(Post, reply.id).like_count == 0


def test_guests_cannot_like(client, make, places, fetch):
    reply = make.post(make.topic(category=places.public))
    response = client.post(f"/p/{reply.id}/like")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert fetch(Post, reply.id).like_count == 0


def test_bookmarks_toggle_and_are_listed(client, make, login_as, places):
    topic = make.topic(category=places.members, title="Merkenswertes Thema")
    reply = make.post(topic)
    login_as(make.user())
    response = client.post(f"/p/{reply.id}/bookmark", headers={"Accept": "application/json"})
    assert response.get_json() == {"bookmarked": True}
    assert "Merkenswertes Thema" in _html(client.get("/bookmarks"))
    html = _html(client.get(_url(topic, 2)))
    assert 'class="action is-active" aria-pressed="true">Bookmark' in html
    assert client.post(f"/p/{reply.id}/bookmark").status_code == 302
    assert "Merkenswertes Thema" not in _html(client.get("/bookmarks"))


# --- Unlisted topics ---------------------------------------------------------------------------


def test_unlisted_topics_stay_out_of_topic_lists(client, make, places, update):
    topic = make.topic(category=places.public, title="Nur per Link")
    update(Topic, topic.id, unlisted=True)
    assert "Nur per Link" not in _html(client.get("/latest"))
    assert "Nur per Link" not in _html(client.get(f"/c/ehrenamt-entdecken/{places.public.id}"))
    assert client.get(_url(topic)).status_code == 200


def test_unlisted_topics_stay_off_the_category_overview(client, make, places, update, login_as):
    topic = make.topic(category=places.members, title="Nur per Link")
    update(Topic, topic.id, unlisted=True)
    login_as(make.user())
    assert "Nur per Link" not in _html(client.get("/"))
