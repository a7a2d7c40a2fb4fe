"""Fixtures for search: every test here runs once per backend.

The PostgreSQL backend needs a PostgreSQL test database
(FORUM_TEST_DATABASE_URL); on SQLite its runs are skipped, which is the one
backend-specific exception to "the same suite on both backends".
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from forum.extensions import db


@pytest.fixture(params=["whoosh", "postgres"])
def search_backend(request, database_url) -> str:
    if request.param == "postgres" and not database_url.startswith("postgresql"):
        pytest.skip("the postgres search backend needs a PostgreSQL test database")
    return request.param


@pytest.fixture
def app_config(app_config, search_backend, tmp_path):
    app_config["SEARCH_BACKEND"] = search_backend
    app_config["SEARCH_INDEX_DIR"] = str(tmp_path / "search-index")
    app_config["HOLD_FIRST_POSTS"] = 0
    return app_config


@pytest.fixture(autouse=True)
def _close_search(app):
    yield
    app.extensions["search"].close()
    with app.app_context():
        # Subcategories first: SQLite checks the RESTRICT self-reference row by row.
        from forum.boards.models import Category

        db.session.execute(sa.update(Category).values(parent_id=None))
        db.session.commit()


@pytest.fixture(autouse=True)
def _fast_passwords(monkeypatch):
    """Cheap password hashes: these tests create many accounts and test no logins."""
    from functools import partial

    from werkzeug.security import generate_password_hash

    monkeypatch.setattr(
        "forum.auth.accounts.generate_password_hash",
        partial(generate_password_hash, method="pbkdf2:sha256:1000"),
    )


@pytest.fixture(autouse=True)
def english(english):
    """Every test here reads English pages (tests/conftest.py sets the header)."""
    return english


@dataclass
class Found:
    total: int
    titles: list[str]
    excerpts: list[str]
    notices: list[str]


@pytest.fixture
def find(app) -> Callable[..., Found]:
    """Search as ``user`` (None: a guest) through the service; return titles in order."""
    from forum.search import services

    def _find(text: str, user=None, page: int = 1) -> Found:
        with app.test_request_context(headers={"Accept-Language": "en"}):
            if user is not None:
                from forum.users.models import User

                user = db.session.get(User, user.id)
            result = services.search(user, text, page=page)
            # Every result the index returned must survive the service's
            # safety check; a drop there means the index filter let it through.
            shown_before = (result.page - 1) * result.per_page
            assert len(result.results) == min(result.per_page, result.total - shown_before)
            return Found(
                total=result.total,
                titles=[r.topic.title for r in result.results],
                excerpts=[str(r.excerpt_html) for r in result.results],
                notices=[str(n) for n in result.notices],
            )

    return _find


@pytest.fixture
def query_error(app) -> Callable[..., str]:
    """Return the message of the QueryError a search raises."""
    from forum.search import QueryError, services

    def _error(text: str, user=None) -> str:
        with app.test_request_context(headers={"Accept-Language": "en"}):
            with pytest.raises(QueryError) as raised:
                services.search(user, text)
            return str(raised.value.message)

    return _error
