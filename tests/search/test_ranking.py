"""Ranking beyond the words: recent posts count a little more, on both backends
(solved topics: tests/plugins/test_solved_ranking.py). The relevance set
(test_relevance.py) checks that this never costs a query its topic."""

from datetime import timedelta

import sqlalchemy as sa

from forum.boards.models import Post
from forum.db import utcnow
from forum.extensions import db
from forum.search.backend import recency_factor


def test_recency_factor_counts_a_little():
    assert recency_factor(0) == 1.1
    assert 1.049 < recency_factor(90 * 86400) < 1.051  # half as much after 90 days
    assert 1.0 < recency_factor(3 * 365 * 86400) < 1.001
    assert recency_factor(-60) == 1.1  # a clock a little ahead


def _hits(app, text: str) -> dict[int, float]:
    from forum.search import services
    from forum.search.backend import Criteria, get_backend

    with app.test_request_context():
        criteria = Criteria(words=services._groups([text]), raw_words=[text])
        return {hit.topic_id: hit.score for hit in get_backend().search(criteria, 0, 10).hits}


def test_a_recent_topic_comes_before_an_old_one_that_matches_a_little_better(app, make):
    from forum.search import services

    author = make.user("autorin")
    category = make.category("Fragen", slug="fragen", read_level="public")
    # The old one's text is one word shorter: BM25 (Whoosh) scores it higher.
    old = make.topic(author, category, "Fahrer gesucht", "Die Tafel sucht Fahrer.")
    new = make.topic(author, category, "Fahrer gesucht", "Die Tafel sucht neue Fahrer.")
    with app.app_context():
        db.session.execute(
            sa.update(Post)
            .where(Post.topic_id == old.id)
            .values(created_at=utcnow() - timedelta(days=3 * 365))
        )
        db.session.commit()
        services.reindex(app)
    scores = _hits(app, "Tafel")
    assert scores[new.id] > scores[old.id]
    assert list(scores) == [new.id, old.id]


def test_a_title_match_still_beats_a_recent_text_match(app, make, find):
    from forum.search import services

    author = make.user("autorin")
    category = make.category("Fragen", slug="fragen", read_level="public")
    make.topic(author, category, "Tafel Gifhorn", "Öffnungszeiten am Dienstag.")
    make.topic(author, category, "Neu hier", "Ich helfe gern bei der Tafel in Gifhorn.")
    with app.app_context():
        title_topic = db.session.scalar(sa.select(Post.topic_id).order_by(Post.id).limit(1))
        db.session.execute(
            sa.update(Post)
            .where(Post.topic_id == title_topic)
            .values(created_at=utcnow() - timedelta(days=3 * 365))
        )
        db.session.commit()
        services.reindex(app)
    assert find("Tafel Gifhorn").titles == ["Tafel Gifhorn", "Neu hier"]
