"""The token in a kept member page is the reader's own and works: a form sent
with it is accepted, another session's is refused, and a token handed out
again within a minute (forum/member_pages/reader.py) is the same valid one."""

import itertools

import pytest
import sqlalchemy as sa
from itsdangerous.timed import TimestampSigner

from forum.boards.models import Post, PostLike
from forum.extensions import db
from forum.kept_pages import kept_pages
from tests.member_pages.conftest import CSRF_TOKEN, signed_in

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(params=["clock", "ticking"])
def signing_clock(request, monkeypatch):
    """The real clock, or one a second later at every signing: the first page's
    token (its session's secret drawn then) must be handed out again as well, not
    only when both pages fall within the same second."""
    if request.param == "ticking":
        ticks = itertools.count(1_800_000_000)
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _signer: next(ticks))


@pytest.mark.usefixtures("signing_clock")
def test_a_kept_page_s_token_is_the_reader_s_and_works(app, make):
    category = make.category("Mitgliederforum", read_level="members")
    author, reader, other = make.user("autorin"), make.user("leserin"), make.user("andere")
    topic = make.topic(author, category=category, raw="Hallo alle.")
    url = f"/t/{topic.slug}/{topic.id}?page=1"
    mine, theirs = signed_in(app, reader), signed_in(app, other)
    app.config["WTF_CSRF_ENABLED"] = True
    pages = [mine.get(url).get_data(as_text=True) for _ in range(3)]
    their_page = theirs.get(url).get_data(as_text=True)
    assert len(kept_pages(app)) >= 2  # the topic's facts and its page: served kept
    tokens = [set(CSRF_TOKEN.findall(page)) for page in pages]
    # One token on each page, the same again within the minute, not the other reader's.
    assert all(len(found) == 1 for found in tokens)
    assert tokens[0] == tokens[1] == tokens[2]
    (token,) = tokens[0]
    (their_token,) = set(CSRF_TOKEN.findall(their_page))
    assert token != their_token
    with app.app_context():
        post_id = db.session.scalar(sa.select(Post.id).where(Post.topic_id == topic.id))
    refused = mine.post(f"/p/{post_id}/like", data={"csrf_token": their_token})
    assert refused.status_code == 400
    accepted = mine.post(f"/p/{post_id}/like", data={"csrf_token": token})
    assert accepted.status_code in (200, 302)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PostLike)) == 1
