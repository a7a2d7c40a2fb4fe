"""The search page: /search?q=..., with advanced options and pages of results."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from forum.boards.queries import readable_categories
from forum.search import misses, services
from forum.search.forms import AdvancedSearchForm
from forum.search.memory import release_free_memory
from forum.search.query import QueryError

bp = Blueprint("search", __name__)


@bp.after_request
def _release_memory(response):
    # A search frees large dictionaries; give the memory back (forum/search/memory.py).
    release_free_memory()
    return response


@bp.get("/search")
def search():
    form = AdvancedSearchForm(request.args)
    form.category.choices = [("", _l("All categories"))] + [
        (category.slug, category.name) for category in readable_categories(current_user)
    ]
    if "advanced" in request.args and form.validate():
        return redirect(url_for("search.search", q=form.query_text()))
    text = request.args.get("q")
    page = request.args.get("page", 1, type=int) or 1
    result, error = None, None
    if text is not None:
        try:
            result = services.search(current_user, text, page=page)
            if result.total == 0:
                misses.log_miss(result.query)
        except QueryError as problem:
            error = problem.message
    return render_template(
        "search/search.html", query=text or "", result=result, error=error, form=form
    )
