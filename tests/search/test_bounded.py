"""PostgreSQL ranks a bounded set of matches (postgres_backend.RANKED_TOPICS):
the newest posts' matches and every topic whose title holds the words. Here
the bounds are made tiny so that a handful of topics crosses them."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forum.extensions import db


@pytest.fixture
def tiny_bounds(monkeypatch, search_backend):
    if search_backend != "postgres":
        pytest.skip("only the PostgreSQL backend bounds its ranking")
    from forum.search import postgres_backend, postgres_bounded

    monkeypatch.setattr(postgres_backend, "RANKED_TOPICS", 3)
    monkeypatch.setattr(postgres_backend, "FIRST_WINDOW", 2)
    # Every document counts as readable (the planner's statistics, kept per
    # process, would differ from test to test).
    monkeypatch.setattr(postgres_bounded, "shares", lambda: {})


def _search(app, text, user=None, page=1):
    from forum.search import services
    from forum.users.models import User

    with app.test_request_context(headers={"Accept-Language": "en"}):
        if user is not None:
            user = db.session.get(User, user.id)
        result = services.search(user, text, page=page)
        return result, [r.topic.title for r in result.results]


def test_an_old_title_match_comes_first_and_the_count_says_more(app, make, tiny_bounds):
    author = make.user("autorin")
    public = make.category("Fragen", slug="fragen", read_level="public")
    make.topic(author, public, "Tafel Gifhorn", "Öffnungszeiten am Dienstag.")
    for number in range(8):
        make.topic(author, public, f"Frage {number}", f"Wer hilft bei der Tafel? ({number})")
    result, titles = _search(app, "Tafel")
    assert titles[0] == "Tafel Gifhorn"
    # The windows hold more than three topics, not all nine.
    assert result.more_than == 3
    assert 3 < result.total < 9
    assert len(titles) == result.total
    with app.test_request_context(headers={"Accept-Language": "en"}):
        page = app.test_client().get("/search?q=Tafel", headers={"Accept-Language": "en"})
    assert "More than 3 topics found" in page.get_data(as_text=True)


def test_the_window_grows_until_it_holds_enough_or_everything(app, make, tiny_bounds):
    author = make.user("autorin")
    public = make.category("Fragen", slug="fragen", read_level="public")
    # Two old matches, then posts without the word: the first window holds none.
    make.topic(author, public, "Frage alt", "Die Tafel braucht Fahrer.")
    make.topic(author, public, "Frage älter", "Auch die Tafel in Wolfsburg.")
    for number in range(6):
        make.topic(author, public, f"Anderes {number}", "Etwas ganz anderes.")
    result, titles = _search(app, "Tafel")
    assert result.more_than == 0
    assert result.total == 2
    assert set(titles) == {"Frage alt", "Frage älter"}
    # "Oldest first" looks from the other end and finds the same.
    result, titles = _search(app, "Tafel order:oldest")
    assert (result.total, result.more_than, titles) == (2, 0, ["Frage alt", "Frage älter"])


def test_the_bound_never_shows_what_the_reader_may_not_see(app, make, tiny_bounds):
    author = make.user("koordinatorin", role="moderator")
    public = make.category("Fragen", slug="fragen", read_level="public")
    staff = make.category("Team", slug="team", read_level="staff")
    # An old title match in a staff category: found through the title index,
    # which must apply the same read levels.
    make.topic(author, staff, "Tafel intern", "Nur für das Team.")
    hidden = make.topic(author, public, "Tafel versteckt", "Wird versteckt.")
    with app.app_context():
        from forum.boards.models import Post
        from forum.db import utcnow

        first = db.session.scalar(db.select(Post).where(Post.topic_id == hidden.id))
        first.hidden_at = utcnow()
        db.session.commit()
    for number in range(6):
        make.topic(author, public, f"Frage {number}", f"Wer hilft bei der Tafel? ({number})")
    _result, titles = _search(app, "Tafel")
    assert "Tafel intern" not in titles
    assert "Tafel versteckt" not in titles
    _result, titles = _search(app, "Tafel", user=author)
    assert titles[0] == "Tafel intern"


def test_a_guests_window_reads_the_public_posts_of_the_newest(app, make, monkeypatch, tiny_bounds):
    from forum.search import postgres_backend, postgres_bounded

    # One topic wanted: the estimate's first window is the two newest posts.
    monkeypatch.setattr(postgres_backend, "RANKED_TOPICS", 1)
    monkeypatch.setattr(postgres_backend, "FIRST_WINDOW", 1000)
    monkeypatch.setattr(postgres_bounded, "MIN_WINDOW", 1)
    monkeypatch.setattr(postgres_bounded, "MIN_POSTS_PER_TOPIC", 1)
    author = make.user("autorin")
    public = make.category("Fragen", slug="fragen", read_level="public")
    members = make.category("Intern", slug="intern", read_level="members")
    for number in range(4):
        make.topic(author, public, f"Frage {number}", f"Wer hilft bei der Tafel? ({number})")
    # The newest posts are the members': a guest's window of the two newest
    # holds no post of hers, grows to every post, and finds the public ones.
    for number in range(2):
        make.topic(author, members, f"Intern {number}", f"Die Tafel intern ({number}).")
    result, titles, guest = _ranking_statements(app, "Tafel")
    _result, everyone, sent = _ranking_statements(app, "Tafel", user=author)
    assert sorted(titles) == [f"Frage {number}" for number in range(4)]
    assert (result.total, result.more_than) == (4, 0)
    assert sorted(everyone) == ["Intern 0", "Intern 1"]
    # Her window is a range of the public documents' ids (PUBLIC_ID, read
    # through ix_search_documents_public_ids); a member's of every post id.
    assert any("CASE WHEN" in statement for statement in guest)
    assert not any("CASE WHEN" in statement for statement in sent)


def test_a_prefix_finds_the_same_through_the_vocabulary_or_without(
    app, make, monkeypatch, tiny_bounds
):
    from forum.search import postgres_sql

    author = make.user("autorin")
    public = make.category("Fragen", slug="fragen", read_level="public")
    make.topic(author, public, "Krankenversicherungsbeitrag", "Wer kennt sich aus?")
    make.topic(author, public, "Krankenfahrt", "Fahrdienst gesucht.")
    make.topic(author, public, "Kranich", "Vögel beobachten.")
    # The vocabulary's words starting with "krank" (two here) ...
    _result, found = _search(app, "kranken*")
    assert sorted(found) == ["Krankenfahrt", "Krankenversicherungsbeitrag"]
    _result, loose = _search(app, "Kranken")
    # ... or PostgreSQL's prefix match when there are more than PREFIX_WORDS.
    monkeypatch.setattr(postgres_sql, "PREFIX_WORDS", 1)
    assert sorted(_search(app, "kranken*")[1]) == sorted(found)
    assert sorted(_search(app, "Kranken")[1]) == sorted(loose)
    assert "Krankenversicherungsbeitrag" in loose


def _ranking_statements(app, text, user=None):
    """Return the search's result and titles for ``text``, and the ranking statements it took."""
    import sqlalchemy as sa

    sent = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if "ts_rank" in statement:
            sent.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        result, titles = _search(app, text, user=user)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return result, titles, sent


