"""Pages of the forum (the "boards" blueprint, blueprint.py): the landing page,
category and topic lists; topics and the composer are in topic_views.py, post
actions in post_views.py."""

from flask import (
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from forum import permissions, plugins
from forum.boards import queries, questions
from forum.boards.blueprint import bp
from forum.boards.forms import (
    HELP_KIND_LABELS,
    HELP_STATUS_LABELS,
    MUNICIPALITY_LABELS,
    MUNICIPALITY_SHORT_LABELS,
    HelpFilterForm,
)
from forum.boards.help_map import MAP_HEIGHT, MAP_WIDTH, TILE_HEIGHT, TILE_WIDTH, help_tiles
from forum.boards.models import CategoryKind, HelpKind, HelpStatus, Municipality
from forum.site.services import page_text, setting
from forum.urls import category_url

#: The landing page's line under the name when SITE_DESCRIPTION is empty.
DEFAULT_DESCRIPTION = _l(
    "The forum for volunteers, clubs and neighbourhood help in the district of Gifhorn"
)


@bp.app_context_processor
def labels():
    return {
        "help_kind_labels": HELP_KIND_LABELS,
        "help_status_labels": HELP_STATUS_LABELS,
        "municipality_labels": MUNICIPALITY_LABELS,
    }


@bp.get("/assets/categories.css")
def category_colors():
    """Serve category colours as classes: the CSP forbids inline styles."""
    colors = queries.category_colors()
    css = "".join(
        f".swatch-{c}{{background:#{c}}}.color-{c}{{border-top-color:#{c}}}" for c in colors
    )
    response = current_app.response_class(css, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# --- Lists ---------------------------------------------------------------------------


@bp.get("/")
def index():
    # The account itself, not the proxy (each use of it looks the account up again).
    user = current_user._get_current_object()
    if not permissions.is_member(user):
        # Guests and applicants get the open door: what this is and how to join
        # (membership's context processor says where the join button leads).
        return render_template(
            "boards/landing.html",
            about=page_text("about"),
            overviews=queries.categories_overview(user),
            description=setting("SITE_DESCRIPTION") or DEFAULT_DESCRIPTION,
        )
    if questions.has_question() and permissions.can_write(user):
        # Back after joining with a question typed before: ask it now.
        return redirect(url_for("boards.new_topic"))
    overviews = queries.categories_overview(user)
    return render_template("boards/index.html", overviews=overviews)


#: ``app.extensions`` key of the kept member lists' server (forum/member_pages: a
#: layer above this package); it answers None for anything it does not keep.
KEPT_LATEST = "forum.kept_latest"


@bp.get("/latest")
def latest():
    serve_kept = current_app.extensions.get(KEPT_LATEST)
    if serve_kept is not None and (kept := serve_kept(_render_latest)) is not None:
        return kept
    return _render_latest()


def _render_latest() -> str:
    # The account itself, not the proxy: the list asks about it for every row.
    user = current_user._get_current_object()
    topics = queries.list_topics(
        user, cursor=request.args.get("before"), limit=setting("TOPICS_PER_PAGE"), people=False
    )
    return render_template(
        "boards/latest.html", topics=topics, item_outlets=_list_outlets(topics, user)
    )


@bp.get("/unread")
@login_required
def unread():
    topics = queries.list_unread(current_user, limit=setting("TOPICS_PER_PAGE"), people=False)
    return render_template(
        "boards/unread.html", topics=topics, item_outlets=_list_outlets(topics, current_user)
    )


def _list_outlets(topics: queries.TopicList, user) -> dict:
    """Return the plugins' contributions to each topic row of a list."""
    return plugins.topic_list_outlets([row.topic for row in topics.pinned + topics.rows], user)


def _help_filter(form: HelpFilterForm) -> queries.HelpFilter:
    def pick(enum, value):
        try:
            return enum(value) if value else None
        except ValueError:
            return None

    return queries.HelpFilter(
        kind=pick(HelpKind, form.kind.data),
        municipality=pick(Municipality, form.municipality.data),
        status=pick(HelpStatus, form.status.data),
    )


#: ``app.extensions`` key of the kept member category pages' server (forum/member_pages).
KEPT_CATEGORY = "forum.kept_category"


@bp.get("/c/<slug>/<int:category_id>")
def category(slug: str, category_id: int):
    serve_kept = current_app.extensions.get(KEPT_CATEGORY)
    if serve_kept is not None:

        def render():
            return _category(slug, category_id)

        if (kept := serve_kept(render, slug, category_id)) is not None:
            return kept
    return _category(slug, category_id)


def _category(slug: str, category_id: int):
    # The account itself, not the proxy: the list asks about it for every row.
    user = current_user._get_current_object()
    category, subcategory_ids = queries.get_category_with_subcategory_ids(category_id)
    if category is None or not permissions.can_read_category(user, category):
        abort(404)
    if slug != category.slug:
        query = f"?{request.query_string.decode()}" if request.query_string else ""
        return redirect(category_url(category) + query, 301)
    filter_form = help_filter = help_map = None
    if category.kind == CategoryKind.HELP:
        filter_form = HelpFilterForm(request.args)
        filter_form.validate()
        help_filter = _help_filter(filter_form)
        help_map = {
            "tiles": help_tiles(user, category, help_filter.municipality),
            "width": MAP_WIDTH,
            "height": MAP_HEIGHT,
            "tile_width": TILE_WIDTH,
            "tile_height": TILE_HEIGHT,
            "short_labels": MUNICIPALITY_SHORT_LABELS,
        }
    topics = queries.list_topics(
        user,
        category=category,
        help_filter=help_filter,
        cursor=request.args.get("before"),
        limit=setting("TOPICS_PER_PAGE"),
        sort=category.default_sort,
        subcategory_ids=subcategory_ids,
        people=False,
    )
    return render_template(
        "boards/category.html",
        category=category,
        topics=topics,
        filter_form=filter_form,
        help_map=help_map,
        filter_args={k: v for k, v in request.args.items() if k != "before" and v},
        can_create_topic=permissions.can_create_topic(user, category),
        item_outlets=_list_outlets(topics, user),
    )
