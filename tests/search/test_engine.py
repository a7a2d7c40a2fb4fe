"""The Whoosh backend's block-at-a-time evaluation against Whoosh's own scoring.

Whoosh-only (the PostgreSQL runs are skipped): ``forum.search.whoosh_engine``
must give what scoring every match with Whoosh's collectors gives, whatever
part of the matches it sorts in full.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.extensions import db

WORDS = ["Tafel", "Gifhorn", "Hilfe", "Fahrdienst", "Sommerfest"]


@pytest.fixture
def whoosh_only(search_backend):
    if search_backend != "whoosh":
        pytest.skip("tests the Whoosh backend's evaluation")


@pytest.fixture
def forum_posts(whoosh_only, make):
    """Topics of several posts with overlapping words, in two categories."""
    public = make.category("Öffentlich", read_level="public")
    members = make.category("Intern", read_level="members")
    author = make.user(role="moderator")
    for number in range(12):
        category = public if number % 3 else members
        words = " ".join(WORDS[(number + i) % len(WORDS)] for i in range(1 + number % 3))
        topic = make.topic(author, category, f"Thema {number} {WORDS[number % 5]}", words)
        for reply in range(number % 4):
            make.post(topic, author, raw=f"{WORDS[(number * reply) % 5]} und {words}")
    return author


def _reference(app, text, user):
    """Whoosh's collectors score every match, grouped by topic (the former code)."""
    from whoosh import query
    from whoosh.idsets import BitSet
    from whoosh.scoring import BM25F
    from whoosh.searching import Searcher

    from forum.search import services
    from forum.search.query import parse
    from forum.search.whoosh_backend import TITLE_BOOST

    backend = services.get_backend()
    criteria = services._criteria(user, parse(text))
    # Whoosh's own searcher on the backend's reader (the backend does without one).
    searcher = Searcher(backend._searcher().reader(), weighting=BM25F(), closereader=False)
    allowed = query.Or([query.Term("level", level) for level in criteria.levels])
    hidden = [query.Term("flags", flag) for flag in sorted(criteria.excluded_flags)]
    allowed = query.AndNot(allowed, query.Or(hidden))
    if criteria.in_first:
        allowed = query.And([allowed, query.Term("first", True)])
    parts = [
        query.Or([query.Term("title", t, boost=TITLE_BOOST), query.Term("body", t)])
        for terms in criteria.words
        for t in terms
    ]
    allow = BitSet(searcher.docs_for_query(allowed), size=searcher.doc_count_all())
    results = searcher.search(query.And(parts), filter=allow, limit=None)
    best: dict[int, tuple[float, int]] = {}
    for hit in results:
        fields = searcher.stored_fields(hit.docnum)
        topic = searcher.reader().column_reader("topic_id")[hit.docnum]
        created = searcher.reader().column_reader("created")[hit.docnum]
        key = (round(hit.score, 6), created, hit.docnum)
        if topic not in best or key > best[topic][0]:
            best[topic] = (key, int(fields["post_id"]))
    ordered = sorted(best.items(), key=lambda item: item[1][0], reverse=True)
    return [(topic, post_id) for topic, (_key, post_id) in ordered]


def _engine(app, text, user, offset=0, limit=100):
    from forum.search import services
    from forum.search.query import parse

    criteria = services._criteria(user, parse(text))
    hits = services.get_backend().search(criteria, offset, limit)
    return hits.total, [(hit.topic_id, hit.post_id) for hit in hits.hits]


def test_same_ranking_as_whoosh_scoring_every_match(app, forum_posts, monkeypatch):
    from forum.search import whoosh_engine

    # Three words: each scores only the posts the ones before matched; in:first
    # scores only first posts.
    texts = ["Tafel", "Hilfe Gifhorn", "Thema", "Fahrdienst Sommerfest",
             "Thema Tafel Hilfe", "Hilfe in:first", "Thema Gifhorn in:first"]  # fmt: skip
    with app.test_request_context():
        moderator = db.session.get(type(forum_posts), forum_posts.id)
        for text, who in [(text, who) for text in texts for who in (None, moderator)]:
            expected = _reference(app, text, who)
            assert expected, text
            total, found = _engine(app, text, who)
            assert (total, found) == (len(expected), expected)
            # Sorting in full only the best few posts, growing until the page
            # is complete, gives the same pages.
            monkeypatch.setattr(whoosh_engine, "MIN_TAKE", 1)
            monkeypatch.setattr(whoosh_engine, "TAKE_FACTOR", 1)
            pages = []
            for offset in range(0, total, 2):
                page_total, page = _engine(app, text, who, offset, 2)
                assert page_total == total
                pages += page
            assert pages == expected
            monkeypatch.undo()


