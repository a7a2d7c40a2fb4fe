"""Topics like a title: the search's answer to the ``similar_topics`` hook.

The new-topic composer asks (forum/boards) through the hook, as boards sit
below search in the layers. Registered by the app factory as a built-in
hook module; a plugin answering first replaces it.
"""

from typing import Any

from flask import current_app

from forum.boards.models import Topic
from forum.hookspecs import hookimpl
from forum.search.backend import Criteria, get_backend
from forum.search.documents import excluded_flags, readable_levels
from forum.search.results import result_posts, results_of
from forum.search.services import _CONTROL, _groups, _meaningful


@hookimpl
def similar_topics(user: Any, title: str, limit: int) -> list:
    return find_similar(user, title, limit)


def find_similar(user: Any, title: str, limit: int = 5) -> list[Topic]:
    """Return up to ``limit`` topics ``user`` may read whose first post or title
    holds words of ``title``, the most alike first (the composer's check)."""
    text = _CONTROL.sub(" ", title or "")[: current_app.config["SEARCH_MAX_QUERY_LENGTH"]]
    words = [word for word in text.split() if _meaningful(word)][:12]
    groups = _groups(words)
    if not groups:
        return []
    criteria = Criteria(
        words=groups,
        raw_words=words,
        any_word=True,
        in_first=True,
        levels=readable_levels(user),
        excluded_flags=excluded_flags(user),
    )
    hits = get_backend().search(criteria, 0, limit, result_posts(user))
    return [result.topic for result in results_of(user, hits, set())]
