"""Pages of the "boards" blueprint for topics: the topic page, starting a
topic, replying and quoting, the live preview."""

from flask import (
    abort,
    after_this_request,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum import permissions, plugins
from forum.boards import queries, questions, services
from forum.boards.blueprint import bp
from forum.boards.composer import (
    compose,
    composer_outlet,
    plugin_fields,
    post_limit,
    preview_limit,
    refuse_silenced,
)
from forum.boards.forms import (
    ReplyForm,
    TopicForm,
)
from forum.boards.loaders import post_view, topic_view
from forum.boards.models import CategoryKind
from forum.boards.views_count import record_view
from forum.idempotency import idempotent
from forum.markdown import quote_markdown
from forum.moderation.models import ReviewItem
from forum.routing import MAX_ID, bounded_id
from forum.site.services import setting
from forum.uploads.limits import accepts_uploads
from forum.urls import category_url, topic_url


@bp.route("/new-topic", methods=["GET", "POST"])
@accepts_uploads
@login_required
@refuse_silenced
@post_limit
@idempotent
def new_topic():
    categories = [
        c
        for c in queries.readable_categories(current_user)
        if permissions.can_create_topic(current_user, c)
    ]
    if not categories:
        abort(403)
    form = TopicForm()
    form.category.choices = [(c.id, c.name) for c in categories]
    if request.method == "GET" and (wanted := request.args.get("category", type=bounded_id)):
        form.category.data = wanted
    if request.method == "GET" and (kept := questions.take_question()):
        # The question typed before joining (search results' "ask" offer).
        form.title.data = kept["title"]
        form.category.data = kept["category_id"]
        flash(
            _("Here is the question you typed before. Check it, add details, and post it."), "info"
        )
    chosen = next((c for c in categories if c.id == form.category.data), None)
    if request.method == "GET" and chosen is not None and not form.raw.data:
        # The category's template: the questions a good topic there answers.
        form.raw.data = chosen.topic_template

    def submit():
        result = services.submit_topic(
            current_user,
            chosen,
            form.title.data,
            form.raw.data,
            help_kind=form.help_kind.data or None,
            municipality=form.municipality.data or None,
            extra=plugin_fields(),
        )
        if isinstance(result, ReviewItem):
            flash(_("Thank you! Your topic will appear once a moderator has approved it."), "info")
            return redirect(category_url(chosen))
        return redirect(topic_url(result))

    checking = request.method == "POST" and form.similar.data
    similar = plugins.similar_topics(current_user, form.title.data or "") if checking else None
    return compose(
        form,
        submit,
        "boards/new_topic.html",
        stay=bool(checking),
        similar=similar,
        similar_marks=plugins.topic_list_outlets(similar, current_user) if similar else {},
        help_category_ids=[c.id for c in categories if c.kind == CategoryKind.HELP],
        # Each category's topic template, for forum.js to swap in when the category changes.
        topic_templates={c.id: c.topic_template for c in categories if c.topic_template},
        composer_outlet=composer_outlet(category=chosen),
    )


@bp.post("/preview")
@login_required
@preview_limit
def preview():
    """Return a draft's cooked HTML as JSON for the composer's live preview."""
    raw = request.form.get("raw", "")[: current_app.config["POST_MAX_LENGTH"]]
    return jsonify(cooked=services.cook_post(raw))


# --- Topic page -------------------------------------------------------------------------


@bp.get("/t/<int:topic_id>")
@topic_view()
def topic_without_slug(topic):
    """Send a link without the slug (as people paste them) to the canonical address."""
    query = f"?{request.query_string.decode()}" if request.query_string else ""
    return redirect(topic_url(topic) + query, 301)


@bp.get("/t/<slug>/<int:topic_id>")
@bp.get("/t/<slug>/<int:topic_id>/<int:post_number>")
def topic(slug: str, topic_id: int, post_number: int | None = None):
    # A member's page may come kept (forum/member_pages registers the server:
    # it is a layer above this package); it answers None for anything it does
    # not keep, and this view renders the page as ever.
    serve_kept = current_app.extensions.get(KEPT_TOPIC_PAGES)
    if serve_kept is not None and (kept := serve_kept(topic_id, slug, post_number)) is not None:
        return kept
    return _topic(topic_id=topic_id, slug=slug, post_number=post_number)


#: ``app.extensions`` key of the kept member pages' server (forum/member_pages).
KEPT_TOPIC_PAGES = "forum.kept_topic_pages"


@topic_view()
def _topic(topic, slug: str, post_number: int | None = None):
    per_page = setting("POSTS_PER_PAGE")
    if slug != topic.slug:
        query = f"?{request.query_string.decode()}" if request.query_string else ""
        return redirect(topic_url(topic, post_number) + query, 301)
    page = request.args.get("page", type=int)
    if post_number is None and page is None:
        first_unread = queries.first_unread_post_number(current_user, topic)
        if first_unread:
            return redirect(f"{topic_url(topic, first_unread)}#post_{first_unread}")
    if page is None:
        page = queries.page_of_post(post_number or 1, per_page)
    # The page the view shows (queries.topic_page keeps it in range). Recorded
    # before rendering: the header counts a conversation read to its end here no
    # more (forum/messages/views.py reads what ``record_visit`` notes).
    page = min(max(page, 1), queries.page_of_post(topic.highest_post_number, per_page))
    # The whole window counts as read, deleted or hidden posts in it included.
    record_visit(topic, min(page * per_page, topic.highest_post_number))
    html, _view = render_topic_page(topic, page, per_page)
    return html


def render_topic_page(topic, page: int, per_page: int):
    """Return the topic page's HTML for the current user and what it showed (``TopicPage``)."""
    # The account itself, not the proxy: the page asks about it for every post
    # (each use of the proxy looks the account up again).
    user = current_user._get_current_object()
    view = queries.topic_page(user, topic, page, per_page)
    # The reply form itself comes from forum/boards/reply_box.py (built only when not kept).
    can_reply = permissions.can_reply(user, topic)
    can_moderate = permissions.can_moderate_topic(user, topic)
    category = topic.category
    html = render_template(
        "boards/topic.html",
        view=view,
        topic=topic,
        category=category,
        can_reply=can_reply,
        can_set_help_status=permissions.can_set_help_status(user, topic),
        can_moderate=can_moderate,
        # The moderator panel's "move to" choices.
        move_categories=queries.readable_categories(user) if can_moderate else [],
        outlets={
            name: plugins.render_outlet(name, user=user, topic=topic, category=category)
            for name in ("topic_header", "below_first_post")
        },
        post_outlets={
            item.post.id: plugins.render_outlet(
                "post_footer", user=user, topic=topic, post=item.post
            )
            for item in view.posts
        },
    )
    return html, view


def view_page_last(topic) -> int:
    """Return the number of the topic's last page (where held replies are shown)."""
    return queries.page_of_post(topic.highest_post_number, setting("POSTS_PER_PAGE"))


def record_visit(topic, last_shown: int, moves: bool | None = None) -> None:
    """Count the view and the read position after the response has gone out
    (``moves``: whether the read position is written, when the caller knows)."""
    app = current_app._get_current_object()
    user_id = current_user.id if current_user.is_authenticated else None
    record_view(app, topic.id)
    # A member re-reading what they have read writes nothing (an upsert and a
    # commit saved on most visits); decided on the state the page already read.
    if moves is None:
        moves = bool(
            user_id and last_shown and services.visit_needs_write(user_id, topic, last_shown)
        )
    moves = bool(moves and user_id and last_shown)
    if (
        moves
        and permissions.is_private(topic)
        and services.reads_to_the_end(user_id, topic, last_shown)
    ):
        # The header counts conversations with unread posts while this page
        # renders, before the read position is written: not this one any more
        # (forum/messages/views.py).
        g.conversations_read_here = g.get("conversations_read_here", 0) + 1

    @after_this_request
    def write_later(response):
        def write():
            app.extensions["forum.views"].flush_if_due()
            if moves:
                with app.app_context():
                    services.record_read(user_id, topic.id, last_shown)

        response.call_on_close(write)
        return response


@bp.get("/p/<int:post_id>")
@post_view()
def post_link(post):
    return redirect(f"{topic_url(post.topic, post.post_number)}#post_{post.post_number}")


# --- Composer: reply ---------------------------------------------------------------------


def _shown(post):
    """Return the post if the reader may see its text, else None."""
    return post if post is not None and permissions.can_read_post(current_user, post) else None


@bp.route("/t/<int:topic_id>/reply", methods=["GET", "POST"])
@accepts_uploads
@login_required
@refuse_silenced
@post_limit
@topic_view(permissions.can_reply)
@idempotent
def reply(topic):
    form = ReplyForm()
    reply_to = None
    if request.method == "GET":
        number = request.args.get("to", type=bounded_id)
        target = queries.get_post_by_number(topic, number) if number else None
        if target is not None and not target.is_deleted:
            # A hidden post may be answered; its text stays out of the page.
            form.reply_to_post_number.data = target.post_number
            reply_to = _shown(target)
        if reply_to is not None and request.args.get("quote"):
            form.raw.data = quote_markdown(
                reply_to.raw, reply_to.user.username, topic_url(topic, reply_to.post_number)
            )
    elif form.reply_to_post_number.data and 1 <= form.reply_to_post_number.data <= MAX_ID:
        reply_to = _shown(queries.get_post_by_number(topic, form.reply_to_post_number.data))

    def submit():
        result = services.submit_post(
            current_user,
            topic,
            form.raw.data,
            reply_to_post_number=form.reply_to_post_number.data,
            extra=plugin_fields(),
        )
        if isinstance(result, ReviewItem):
            flash(_("Thank you! Your reply will appear once a moderator has approved it."), "info")
            return redirect(f"{topic_url(topic)}?page={view_page_last(topic)}#held_{result.id}")
        return redirect(f"{topic_url(topic, result.post_number)}#post_{result.post_number}")

    return compose(
        form,
        submit,
        "boards/reply.html",
        topic=topic,
        reply_to=reply_to,
        composer_outlet=composer_outlet(topic.category, topic),
    )
