"""The topic page's reply form comes from a per-process cache (forum/boards/reply_box.py):
each reader gets their own token and submission key and the topic's own address,
and a changed upload setting or language shows at once."""

import re

import pytest
from jinja2 import nodes

from forum.boards.reply_box import box_cache
from forum.boards.topic_views import KEPT_TOPIC_PAGES
from forum.extensions import db
from forum.site.services import set_setting

pytestmark = pytest.mark.usefixtures("english")

TOKEN = re.compile(r'<input id="csrf_token" name="csrf_token" type="hidden" value="([^"]*)">')
KEY = re.compile(r'name="submission_key" value="([0-9a-f]*)"')


def _url(topic) -> str:
    return f"/t/{topic.slug}/{topic.id}"


def _box(html: str) -> str:
    start = html.index('<section class="reply-box"')
    return html[start : html.index("</section>", start)]


def _masked(html: str) -> str:
    return KEY.sub("KEY", TOKEN.sub("TOKEN", html))


@pytest.fixture
def topics(make, places):
    return make.topic(category=places.members), make.topic(category=places.members)


@pytest.fixture
def tokens(app, member, second):
    """Forms with CSRF tokens, as in production (the members are logged in first)."""
    app.config["WTF_CSRF_ENABLED"] = True


def test_a_second_reader_gets_the_kept_form_with_their_own_token_and_key(
    app, client, member, second, topics, tokens
):
    topic, _other = topics
    # The kept form itself: a kept member page would serve its own copy.
    app.extensions.pop(KEPT_TOPIC_PAGES, None)
    page = client.get(_url(topic)).get_data(as_text=True)
    first = _box(page)
    # The reader's own token: the one the page's other forms (log out) carry.
    logout = re.search(
        r'action="/logout">\s*<input type="hidden" name="csrf_token" value="([^"]+)"', page
    )
    assert TOKEN.findall(first) == [logout.group(1)]
    cache = box_cache(app)
    assert len(cache) == 1
    # Mark the kept form: the second member's page shows the mark, so it was
    # served from the cache, not rendered again.
    with cache.lock:
        for key in list(cache.blocks):
            cache.blocks[key] = cache.blocks[key].replace("Your reply", "Your KEPT reply")
    again = _box(second.get(_url(topic)).get_data(as_text=True))
    assert "Your KEPT reply" in again
    for html in (first, again):
        assert "\x00" not in html
        assert len(TOKEN.findall(html)) == 1 and len(KEY.findall(html)) == 1
    assert TOKEN.findall(first) != TOKEN.findall(again)
    assert KEY.findall(first) != KEY.findall(again)
    # The same reader's next page: a fresh submission key (one per form shown).
    third = _box(client.get(_url(topic)).get_data(as_text=True))
    assert KEY.findall(third) != KEY.findall(first)


def test_each_topic_s_form_posts_to_that_topic(app, client, member, topics):
    for topic in topics:
        box = _box(client.get(_url(topic)).get_data(as_text=True))
        assert f'action="/t/{topic.id}/reply"' in box
        assert f'data-draft-key="reply-{topic.id}"' in box
    assert len(box_cache(app)) == 1


def test_the_kept_form_is_the_form_rendered_with_the_reader_s_values(
    app, client, member, topics, tokens, monkeypatch
):
    """Slots filled in give what the template gives with the values themselves."""
    from forum.boards import reply_box

    topic, _other = topics
    kept = [client.get(_url(topic)).get_data(as_text=True) for _ in range(2)]
    monkeypatch.setattr(reply_box, "_untouched", lambda form: False)  # never kept
    box_cache(app).blocks.clear()
    fresh = client.get(_url(topic)).get_data(as_text=True)
    assert len(TOKEN.findall(fresh)) == 1
    assert len(box_cache(app)) == 0
    assert "\x00" not in fresh
    assert _masked(_box(kept[0])) == _masked(_box(kept[1])) == _masked(_box(fresh))


def test_a_changed_upload_setting_shows_at_once(app, client, member, topics):
    topic, _other = topics
    assert 'class="composer-upload"' in client.get(_url(topic)).get_data(as_text=True)
    with app.app_context():
        set_setting("UPLOAD_TYPES", "none")
        db.session.commit()
    assert "composer-upload" not in client.get(_url(topic)).get_data(as_text=True)
    with app.app_context():
        set_setting("UPLOAD_TYPES", "images_pdf")
        set_setting("UPLOAD_MAX_MB", 3)
        db.session.commit()
    box = _box(client.get(_url(topic)).get_data(as_text=True))
    assert "application/pdf" in box and "at most 3 MB" in box


def test_the_language_is_part_of_the_key(client, member, topics):
    topic, _other = topics
    assert "Your reply" in client.get(_url(topic)).get_data(as_text=True)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    with client.application.app_context():
        from forum.users.models import User

        db.session.get(User, member.id).locale = None
        db.session.commit()
    html = _box(client.get(_url(topic)).get_data(as_text=True))
    assert "Deine Antwort" in html or "Ihre Antwort" in html
    assert "Your reply" not in html


def test_the_form_templates_read_only_what_the_key_or_the_slots_hold(app):
    """Whatever the kept form shows comes from the key (language, upload offer),
    the slots (token, submission key, address, draft key), the untouched form or
    constant links: a template variable beyond them could differ between readers."""
    env = app.jinja_env
    read = set()
    for name in ("boards/_reply_box.html", "boards/_composer.html"):
        tree = env.parse(env.loader.get_source(env, name)[0])
        own = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
        read |= {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"} - own
    assert read == {
        "_", "composer", "field_errors", "form_errors", "upload_options", "url_for",
        "form", "csrf", "key_field", "action", "draft_key",
    }  # fmt: skip