def test_the_vocabulary_narrows_the_window_of_a_common_word(app, make, monkeypatch, tiny_bounds):
    from forum.search import postgres_backend, postgres_bounded

    # Without the vocabulary's estimate a first window of 1,000 posts would
    # hold every post here, and all eight topics would be ranked.
    monkeypatch.setattr(postgres_backend, "FIRST_WINDOW", 1000)
    monkeypatch.setattr(postgres_bounded, "MIN_WINDOW", 1)
    monkeypatch.setattr(postgres_bounded, "MIN_POSTS_PER_TOPIC", 1)
    author = make.user("autorin")
    public = make.category("Fragen", slug="fragen", read_level="public")
    for number in range(8):
        make.topic(author, public, f"Frage {number}", f"Wer hilft bei der Tafel? ({number})")
    # "tafel" is in every document of these one-post topics: a window where
    # one and a half times three topics hold it (SLACK) is enough.
    result, titles, statements = _ranking_statements(app, "Tafel")
    assert (result.total, result.more_than, len(statements)) == (5, 3, 1)
    assert titles[0] == "Frage 7"


def test_a_rare_word_is_ranked_in_full_at_once(app, make, tiny_bounds):
    author = make.user("autorin")
    public = make.category("Fragen", slug="fragen", read_level="public")
    make.topic(author, public, "Kleiderkammer", "Jacken gesucht.")
    for number in range(8):
        make.topic(author, public, f"Anderes {number}", "Etwas ganz anderes.")
    # Two documents of eighteen: the estimate goes to the GIN index at once
    # instead of testing a window of the newest posts first.
    result, titles, statements = _ranking_statements(app, "Kleiderkammer")
    assert (result.total, result.more_than, titles, len(statements)) == (1, 0, ["Kleiderkammer"], 1)


