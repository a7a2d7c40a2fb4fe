"""Solved (accepted answers): the author of a question or a moderator marks
one reply as the solution; built only on the forum's plugin hooks.

Enable with ``PLUGINS = ["solved"]``, then ``flask --app forum db upgrade heads``.
Settings: ``SOLVED_CATEGORIES`` (category slugs where answers can be accepted).
Turning the plugin off hides its buttons, marks and filter words; the
accepted answers stay stored and come back when it is turned on again.
"""

from pathlib import Path

from flask import g
from flask_babel import gettext as _

from forum import hookimpl
from forum.plugins import Contribution, SearchFilter

from . import models, services
from .views import bp, footer_context, solution_context

__version__ = "1.0.0"
#: How much more the posts of a solved topic count in the search's ranking.
SOLVED_BOOST = 1.15
__all__ = ["models"]  # imported at load: the table joins the metadata (and test cleanup)


@hookimpl
def register_settings(app):
    # The demo's "Fragen & Antworten".
    return {"SOLVED_CATEGORIES": ["fragen-antworten"]}


@hookimpl
def register_blueprints(app):
    return [bp]


@hookimpl
def register_migrations(app):
    return str(Path(__file__).parent / "migrations")


@hookimpl
def permission_allowed(user, action, obj):
    if action == "solved.accept":
        return services.may_accept(user, obj)
    return None


@hookimpl
def register_search_filters():
    return [SearchFilter("status", services.status_condition)]


@hookimpl
def extra_search_results(topics, user):
    enabled = [topic.id for topic in topics if services.is_enabled(topic.category)]
    return {
        topic_id: Contribution(
            "solved/search_answer.html", {"post": post, "excerpt": services.excerpt(post)}
        )
        for topic_id, post in services.answers_among(enabled, user).items()
    }


@hookimpl
def extra_search_boosts(posts, session):
    # Posts of solved topics count a little more in search and similar topics.
    solved = services.solved_topic_ids(session, {topic_id for _post, topic_id, _n in posts})
    return {post_id: SOLVED_BOOST for post_id, topic_id, _n in posts if topic_id in solved}


@hookimpl
def prepare_topic_list(topics):
    ids = [topic.id for topic in topics if services.is_enabled(topic.category)]
    g.solved_topic_ids = services.solved_among(ids)


@hookimpl
def extra_outlet(outlet, user, topic, post):
    if topic is None or not services.is_enabled(topic.category):
        return None
    if outlet == "topic_list_item":
        if topic.id not in g.get("solved_topic_ids", ()):
            return None
        return Contribution("solved/list_mark.html", shared=True)
    if outlet == "below_first_post":
        solution = services.solution_of(topic)
        if solution is None:
            return None
        # The same for every reader of the topic: kept member pages may keep it.
        return Contribution("solved/solution.html", solution_context(topic, solution), shared=True)
    if outlet == "post_footer" and post is not None and post.post_number > 1:
        context = footer_context(user, post, services.solution_of(topic))
        # Depends on the reader only through may_accept (staff, or the topic's
        # author): what readers of a kept member page share (forum/kept_pages.py).
        return Contribution("solved/post_footer.html", context, shared=True) if context else None
    return None


@hookimpl
def describe_notification(kind, data):
    if kind == "solution_accepted":
        return _("Your answer in “%(title)s” was accepted as the solution.", title=data["title"])
    return None
