"""The categories page's cards come from a per-process cache (forum/category_cards.py):
a change shows at once for every reader, and a card reaches only readers whose
overview holds its category."""

import pytest
import sqlalchemy as sa
from jinja2 import nodes

from forum.boards.models import Category, Topic
from forum.category_cards import card_cache
from forum.db import utcnow
from forum.extensions import db
from forum.users.models import User

pytestmark = pytest.mark.usefixtures("english")


def _card(html: str, name: str) -> str:
    for card in html.split('<li class="category-card')[1:]:
        if f">{name}</a></h2>" in card:
            return card.split("\n  </li>\n")[0]
    raise AssertionError(f"no card for {name!r}")


@pytest.fixture
def topic(make, places):
    return make.topic(category=places.members, title="Fahrdienst im Nordkreis")


def test_a_second_reader_gets_the_kept_cards(app, client, member, second, places, topic):
    client.get("/")
    cache = card_cache(app)
    assert len(cache) >= 1
    with cache.lock:
        for key in list(cache.blocks):
            cache.blocks[key] = cache.blocks[key].replace("Nordkreis", "GEMERKT")
    assert "Fahrdienst im GEMERKT" in second.get("/").get_data(as_text=True)


def test_a_new_topic_and_a_reply_show_at_once(client, member, second, make, places, topic):
    for reader in (client, second):
        assert "Fahrdienst im Nordkreis" in _card(
            reader.get("/").get_data(as_text=True), "Mitgliederforum"
        )
    make.topic(category=places.members, title="Sommerfest am See")
    for reader in (client, second):
        card = _card(reader.get("/").get_data(as_text=True), "Mitgliederforum")
        assert card.index("Sommerfest am See") < card.index("Fahrdienst im Nordkreis")
        assert "2 topics" in card
    make.post(topic, raw="Eine neue Antwort bringt das Thema nach oben.")
    card = _card(second.get("/").get_data(as_text=True), "Mitgliederforum")
    assert card.index("Fahrdienst im Nordkreis") < card.index("Sommerfest am See")


def test_a_rename_and_a_new_description_show_at_once(client, member, update, places, topic):
    client.get("/")
    update(Category, places.members.id, name="Treffpunkt", description_cooked="<p>Neu hier</p>")
    html = client.get("/").get_data(as_text=True)
    assert "Mitgliederforum</a></h2>" not in html
    assert "<p>Neu hier</p>" in _card(html, "Treffpunkt")


def test_a_topic_s_time_moves_on(client, member, update, topic):
    client.get("/")
    update(Topic, topic.id, bumped_at=utcnow().replace(year=2020))
    card = _card(client.get("/").get_data(as_text=True), "Mitgliederforum")
    assert "2020" in card


def test_a_staff_card_never_reaches_a_member(client, make, second, places, login_as, coordinator):
    make.topic(coordinator, places.staff, title="Dienstplan der Koordination")
    login_as(coordinator)
    assert "Dienstplan der Koordination" in client.get("/").get_data(as_text=True)
    html = second.get("/").get_data(as_text=True)
    assert "Koordination</a></h2>" not in html and "Dienstplan" not in html


def test_the_language_is_part_of_the_key(app, client, member, topic):
    assert "1 topic" in _card(client.get("/").get_data(as_text=True), "Mitgliederforum")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    update_locale = sa.update(User).where(User.id == member.id).values(locale=None)
    with app.app_context():
        db.session.execute(update_locale)
        db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "1 Thema" in html and "1 topic" not in html


def test_the_card_template_reads_only_what_the_key_holds(app):
    env = app.jinja_env
    tree = env.parse(env.loader.get_source(env, "boards/_category_card.html")[0])
    own = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    read = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"} - own
    assert read == {"f", "p", "_", "ngettext"}