def test_words_the_vocabulary_lacks_search_without_the_posts_unless_found(app, make, tiny_bounds):
    import sqlalchemy as sa

    author = make.user("autorin")
    public = make.category("Fragen", slug="fragen", read_level="public")
    make.topic(author, public, "Kleiderkammer", "Jacken gesucht.")
    # A word nobody wrote: one ranking statement, without the posts' columns.
    result, _titles, statements = _ranking_statements(app, "Sommerfets")
    assert (result.total, len(statements)) == (0, 1)
    assert "posts.cooked" not in statements[0]
    # A vocabulary behind its documents (its counts are an estimate only):
    # the search finds the topic all the same, with its post.
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM search_terms"))
        db.session.commit()
    result, titles, statements = _ranking_statements(app, "Kleiderkammer")
    assert (result.total, titles, len(statements)) == (1, ["Kleiderkammer"], 2)
    assert "posts.cooked" in statements[1]


def test_the_planner_settings_last_the_transaction_and_follow_the_search(app, make, tiny_bounds):
    # Set once per transaction (a corrected typo searches four times); a
    # search without words after one with words scans tables again.
    from forum.search import services

    author = make.user("autorin")
    public = make.category("Fragen", slug="fragen", read_level="public")
    make.topic(author, public, "Tafel Gifhorn", "Öffnungszeiten am Dienstag.")

    def shown(name):
        return db.session.scalar(db.text(f"SHOW {name}"))

    with app.test_request_context(headers={"Accept-Language": "en"}):
        configured = (shown("enable_seqscan"), shown("jit"))
        db.session.rollback()
        services.search(None, "Tafel")
        assert (shown("enable_seqscan"), shown("jit")) == ("off", "off")
        services.search(None, "@autorin")
        assert (shown("enable_seqscan"), shown("jit")) == ("on", "off")
        services.search(None, "Tafel")
        assert shown("enable_seqscan") == "off"
        db.session.rollback()
        assert (shown("enable_seqscan"), shown("jit")) == configured
        services.search(None, "Tafel")
        assert shown("enable_seqscan") == "off"


@settings(max_examples=300, deadline=None)
@given(
    estimate=st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=6),
    span=st.integers(min_value=1, max_value=10**7),
    public=st.floats(min_value=0.0, max_value=1.0),
    first=st.floats(min_value=0.0, max_value=1.0),
    levels=st.sampled_from([("public",), ("public", "members"), ("public", "members", "staff")]),
    any_word=st.booleans(),
    in_first=st.booleans(),
    known=st.booleans(),
)
def test_the_first_window_is_a_number_of_posts_whatever_the_estimate(
    estimate, span, public, first, levels, any_word, in_first, known
):
    """Several rare words together once made the window a division by zero
    (a 500 for anyone's search): 1 - (1 - words)^p rounded to 0."""
    from types import SimpleNamespace

    from forum.search import postgres_bounded

    shares = {"public": public, "members": 1.0 - public, 1: first} if known else {}
    criteria = SimpleNamespace(levels=levels, any_word=any_word, in_first=in_first)
    bounded = postgres_bounded.Bounded(None, "relevance", (200, 20_000, 10))
    bounded.public = levels == ("public",)
    original = postgres_bounded.shares
    postgres_bounded.shares = lambda: shares
    try:
        window, whole_cost = bounded._first_window(estimate, criteria, span, 200)
    finally:
        postgres_bounded.shares = original
    assert isinstance(window, int)
    assert 1 <= window <= max(span, 20_000)
    assert whole_cost >= 0


def test_three_rare_words_together_get_a_window_and_not_an_error():
    from types import SimpleNamespace

    from forum.search import postgres_bounded

    bounded = postgres_bounded.Bounded(None, "relevance", (200, 20_000, 10))
    criteria = SimpleNamespace(levels=("public",), any_word=False, in_first=False)
    original = postgres_bounded.shares
    postgres_bounded.shares = lambda: {"public": 0.2, "members": 0.8, 1: 0.09}
    try:
        window, _cost = bounded._first_window([2, 3, 5], criteria, 1_000_000, 200)
    finally:
        postgres_bounded.shares = original
    assert window == 1_000_000  # as wide as every post: `page` ranks every match


@settings(max_examples=500, deadline=None)
@given(word=st.text(max_size=12))
def test_a_prefix_search_passes_only_letters_and_digits_to_to_tsquery(word):
    """Folding decomposes some letters and digits into tsquery syntax ("⑴" into
    "(1)"): ``Tafel ⑴*`` was a syntax error in PostgreSQL, a 500."""
    from forum.search.postgres_sql import _prefix_pieces

    for piece in _prefix_pieces(word):
        assert re.fullmatch(r"[^\W_]+", piece), (word, piece)
