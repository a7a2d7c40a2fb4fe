"""The search's answer to the ``similar_topics`` hook: topics like a title.

The new-topic composer asks (forum/boards) through the hook, as boards sit
below search in the layers. Registered by the app factory as a built-in
hook module; a plugin answering first replaces it.
"""

from typing import Any

from forum.hookspecs import hookimpl


@hookimpl
def similar_topics(user: Any, title: str, limit: int) -> list:
    from forum.search import services

    return services.similar_topics(user, title, limit)