def test_pages_weigh_the_posts_that_may_rank_like_the_whole_list(app, forum_posts, monkeypatch):
    """Posts of different ages (ranking factors 1.0-1.1): a page weighs only
    the posts that may reach it and still holds what the whole list holds."""
    from datetime import timedelta

    import sqlalchemy as sa

    from forum.boards.models import Post
    from forum.db import utcnow
    from forum.search import services, whoosh_engine

    with app.app_context():
        for number, post_id in enumerate(db.session.scalars(sa.select(Post.id).order_by(Post.id))):
            age = timedelta(days=(number * 37) % 400)
            db.session.execute(
                sa.update(Post).where(Post.id == post_id).values(created_at=utcnow() - age)
            )
        db.session.commit()
        services.reindex(app)
    with app.test_request_context():
        moderator = db.session.get(type(forum_posts), forum_posts.id)
        for text, who in [
            (t, w) for t in ("Tafel", "Hilfe Gifhorn", "Thema") for w in (None, moderator)
        ]:
            total, everything = _engine(app, text, who)
            monkeypatch.setattr(whoosh_engine, "MIN_TAKE", 1)
            monkeypatch.setattr(whoosh_engine, "TAKE_FACTOR", 1)
            pages = []
            for offset in range(0, total, 2):
                pages += _engine(app, text, who, offset, 2)[1]
            assert pages == everything and len(everything) == total > 2, text
            monkeypatch.undo()


def test_deleted_documents_leave_counts_and_pages(app, make, whoosh_only, find):
    category = make.category(read_level="public")
    topics = [make.topic(category=category, title=f"Flohmarkt {n}", raw="Text.") for n in range(3)]
    assert find("Flohmarkt").total == 3
    with app.app_context():
        from forum.boards.models import Topic

        db.session.get(Topic, topics[1].id).title = "Basar"
        db.session.commit()  # its old documents are deleted in their segment, new ones added
    found = find("Flohmarkt")
    assert (found.total, sorted(found.titles)) == (2, ["Flohmarkt 0", "Flohmarkt 2"])
    assert find("Basar").titles == ["Basar"]


def test_orders_page_like_the_whole_list(app, forum_posts, monkeypatch):
    from forum.search import whoosh_engine

    with app.test_request_context():
        for text in (
            "Tafel order:latest",
            "Tafel order:oldest",
            "Tafel order:likes",
            "@" + forum_posts.username,
        ):
            total, everything = _engine(app, text, None)
            monkeypatch.setattr(whoosh_engine, "MIN_TAKE", 1)
            monkeypatch.setattr(whoosh_engine, "TAKE_FACTOR", 1)
            pages = []
            for offset in range(0, total, 3):
                pages += _engine(app, text, None, offset, 3)[1]
            assert pages == everything and len(set(everything)) == total > 3, text
            monkeypatch.undo()


def test_phrases_are_checked_on_word_sequences(app, make, whoosh_only, find):
    # Each sequence keeps a compound's parts at its position, and only the
    # documents the searcher may read are checked.
    public = make.category("Öffentlich", read_level="public")
    members = make.category("Intern", read_level="members")
    make.topic(category=public, title="Übung", raw="Die Jugendfeuerwehr Gifhorn übt.")
    make.topic(category=members, title="Intern", raw="Die Feuerwehr Gifhorn tagt.")
    make.topic(category=public, title="Andersrum", raw="Gifhorn hat eine Feuerwehr.")
    member = make.user(role="member")
    assert find('"Feuerwehr Gifhorn"').titles == ["Übung"]
    assert sorted(find('"Feuerwehr Gifhorn"', user=member).titles) == ["Intern", "Übung"]
    assert find('"Gifhorn übt"').titles == ["Übung"]
    assert find('"Gifhorn Jugend"').titles == []


