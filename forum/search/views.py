"""The search page: /search?q=..., with advanced options and pages of results."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from forum import permissions, plugins
from forum.boards import questions
from forum.boards.queries import readable_categories
from forum.extensions import limiter
from forum.organisations import search as organisation_search
from forum.search import misses, services
from forum.search.forms import AdvancedSearchForm, AskForm
from forum.search.memory import release_free_memory
from forum.search.query import QueryError
from forum.urls import topic_url

bp = Blueprint("search", __name__)


@bp.after_request
def _release_memory(response):
    # A search frees large dictionaries; give the memory back (forum/search/memory.py).
    release_free_memory()
    return response


@bp.get("/search")
def search():
    form = AdvancedSearchForm(request.args)
    readable = readable_categories(current_user)
    form.category.choices = [("", _l("All categories"))] + [
        (category.slug, category.name) for category in readable
    ]
    if "advanced" in request.args and form.validate():
        return redirect(url_for("search.search", q=form.query_text()))
    text = request.args.get("q")
    page = request.args.get("page", 1, type=int) or 1
    result, error, organisations = None, None, []
    # Organisations matching the words: a block above the topics (first page),
    # or alone with the filter word org: or #organisationen.
    wanted = organisation_search.parse(text or "")
    if text is not None and (page == 1 or wanted.only):
        organisations = organisation_search.matching(current_user, wanted)
    if text is not None and not wanted.only:
        try:
            result = services.search(current_user, text, page=page)
            if result.total == 0 and not organisations:
                misses.log_miss(result.query)
        except QueryError as problem:
            error = problem.message
    # A question typed as a sentence rarely holds all its words in one topic:
    # then the topics holding some of them (the composer's similar topics).
    related = plugins.similar_topics(current_user, text) if result and not result.total else []
    # Nothing fits? Ask in the public questions category (after joining).
    ask_in = questions.ask_offer(current_user, readable) if result is not None else None
    ask_form = AskForm(formdata=None, title=text) if ask_in is not None else None
    return render_template(
        "search/search.html",
        query=text or "",
        result=result,
        organisations=organisations,
        organisations_only=wanted.only,
        error=error,
        form=form,
        related=related,
        related_marks=plugins.topic_list_outlets(related, current_user) if related else {},
        ask_in=ask_in,
        ask_form=ask_form,
        is_member=permissions.is_member(current_user),
    )


@bp.post("/search/ask")
def ask():
    """Keep the question and lead its writer to where it can be asked: the
    composer (members), joining (applicants) or registering (guests)."""
    category = questions.ask_offer(current_user)
    form = AskForm()
    if category is None:
        abort(404)
    if not form.validate():
        flash(_("Please enter your question."), "error")
        return redirect(url_for("search.search"))
    questions.keep_question(form.title.data, category)
    if permissions.is_member(current_user):
        return redirect(url_for("boards.new_topic"))
    flash(
        _(
            "Your question is kept. Once you are a member, it waits for you in "
            "“%(category)s”, ready to post.",
            category=category.name,
        ),
        "info",
    )
    if current_user.is_authenticated:
        return redirect(url_for("membership.join"))
    return redirect(url_for("auth.register"))


@bp.get("/similar.json")
@limiter.limit(lambda: current_app.config["SIMILAR_TOPICS_RATE_LIMIT"])
def similar_topics():
    """Up to five topics like ``?title=`` that the reader may find, as the
    composer's "check for similar topics" step shows them (forum/static/js/similar.js
    asks while a title is typed). The same permissions as the search."""
    title = request.args.get("title", "")[: current_app.config["TOPIC_TITLE_MAX_LENGTH"]]
    topics = plugins.similar_topics(current_user, title)
    marks = plugins.topic_list_outlets(topics, current_user) if topics else {}
    return jsonify(
        topics=[
            {
                "id": topic.id,
                "title": topic.title,
                "url": topic_url(topic),
                "category": topic.category.name,
                # The plugins' list marks as text ("✓ Solved").
                "marks": " ".join(marks[topic.id].striptags().split()) if topic.id in marks else "",
            }
            for topic in topics
        ]
    )
