"""@mentions: cooked into profile links at write time, limited, told when unseen,
and suggested to the composer by a small JSON endpoint that names only members."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.boards.models import Post
from forum.db import utcnow
from forum.extensions import db
from forum.markdown import Cooker, mention_candidates, mentioned_usernames
from forum.users.models import User
from tests.conftest import login
from tests.notifications.helpers import kinds, reply

KNOWN = {"anke.schulz": "anke.schulz", "lena": "Lena", "m_y-1": "m_y-1"}
COOKER = Cooker()


def test_mentions_link_known_members_only_and_not_in_code_or_quotes():
    raw = (
        "Hallo @anke.schulz, @LENA und @niemand.\n\n"
        "`@lena` im Code\n\n```\n@lena\n```\n\n> @lena sagte etwas\n\n"
        "Mail an a@lena.de und [ein Link @lena](https://example.org)"
    )
    cooked = COOKER.cook(raw, KNOWN)
    assert mentioned_usernames(cooked) == ["anke.schulz", "Lena"]
    assert '<a class="mention" href="/u/anke.schulz">@anke.schulz</a>,' in cooked
    assert "@niemand" in cooked and "/u/niemand" not in cooked
    assert "<code>@lena</code>" in cooked and "<p>@lena sagte etwas</p>" in cooked


def test_a_sentence_end_is_not_part_of_the_name():
    cooked = COOKER.cook("Frag @anke.schulz. Oder @lena-", KNOWN)
    assert mentioned_usernames(cooked) == ["anke.schulz", "Lena"]
    assert "</a>. Oder" in cooked
    assert {"anke.schulz", "anke.schulz."} <= mention_candidates("Frag @anke.schulz.")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.text(max_size=30),
            st.sampled_from(
                ["@", "@lena", "@anke.schulz", "@m_y-1", "`", "```\n", "> ", "\n", "[", "](", "*"]
            ),
            st.from_regex(r"@[A-Za-z0-9_.\-]{0,22}", fullmatch=True),
        ),
        max_size=12,
    ).map("".join)
)
def test_cooking_never_raises_and_never_links_non_members(raw):
    cooked = COOKER.cook(raw, KNOWN)
    assert set(mentioned_usernames(cooked)) <= set(KNOWN.values())
    for href in re.findall(r'class="mention" href="/u/([^"]*)"', cooked):
        assert href in KNOWN.values()


@pytest.fixture
def writer(make):
    writer = make.user("schreiber")
    # One published post: the next ones are no longer held for review.
    make.post(make.topic(writer, title="Ein älteres Thema"), writer, "Schon einmal geschrieben.")
    return writer


def test_the_mention_limit_keeps_the_text(app, client, make, writer):
    topic = make.topic(title="Wer hat Zeit?")
    names = [make.user(f"person{i}").username for i in range(11)]
    login(client, writer)
    raw = "Hallo " + " ".join(f"@{n}" for n in names)
    response = reply(client, topic, raw)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "A post may mention at most 10 members. Please mention fewer." in body
    assert raw in body  # nothing typed is lost
    app.config["MAX_MENTIONS_PER_POST"] = 11
    assert reply(client, topic, raw).status_code == 302


def test_mentioning_who_cannot_see_the_category_notifies_nobody_and_says_so(
    app, client, make, writer
):
    staff_room = make.category("Intern", read_level="staff")
    moderator = make.user("koordination", role="moderator")
    anke = make.user("anke.schulz")
    topic = make.topic(moderator, staff_room, "Absprache im Büro")
    login(client, moderator)
    response = client.post(
        f"/t/{topic.id}/reply", data={"raw": "Sollen wir @anke.schulz fragen?"}, buffered=True
    )
    response.close()
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "anke.schulz cannot see this category and was not notified." in page
    assert kinds(app, anke) == []
    with app.app_context():
        cooked = db.session.scalar(
            sa.select(Post.cooked).where(Post.topic_id == topic.id).where(Post.post_number == 2)
        )
    assert "/u/anke.schulz" in cooked  # still a link to her profile


def test_a_visible_mention_gives_no_warning(app, client, make, writer):
    make.user("anke.schulz")
    topic = make.topic(title="Offene Frage hier")
    login(client, writer)
    response = reply(client, topic, "Frag @anke.schulz")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "was not notified" not in page


def test_the_composer_asks_for_suggestions(client, make, writer):
    login(client, writer)
    topic = make.topic(title="Ein Thema zum Antworten")
    page = client.get(f"/t/{topic.id}/reply").get_data(as_text=True)
    assert 'data-mention-url="/u/search.json"' in page


def test_suggestions_name_only_active_members(app, client, make, writer):
    make.user("anna.member")
    make.user("anna.moderatorin", role="moderator")
    make.user("anna.bewerberin", role="applicant")
    suspended = make.user("anna.gesperrt")
    with app.app_context():
        db.session.get(User, suspended.id).suspended_until = utcnow() + timedelta(days=3)
        db.session.commit()
    for i in range(10):
        make.user(f"annb{i}")
    assert client.get("/u/search.json?term=an").status_code in (302, 401)  # guests
    login(client, writer)
    found = client.get("/u/search.json?term=anna").get_json()["users"]
    assert [u["username"] for u in found] == ["anna.member", "anna.moderatorin"]
    assert all(set(u) == {"username", "name", "avatar"} for u in found)  # no e-mail
    assert "@example.org" not in client.get("/u/search.json?term=an").get_data(as_text=True)
    assert len(client.get("/u/search.json?term=an").get_json()["users"]) == 8
    assert client.get("/u/search.json?term=%25").get_json() == {"users": []}
    assert client.get("/u/search.json?term=_").get_json()["users"] == []


def test_applicants_get_no_suggestions(client, make):
    make.user("anna.member")
    login(client, make.user("neu", role="applicant"))
    assert client.get("/u/search.json?term=anna").status_code == 403