def test_a_search_survives_segments_merged_away_by_another_worker(app, forum_posts, find):
    """Another worker's writer merges the segments and deletes their files after
    this worker opened its searcher: the search reads the index as it is now."""
    from whoosh import index

    from forum.search import services
    from forum.search.whoosh_backend import INDEX_NAME

    with app.app_context():
        backend = services.get_backend()
    stale = backend._searcher()
    assert len(stale.reader().leaf_readers()) > 1
    other_worker = index.open_dir(str(backend.directory), indexname=INDEX_NAME)
    other_worker.writer().commit(optimize=True)  # one new segment; the old files go
    other_worker.close()
    # The race: this worker checked its searcher just before the merge.
    real_up_to_date = stale.up_to_date
    answers = iter([True])
    stale.up_to_date = lambda: next(answers, None) or real_up_to_date()

    found = find("Tafel", user=forum_posts)
    assert found.total > 0
    assert backend._searcher() is not stale
    assert find("Tafel", user=forum_posts) == found


def test_per_document_numbers_are_kept_in_four_bytes(app, forum_posts):
    """Every worker keeps created, likes and boost per document of each segment:
    4 bytes each where Whoosh stores 8, and none for a boost no document has
    (tests/test_worker_memory.py's aim)."""
    from array import array

    from forum.search import services
    from forum.search.whoosh_segments import SegmentTables, _narrowest

    with app.app_context():
        searcher = services.get_backend()._searcher()
        for reader, _base in searcher.reader().leaf_readers():
            tables = SegmentTables(reader)
            assert tables.count > 0
            for values in (tables.created, tables.likes):
                assert values.itemsize == 4
                assert len(values) == tables.count
            assert tables.boost is None  # no plugin ranks these posts: no array of zeros
            # A guest's readable documents: one byte each, not a set of ints.
            levels = [term.decode() for term in reader.lexicon("level")]
            rarest = min(levels, key=lambda level: reader.doc_frequency("level", level))
            holding = reader.doc_frequency("level", rarest)
            allowed, readable = tables.permissions(reader, (rarest,), frozenset())
            if holding * 2 <= tables.count:  # else the few others are kept, as a set
                assert allowed and isinstance(readable, bytearray)
                assert len(readable) == tables.count and set(readable) <= {0, 1}
                assert readable.count(1) == holding
            allowed, readable = tables.permissions(reader, ("nobody",), frozenset())
            assert allowed and readable == bytearray(tables.count)
    big = array("q", [1, 1 << 40])
    assert _narrowest(big) is big  # what does not fit stays as it was
    assert list(_narrowest(array("q", [5, -3]))) == [5, -3]


def test_field_lengths_are_read_as_one_column(app, forum_posts, monkeypatch):
    """A segment's field lengths come from the codec's column in one read, the
    same bytes as Whoosh's per-document lengths: asking per document took
    3.7 s of a worker's first search at a million posts."""
    from whoosh.util.numeric import length_to_byte

    from forum.search import services
    from forum.search.whoosh_segments import _length_bytes

    with app.app_context():
        searcher = services.get_backend()._searcher()
        for reader, _base in searcher.reader().leaf_readers():
            count = reader.doc_count_all()
            expected = {
                name: bytes(
                    length_to_byte(reader.doc_field_length(d, name, 0)) for d in range(count)
                )
                for name in ("title", "body")
            }

            def per_document(*args, **kwargs):
                raise AssertionError("field lengths read per document")

            monkeypatch.setattr(reader, "doc_field_length", per_document)
            for name, lengths in expected.items():
                assert _length_bytes(reader, name) == lengths
                assert any(lengths)


def _engine_both_ways(app, text, who, monkeypatch):
    """Return the engine's answer with every clause's scores in dicts and with
    those of the unrestricted clauses in arrays (``DenseScores``), and how
    many arrays the second way made."""
    from forum.search import whoosh_engine, whoosh_scores

    answers, made, arrays = [], [], []

    class Counted(whoosh_scores.DenseScores):
        __slots__ = ()

        def __init__(self, count: int) -> None:
            arrays.append(count)
            super().__init__(count)

    for share in (0, 10**9):  # never an array; an array whenever nothing narrows
        arrays.clear()
        with monkeypatch.context() as patch:
            patch.setattr(whoosh_engine, "DENSE_SHARE", share)
            patch.setattr(whoosh_engine, "DenseScores", Counted)
            answers.append(_engine(app, text, who))
            made.append(len(arrays))
            # Pages of two, each weighing only the posts that may reach it,
            # found from a sample of every second document's score.
            patch.setattr(whoosh_engine, "MIN_TAKE", 1)
            patch.setattr(whoosh_engine, "TAKE_FACTOR", 1)
            patch.setattr(whoosh_scores, "SAMPLE_STEP", 2)
            total, pages = answers[-1][0], []
            for offset in range(0, total, 2):
                pages += _engine(app, text, who, offset, 2)[1]
            assert pages == answers[-1][1], (text, share)
    assert made[0] == 0
    return answers, made[1]


