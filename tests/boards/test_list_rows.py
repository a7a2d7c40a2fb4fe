"""What a list row, the help board's tile map and a reply's chip show (issue 16)."""

import re
from datetime import timedelta

import pytest

from forum.boards.models import Post, Topic
from forum.boards.views import KEPT_CATEGORY
from forum.db import utcnow
from tests.conftest import counting_statements


def category_url(category, **params) -> str:
    return f"/c/{category.slug}/{category.id}"


def _html(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _row(html: str, title: str) -> str:
    """Return the list item of the topic with ``title``."""
    for item in html.split('<li class="topic-item')[1:]:
        if f">{title}</a>" in item:
            return item.split("</li>\n      \n")[0]
    raise AssertionError(f"no row for {title!r}")


def _posters(row: str) -> list[str]:
    return re.findall(r'<img class="avatar" src="/user_avatar/([^/]+)/32\.svg" alt="([^"]*)"', row)


def test_a_row_shows_category_title_posters_and_numbers(client, make, login_as, places, update):
    starter = make.user("anke", display_name="Anke Schulz")
    regulars = [make.user(f"helfer{n}") for n in range(6)]
    topic = make.topic(starter, places.members, title="Fahrdienst im Nordkreis")
    # helfer5 writes three times, helfer4 twice, the others once: the most active
    # come first after the original poster, and only five avatars in all.
    for number, author in enumerate(regulars + regulars[4:] + regulars[5:]):
        make.post(topic, author, raw=f"Antwort {number}")
    update(Topic, topic.id, views=1234)
    reader = make.user("leserin")
    login_as(reader)

    row = _row(_html(client.get("/latest")), "Fahrdienst im Nordkreis")
    assert f'<a class="category-badge" href="{category_url(places.members)}">' in row
    assert "Mitgliederforum</a>" in row
    assert _posters(row) == [
        ("anke", "Anke Schulz"),
        ("helfer5", "helfer5"),
        ("helfer4", "helfer4"),
        ("helfer3", "helfer3"),
        ("helfer2", "helfer2"),
    ]
    assert 'aria-label="Most active posters"' in row
    stats = dict(re.findall(r"<dt>(\w+)</dt><dd>([^<]+)</dd>", row))
    assert stats["Replies"] == "9" and stats["Views"] == "1,234"
    # Never opened and written today: new for a member.
    assert 'class="badge badge-new"' in row


def test_a_row_counts_unread_posts_and_leaves_deleted_posters_out(
    client, make, login_as, places, update, app
):
    topic = make.topic(make.user("anke"), places.members, title="Sommerfest")
    make.post(topic, make.user("bert"))
    clara = make.user("clara")
    make.post(topic, clara)
    reader = make.user("leserin")
    login_as(reader)
    client.get(f"/t/{topic.slug}/{topic.id}")  # reads posts 1 to 3
    make.post(topic, make.user("dora"))
    make.post(topic, make.user("emil"))
    with app.app_context():
        from forum.boards.models import Post as PostModel
        from forum.extensions import db

        post = db.session.scalar(
            db.select(PostModel).where(PostModel.topic_id == topic.id, PostModel.post_number == 3)
        )
        post.deleted_at = utcnow()
        db.session.commit()

    row = _row(_html(client.get(category_url(places.members))), "Sommerfest")
    assert '<span class="badge badge-unread">2 unread</span></a>' in row
    assert f"/t/{topic.slug}/{topic.id}/4#post_4" in row
    assert [name for name, _ in _posters(row)] == ["anke", "emil", "dora", "bert"]
    # A category's own page does not repeat its badge.
    assert "category-badge" not in row


def test_help_rows_show_kind_place_and_status_as_badges(client, make, login_as, places):
    make.topic(
        make.user(),
        places.help,
        title="Einkaufshilfe in Meinersen",
        help_kind="request",
        municipality="meinersen",
    )
    login_as(make.user())
    row = _row(_html(client.get("/latest")), "Einkaufshilfe in Meinersen")
    assert '<span class="badge badge-request">Request</span>' in row
    assert '<span class="badge badge-place">Samtgemeinde Meinersen</span>' in row
    assert '<span class="badge badge-status-open">Open</span>' in row


@pytest.fixture
def help_board(make, places, update):
    """Two open requests and an open offer in Meinersen, a request in Brome that is
    done, and a deleted request in Gifhorn."""
    author = make.user("nachbarin")
    for title, kind, place in (
        ("Suche Fahrt zum Arzt", "request", "meinersen"),
        ("Suche Hilfe im Garten", "request", "meinersen"),
        ("Biete Einkäufe", "offer", "meinersen"),
        ("Suche Begleitung", "request", "brome"),
        ("Suche Leiter", "request", "gifhorn"),
    ):
        make.topic(author, places.help, title=title, help_kind=kind, municipality=place)
    topics = {t.title: t for t in _topics(make.app)}
    update(Topic, topics["Suche Begleitung"].id, help_status="done")
    update(Topic, topics["Suche Leiter"].id, deleted_at=utcnow() - timedelta(minutes=1))
    return places.help


def _topics(app):
    from forum.extensions import db

    with app.app_context():
        topics = list(db.session.scalars(db.select(Topic)))
        for topic in topics:
            db.session.expunge(topic)
        return topics


def _tile(html: str, place: str) -> str:
    match = re.search(rf'<a class="tile[^"]*" href="([^"]+)" aria-label="{place}: ([^"]+)"', html)
    assert match, place
    return match.group(0)


def test_the_help_map_counts_open_requests_and_offers_per_municipality(
    client, make, login_as, help_board
):
    login_as(make.user())
    html = _html(client.get(category_url(help_board)))
    map_html = html[html.index('<section class="help-map"') : html.index("</section>")]
    assert map_html.count('<a class="tile') == 10
    meinersen = _tile(map_html, "Samtgemeinde Meinersen")
    assert "2 open requests, 1 open offer" in meinersen
    assert 'class="tile is-busy"' in meinersen
    # Done and deleted requests are not open: no count on their tiles.
    assert "0 open requests, 0 open offers" in _tile(map_html, "Samtgemeinde Brome")
    assert "0 open requests, 0 open offers" in _tile(map_html, "Stadt Gifhorn")
    # The tile's own text, and the list for screen readers and browsers without SVG.
    assert ">2 requests</text>" in map_html and ">1 offer</text>" in map_html
    assert map_html.count("<li><a href=") == 10
    assert 'aria-current="true"' not in map_html


def test_the_map_costs_one_statement(app, client, make, login_as, places, help_board):
    # The page as rendered (a kept member page costs its reader's statement only).
    app.extensions.pop(KEPT_CATEGORY, None)
    make.topic(make.user(), places.members, title="Ein Thema")
    login_as(make.user())
    counts = {}
    for category in (places.members, help_board):
        client.get(category_url(category))  # warm: the same caches on both pages
        with counting_statements(app) as statements:
            _html(client.get(category_url(category)))
            counts[category.kind] = len(statements)
    assert counts["help"] == counts["discussion"] + 1, counts


def test_a_tile_filters_the_list_to_its_municipality(client, make, login_as, help_board):
    make.topic(
        make.user(),
        help_board,
        title="Biete Fahrten in Wesendorf",
        help_kind="offer",
        municipality="wesendorf",
    )
    login_as(make.user())
    html = _html(client.get(category_url(help_board)))
    link = re.search(r'href="([^"]+)" aria-label="Samtgemeinde Meinersen', html).group(1)
    link = link.replace("&amp;", "&")
    assert "municipality=meinersen" in link and "status=open" in link

    filtered = _html(client.get(link))
    listed = re.findall(r'<h3 class="topic-title">.*?<a href="[^"]+">([^<]+)</a>', filtered, re.S)
    assert sorted(listed) == ["Biete Einkäufe", "Suche Fahrt zum Arzt", "Suche Hilfe im Garten"]
    chosen = _tile(filtered, "Samtgemeinde Meinersen")
    assert "is-active" in chosen and 'aria-current="true"' in filtered


def test_the_map_counts_only_what_the_reader_may_see(client, make, login_as, places):
    staff_help = make.category("Hilfe intern", read_level="staff", kind="help")
    coordinator = make.user("koordination", role="moderator")
    make.topic(
        coordinator, staff_help, title="Intern", help_kind="request", municipality="meinersen"
    )
    login_as(make.user())
    assert client.get(category_url(staff_help)).status_code == 404
    html = _html(client.get(category_url(places.help)))
    assert "0 open requests, 0 open offers" in _tile(html, "Samtgemeinde Meinersen")


def test_other_categories_have_no_map(client, make, login_as, places):
    login_as(make.user())
    assert 'class="help-map"' not in _html(client.get(category_url(places.members)))


def test_the_reply_chip_names_the_display_name_and_unfolds_the_context(
    client, make, login_as, places
):
    bert = make.user("bert", display_name="Bert Brandt")
    topic = make.topic(make.user(), places.members, raw="Wer **fährt** mit?\n\n> alt")
    make.post(topic, bert, raw="> Wer fährt mit?\n\nIch **fahre** am Mittwoch [nach Gifhorn](/x).")
    clara = make.user("clara", display_name="Clara Claas")
    make.post(topic, clara, raw="Prima!", reply_to_post_number=2)
    login_as(make.user())
    html = _html(client.get(f"/t/{topic.slug}/{topic.id}"))
    post_3 = html[html.index('id="post_3"') :]
    assert '<summary class="in-reply-to">in reply to Bert Brandt (#2)</summary>' in post_3
    # Plain words: no markdown marks, no quoted lines.
    assert '<div class="reply-excerpt"><p>Ich fahre am Mittwoch nach Gifhorn.</p>' in post_3
    assert "#3 by Clara Claas" in html[html.index('id="post_2"') : html.index('id="post_3"')]
    # The progress line and the bar's reply button.
    bar = html[html.index('<nav class="topic-bar"') :]
    assert "Posts 1–3 of 3" in bar  # noqa: RUF001 (an en dash, as printed)
    newest = f'<a class="topic-newest" href="/t/{topic.slug}/{topic.id}/3#post_3">'
    assert newest in bar and '<span class="newest-label">Newest post</span>' in bar
    assert 'href="#reply-heading"' in bar and 'id="reply-heading"' in html

    # A reply to a post on an earlier page: the name and context come from the
    # statement that finds replied-to posts outside the window.
    for _ in range(17):
        make.post(topic, clara, raw="Noch etwas")
    make.post(topic, clara, raw="Spät", reply_to_post_number=2)  # post 21, on page 2
    html = _html(client.get(f"/t/{topic.slug}/{topic.id}?page=2"))
    assert 'id="post_2"' not in html
    assert '<summary class="in-reply-to">in reply to Bert Brandt (#2)</summary>' in html
    assert '<div class="reply-excerpt"><p>Ich fahre am Mittwoch nach Gifhorn.</p>' in html
    assert "Post 21 of 21" in html


def test_a_hidden_post_lends_no_context(client, make, login_as, places, update, app):
    topic = make.topic(make.user(), places.members)
    make.post(topic, make.user("bert"), raw="Geheimer Text")
    make.post(topic, make.user(), raw="Antwort", reply_to_post_number=2)
    with app.app_context():
        from forum.extensions import db

        db.session.execute(
            db.update(Post)
            .where(Post.topic_id == topic.id, Post.post_number == 2)
            .values(hidden_at=utcnow())
        )
        db.session.commit()
    login_as(make.user())
    html = _html(client.get(f"/t/{topic.slug}/{topic.id}"))
    post_3 = html[html.index('id="post_3"') :]
    assert '<a class="in-reply-to" href=' in post_3 and "in reply to bert (#2)" in post_3
    assert "Geheimer Text" not in post_3
