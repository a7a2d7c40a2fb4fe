"""A topic page's posts come from a per-process cache of rendered blocks
(forum/post_blocks.py): a change to a post shows at once for every reader, and
what one reader may do never reaches another through the cache."""

import re

import pytest
import sqlalchemy as sa

from forum.boards.models import Post
from forum.boards.topic_views import KEPT_TOPIC_PAGES
from forum.db import utcnow
from forum.extensions import db
from forum.post_blocks import BlockCache, block_cache
from forum.users.models import User
from tests.conftest import login

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(params=["kept member pages", "blocks only"])
def app_config(app_config, request):
    """Every rule here holds with members' pages kept (forum/member_pages) and without."""
    if request.param == "blocks only":
        app_config["KEPT_PAGES_CACHE_KB"] = 0
    return app_config


def _url(topic) -> str:
    return f"/t/{topic.slug}/{topic.id}"


def _post_html(html: str, number: int) -> str:
    """The HTML of one post on a page (its <article> element)."""
    start = html.index(f'id="post_{number}"')
    return html[start : html.index("</article>", start)]


@pytest.fixture
def thread(make, places):
    """A members' topic with a reply, and two members who read it."""
    author = make.user("verfasserin", display_name="Vera Fasser")
    topic = make.topic(author, category=places.members, raw="Der erste Beitrag.")
    reply = make.post(topic, author, raw="Die erste Fassung der Antwort.")
    return topic, reply, author


def test_a_second_reader_gets_the_kept_blocks(app, client, member, second, thread):
    topic, _reply, _author = thread
    # The blocks themselves: a kept member page would serve its own copy.
    app.extensions.pop(KEPT_TOPIC_PAGES, None)
    client.get(_url(topic))
    cache = block_cache(app)
    kept = len(cache)
    assert kept == 2
    # Mark the kept blocks: the second member's page shows the marks, so it was
    # served from the cache, not rendered again.
    with cache.lock:
        for key in list(cache.blocks):
            cache.blocks[key] = cache.blocks[key].replace("erste", "GEMERKTE")
    html = second.get(_url(topic)).get_data(as_text=True)
    assert "Die GEMERKTE Fassung" in html
    assert len(cache) == kept


def test_an_edit_shows_at_once_for_every_reader(update, app, client, member, second, thread):
    topic, reply, _author = thread
    for reader in (client, second):
        assert "Die erste Fassung" in reader.get(_url(topic)).get_data(as_text=True)
    update(Post, reply.id, cooked="<p>Die zweite Fassung.</p>", version=2)
    for reader in (client, second):
        post = _post_html(reader.get(_url(topic)).get_data(as_text=True), 2)
        assert "Die zweite Fassung." in post and "erste Fassung" not in post
        assert 'class="post-edited"' in post


def test_a_like_shows_the_new_count_to_every_reader(app, client, member, second, thread):
    topic, reply, _author = thread
    second.get(_url(topic))
    assert client.post(f"/p/{reply.id}/like").status_code == 302
    mine = _post_html(client.get(_url(topic)).get_data(as_text=True), 2)
    theirs = _post_html(second.get(_url(topic)).get_data(as_text=True), 2)
    assert '<span class="like-count">1</span>' in mine and 'aria-pressed="true"' in mine
    assert '<span class="like-count">1</span>' in theirs
    # The like is the liker's own: the other reader's button is not pressed.
    assert re.search(r'class="action"\s+aria-pressed="false"', theirs)


def test_a_bookmark_is_the_bookmarker_s_own(app, client, member, second, thread):
    topic, reply, _author = thread
    for reader in (client, second):
        reader.get(_url(topic))  # both readers' blocks kept before the bookmark
    assert client.post(f"/p/{reply.id}/bookmark").status_code == 302
    mine = _post_html(client.get(_url(topic)).get_data(as_text=True), 2)
    theirs = _post_html(second.get(_url(topic)).get_data(as_text=True), 2)
    bookmark = r'class="action( is-active)?" aria-pressed="(\w+)">Bookmark'
    assert re.search(bookmark, mine).groups() == (" is-active", "true")
    assert re.search(bookmark, theirs).groups() == (None, "false")