def test_scores_in_arrays_rank_like_whoosh(app, forum_posts, monkeypatch):
    """A member's clauses scored into arrays of every document's score give
    what dicts of the matches and Whoosh's own scoring give."""
    texts = ["Tafel", "Hilfe Gifhorn", "Thema", "Fahrdienst Sommerfest", "Thema Tafel Hilfe"]
    with app.test_request_context():
        moderator = db.session.get(type(forum_posts), forum_posts.id)
        for text, who in [(text, who) for text in texts for who in (None, moderator)]:
            expected = _reference(app, text, who)
            (in_dicts, in_arrays), arrays = _engine_both_ways(app, text, who, monkeypatch)
            assert in_dicts == in_arrays == (len(expected), expected), text
            # Most posts here are readable to guests too: nothing narrows either.
            assert arrays > 0, text


def test_phrases_and_prefixes_after_scores_in_arrays(app, make, whoosh_only, monkeypatch):
    """A phrase checks only the documents a word before it matched, and a
    prefix's words score their best, in an array as in a dict."""
    category = make.category(read_level="members")
    member = make.user(role="member")
    make.topic(category=category, title="Übung", raw="Die Feuerwehr Gifhorn übt mit Gifhorn.")
    make.topic(category=category, title="Andersrum", raw="Gifhorn hat eine Feuerwehr.")
    make.topic(category=category, title="Jugend", raw="Jugendfeuerwehr und Jugendarbeit.")
    with app.test_request_context():
        from forum.users.models import User

        member = db.session.get(User, member.id)
        for text, total in [
            ('Gifhorn "Feuerwehr Gifhorn"', 1),
            ("Gifhorn Feuerwehr", 2),
            ("Jugend* Gifhorn", 0),
            ("Jugend*", 1),
            ("Feuerwehr", 3),  # "Jugendfeuerwehr" too: a compound's last part
            ("Gifhorn order:latest", 2),
            ("Gifhorn order:likes", 2),
            ("Gifhorn after:2020-01-01", 2),
            ("Gifhorn before:2020-01-01", 0),
        ]:
            (in_dicts, in_arrays), arrays = _engine_both_ways(app, text, member, monkeypatch)
            assert in_dicts == in_arrays, text
            assert in_dicts[0] == total, text
            assert arrays > 0, text


VOCABULARY = [*WORDS, "Feuerwehr", "Verein", "Tipp"]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    topics=st.lists(
        st.tuples(
            st.booleans(),  # readable to guests
            st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3),  # title
            st.lists(  # the posts' words
                st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=6),
                min_size=1,
                max_size=3,
            ),
        ),
        min_size=1,
        max_size=4,
    ),
    retitle=st.booleans(),
    queries=st.lists(
        st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=2, unique=True),
        min_size=1,
        max_size=3,
    ),
)
def test_random_posts_rank_like_whoosh_in_arrays_and_dicts(
    app, make, whoosh_only, monkeypatch, topics, retitle, queries
):
    """On random posts (added to those of the examples before, in several
    segments, with deleted documents when a title changes), both ways of
    scoring find what Whoosh's own scoring finds, for a guest and a member."""
    from forum.boards.models import Topic
    from forum.users.models import User

    categories = {
        readable: make.category(read_level="public" if readable else "members")
        for readable in (True, False)
    }
    member = make.user(role="member")
    # Something a guest may read: _reference's filter of no documents would filter nothing.
    make.topic(category=categories[True], title="Willkommen", raw="Hallo")
    made = []
    for readable, title, posts in topics:
        topic = make.topic(
            category=categories[readable], title=" ".join(title), raw=" ".join(posts[0])
        )
        for words in posts[1:]:
            make.post(topic, raw=" ".join(words))
        made.append(topic)
    if retitle:
        with app.app_context():
            db.session.get(Topic, made[0].id).title = "Anders " + VOCABULARY[len(made) % 8]
            db.session.commit()
    with app.test_request_context():
        member = db.session.get(User, member.id)
        for words in queries:
            text = " ".join(words)
            for who in (None, member):
                expected = _reference(app, text, who)
                (in_dicts, in_arrays), _arrays = _engine_both_ways(app, text, who, monkeypatch)
                assert in_dicts == in_arrays == (len(expected), expected), (text, who)
