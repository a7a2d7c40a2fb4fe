"""A question typed before joining, kept until its writer may ask it.

A guest or applicant searches from the landing page; when no answer fits,
search results offer to ask in the public questions category
(``QUESTIONS_CATEGORY``, "Fragen & Antworten"). The question is kept on the
server (forum/kept.py; the session holds only its key) for as long as a
permanent session lasts (``PERMANENT_SESSION_LIFETIME``, 31 days by default),
so it outlasts closing the browser while the application waits, and taken
out by the new-topic composer, which shows it in that category: right away
for a member, after registration, joining and approval for everyone else.
"""

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import current_app

from forum import kept, permissions
from forum.boards.models import Category
from forum.extensions import db

#: What the question is kept under (forum/kept.py): {"title", "category_id"}.
KIND = "question"


def questions_category() -> Category | None:
    """Return the public questions category (``QUESTIONS_CATEGORY``), if there is one."""
    slug = current_app.config["QUESTIONS_CATEGORY"]
    if not slug:
        return None
    return db.session.scalar(sa.select(Category).where(Category.slug == slug))


def ask_offer(user: Any, readable: Iterable[Category] | None = None) -> Category | None:
    """Return the category search results offer to ask in, when ``user`` may be offered it.

    ``readable``: the categories ``user`` may read, when the caller has them
    already (the search page's form): the offer is only ever a public category,
    which every reader may read, so it is among them and needs no statement.
    """
    if readable is None:
        category = questions_category()
    else:
        slug = current_app.config["QUESTIONS_CATEGORY"]
        category = next((c for c in readable if slug and c.slug == slug), None)
    if category is None or not permissions.can_ask_in(user, category):
        return None
    return category


def keep_question(title: str, category: Category) -> None:
    """Keep ``title`` for the composer of ``category`` (replacing an earlier one)."""
    limit = current_app.config["TOPIC_TITLE_MAX_LENGTH"]
    kept.keep(KIND, {"title": " ".join(title.split())[:limit], "category_id": category.id})


def has_question() -> bool:
    return kept.has(KIND)


def take_question() -> dict | None:
    """Return the kept question ({"title", "category_id"}) and forget it."""
    question = kept.take(KIND)
    if question is None or not isinstance(question.get("title"), str):
        return None
    return question