def test_the_list_of_replies_follows_a_new_reply(app, client, member, second, make, thread):
    topic, _reply, author = thread
    assert 'class="replies"' not in _post_html(client.get(_url(topic)).get_data(as_text=True), 1)
    make.post(topic, author, raw="Darauf antworte ich.", reply_to_post_number=1)
    for reader in (client, second):
        first = _post_html(reader.get(_url(topic) + "?page=1").get_data(as_text=True), 1)
        assert "<summary>1 reply</summary>" in first
        assert "#3 by Vera Fasser</a>" in first


def test_a_deleted_or_hidden_post_shows_so_at_once(update, app, client, member, thread):
    topic, reply, _author = thread
    client.get(_url(topic))
    update(Post, reply.id, hidden_at=utcnow())
    post = _post_html(client.get(_url(topic)).get_data(as_text=True), 2)
    assert "badge-hidden" in post and "Die erste Fassung" not in post
    update(Post, reply.id, hidden_at=None, deleted_at=utcnow())
    html = client.get(_url(topic)).get_data(as_text=True)
    # Members see no deleted replies at all.
    assert 'id="post_2"' not in html and "Die erste Fassung" not in html


def test_a_rename_and_a_new_avatar_show_at_once(update, app, client, member, thread):
    topic, _reply, author = thread
    assert "Vera Fasser" in client.get(_url(topic)).get_data(as_text=True)
    update(User, author.id, display_name="Vera Neu", avatar_key="abc/avatar.webp")
    html = client.get(_url(topic)).get_data(as_text=True)
    assert "Vera Fasser" not in html
    assert "Vera Neu" in _post_html(html, 1)
    assert 'src="/uploads/abc/avatar.webp"' in _post_html(html, 1)


def test_a_moderator_s_controls_never_reach_a_member(
    update, app, client, make, second, thread, coordinator
):
    topic, reply, _author = thread
    login(client, coordinator)
    moderator_post = _post_html(client.get(_url(topic)).get_data(as_text=True), 2)
    assert f'action="/p/{reply.id}/delete"' in moderator_post
    assert f'href="/p/{reply.id}/edit"' in moderator_post
    member_post = _post_html(second.get(_url(topic)).get_data(as_text=True), 2)
    assert "/delete" not in member_post and "/edit" not in member_post
    # A deleted reply: the moderator gets the restore control, the member no post.
    update(Post, reply.id, deleted_at=utcnow())
    assert f'action="/p/{reply.id}/restore"' in client.get(_url(topic)).get_data(as_text=True)
    html = second.get(_url(topic)).get_data(as_text=True)
    assert "/restore" not in html and 'id="post_2"' not in html


def test_each_reader_gets_their_own_form_token(app, client, member, second, thread):
    topic, _reply, _author = thread
    tokens = []
    for reader in (client, second):
        html = reader.get(_url(topic)).get_data(as_text=True)
        assert "\x00" not in html
        found = set(re.findall(r'name="csrf_token" value="([^"]*)"', html))
        assert len(found) == 1 and "" not in found
        tokens.append(found.pop())
    assert tokens[0] != tokens[1]


def test_the_language_is_part_of_the_key(app, client, member, thread):
    topic, _reply, _author = thread
    assert ">Reply<" in client.get(_url(topic)).get_data(as_text=True)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == member.id).values(locale=None))
        db.session.commit()
    html = client.get(_url(topic)).get_data(as_text=True)
    assert ">Antworten<" in html and ">Reply<" not in html


def test_the_cache_keeps_the_most_recently_used_blocks():
    cache = BlockCache(max_bytes=2 * BlockCache.cost("A"))
    cache.set(("a",), "A")
    cache.set(("b",), "B")
    assert cache.get(("a",)) == "A"  # now the most recent
    cache.set(("c",), "C")
    assert cache.get(("b",)) is None
    assert (cache.get(("a",)), cache.get(("c",))) == ("A", "C")


def test_the_block_template_reads_only_what_the_key_holds(app):
    """Whatever boards/_post.html shows must come from the facts (the key) or the
    page's links: a template variable beyond them could differ between readers
    who share a kept block."""
    from jinja2 import meta, nodes

    source = app.jinja_env.loader.get_source(app.jinja_env, "boards/_post.html")[0]
    tree = app.jinja_env.parse(source)
    # Its own {% set %} names count as read when set only inside an {% if %}.
    own = {name.name for name in tree.find_all(nodes.Name) if name.ctx == "store"}
    assert meta.find_undeclared_variables(tree) - own <= {"f", "p", "_", "ngettext"}
