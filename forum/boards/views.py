"""Pages of the forum: category and topic lists, topics, the composer."""

from flask import (
    Blueprint,
    abort,
    after_this_request,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.validators import InputRequired

from forum import permissions, plugins
from forum.boards import queries, services
from forum.boards.forms import (
    HELP_KIND_LABELS,
    HELP_STATUS_LABELS,
    MUNICIPALITY_LABELS,
    EditForm,
    HelpFilterForm,
    ReplyForm,
    TopicForm,
    title_length,
)
from forum.boards.models import CategoryKind, HelpKind, HelpStatus, Municipality
from forum.extensions import limiter
from forum.markdown import quote_markdown
from forum.moderation.models import ReviewItem
from forum.routing import MAX_ID, bounded_id
from forum.templating import category_url, topic_url
from forum.views_count import record_view

bp = Blueprint("boards", __name__)

_post_limit = limiter.limit(lambda: current_app.config["POST_RATE_LIMIT"], methods=["POST"])
# The live preview asks while someone types, so it gets a roomier bucket of its own.
_preview_limit = limiter.limit(
    lambda: current_app.config["PREVIEW_RATE_LIMIT"],
    methods=["POST"],
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
    if not permissions.is_member(current_user):
        # Guests and applicants get the open door: what this is and how to join.
        from forum.site.views import landing

        return landing(current_user)
    overviews = queries.categories_overview(current_user)
    return render_template("boards/index.html", overviews=overviews)


@bp.get("/latest")
def latest():
    topics = queries.list_topics(
        current_user, cursor=request.args.get("before"), limit=current_app.config["TOPICS_PER_PAGE"]
    )
    return render_template("boards/latest.html", topics=topics, item_outlets=_list_outlets(topics))


@bp.get("/unread")
@login_required
def unread():
    topics = queries.list_unread(current_user, limit=current_app.config["TOPICS_PER_PAGE"])
    return render_template("boards/unread.html", topics=topics, item_outlets=_list_outlets(topics))


def _list_outlets(topics: queries.TopicList) -> dict:
    """Return the plugins' contributions to each topic row of a list."""
    return plugins.topic_list_outlets(
        [row.topic for row in topics.pinned + topics.rows], current_user
    )


def _readable_category_or_404(category_id: int):
    category = queries.get_category(category_id)
    if category is None or not permissions.can_read_category(current_user, category):
        abort(404)
    return category


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


@bp.get("/c/<slug>/<int:category_id>")
def category(slug: str, category_id: int):
    category = _readable_category_or_404(category_id)
    if slug != category.slug:
        query = f"?{request.query_string.decode()}" if request.query_string else ""
        return redirect(category_url(category) + query, 301)
    filter_form = help_filter = None
    if category.kind == CategoryKind.HELP:
        filter_form = HelpFilterForm(request.args)
        filter_form.validate()
        help_filter = _help_filter(filter_form)
    topics = queries.list_topics(
        current_user,
        category=category,
        help_filter=help_filter,
        cursor=request.args.get("before"),
        limit=current_app.config["TOPICS_PER_PAGE"],
    )
    return render_template(
        "boards/category.html",
        category=category,
        topics=topics,
        filter_form=filter_form,
        filter_args={k: v for k, v in request.args.items() if k != "before" and v},
        can_create_topic=permissions.can_create_topic(current_user, category),
        item_outlets=_list_outlets(topics),
    )


# --- Composer: new topic ----------------------------------------------------------------


def _plugin_fields() -> dict[str, str]:
    """Return the composer's fields that plugins added (named ``plugin.*``)."""
    return {key: value for key, value in request.form.items() if key.startswith("plugin.")}


def _composer_outlet(category=None, topic=None, post=None):
    return plugins.render_outlet(
        "composer_fields", user=current_user, category=category, topic=topic, post=post
    )


def _render_preview(form) -> str | None:
    """Return cooked HTML when the preview button was pressed (works without JS)."""
    if form.preview.data and form.raw.data:
        from forum.cooking import cook

        return cook(form.raw.data)
    return None


@bp.route("/new-topic", methods=["GET", "POST"])
@login_required
@_post_limit
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
    chosen = next((c for c in categories if c.id == form.category.data), None)
    preview = _render_preview(form) if request.method == "POST" else None
    if request.method == "POST" and preview is None and form.validate():
        try:
            result = services.submit_topic(
                current_user,
                chosen,
                form.title.data,
                form.raw.data,
                help_kind=form.help_kind.data or None,
                municipality=form.municipality.data or None,
                extra=_plugin_fields(),
            )
        except services.BoardError as error:
            form.form_errors.append(error.message)
        else:
            if isinstance(result, ReviewItem):
                flash(
                    _("Thank you! Your topic will appear once a moderator has approved it."), "info"
                )
                return redirect(category_url(chosen))
            return redirect(topic_url(result))
    status = 400 if request.method == "POST" and preview is None else 200
    return (
        render_template(
            "boards/new_topic.html",
            form=form,
            preview=preview,
            help_category_ids=[c.id for c in categories if c.kind == CategoryKind.HELP],
            composer_outlet=_composer_outlet(category=chosen),
        ),
        status,
    )


@bp.post("/preview")
@login_required
@_preview_limit
def preview():
    """Return a draft's cooked HTML as JSON for the composer's live preview."""
    raw = request.form.get("raw", "")[: current_app.config["POST_MAX_LENGTH"]]
    return jsonify(cooked=services.cook_post(raw))


# --- Topic page -------------------------------------------------------------------------


def _readable_topic_or_404(topic_id: int):
    topic = queries.get_topic(topic_id)
    if topic is None or not permissions.can_read_topic(current_user, topic):
        abort(404)
    return topic


@bp.get("/t/<slug>/<int:topic_id>")
@bp.get("/t/<slug>/<int:topic_id>/<int:post_number>")
def topic(slug: str, topic_id: int, post_number: int | None = None):
    topic = _readable_topic_or_404(topic_id)
    per_page = current_app.config["POSTS_PER_PAGE"]
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
    view = queries.topic_page(current_user, topic, page, per_page)
    # The whole window counts as read, deleted or hidden posts in it included.
    _record_visit(topic, min(view.page * per_page, topic.highest_post_number))
    reply_form = ReplyForm() if permissions.can_reply(current_user, topic) else None
    can_moderate = permissions.can_moderate(current_user)
    return render_template(
        "boards/topic.html",
        view=view,
        topic=topic,
        category=topic.category,
        reply_form=reply_form,
        can_set_help_status=permissions.can_set_help_status(current_user, topic),
        can_moderate=can_moderate,
        # The moderator panel's "move to" choices.
        move_categories=queries.readable_categories(current_user) if can_moderate else [],
        outlets={
            name: plugins.render_outlet(
                name, user=current_user, topic=topic, category=topic.category
            )
            for name in ("topic_header", "below_first_post")
        },
        post_outlets={
            item.post.id: plugins.render_outlet(
                "post_footer", user=current_user, topic=topic, post=item.post
            )
            for item in view.posts
        },
    )


def view_page_last(topic) -> int:
    """Return the number of the topic's last page (where held replies are shown)."""
    return queries.page_of_post(topic.highest_post_number, current_app.config["POSTS_PER_PAGE"])


def _record_visit(topic, last_shown: int) -> None:
    """Count the view and the read position after the response has gone out."""
    app = current_app._get_current_object()
    user_id = current_user.id if current_user.is_authenticated else None
    record_view(app, topic.id)

    @after_this_request
    def write_later(response):
        def write():
            app.extensions["forum.views"].flush_if_due()
            if user_id and last_shown:
                with app.app_context():
                    services.record_read(user_id, topic.id, last_shown)

        response.call_on_close(write)
        return response


@bp.get("/p/<int:post_id>")
def post_link(post_id: int):
    post = _readable_post_or_404(post_id)
    return redirect(f"{topic_url(post.topic, post.post_number)}#post_{post.post_number}")


# --- Composer: reply ---------------------------------------------------------------------


@bp.route("/t/<int:topic_id>/reply", methods=["GET", "POST"])
@login_required
@_post_limit
def reply(topic_id: int):
    topic = _readable_topic_or_404(topic_id)
    if not permissions.can_reply(current_user, topic):
        abort(403)
    form = ReplyForm()
    reply_to = None
    if request.method == "GET":
        number = request.args.get("to", type=bounded_id)
        reply_to = queries.get_post_by_number(topic, number) if number else None
        if reply_to is not None and not reply_to.is_deleted:
            form.reply_to_post_number.data = reply_to.post_number
            if request.args.get("quote"):
                form.raw.data = quote_markdown(
                    reply_to.raw, reply_to.user.username, topic_url(topic, reply_to.post_number)
                )
        return render_template(
            "boards/reply.html", topic=topic, form=form, reply_to=reply_to,
            composer_outlet=_composer_outlet(topic.category, topic),
        )  # fmt: skip
    if form.reply_to_post_number.data and 1 <= form.reply_to_post_number.data <= MAX_ID:
        reply_to = queries.get_post_by_number(topic, form.reply_to_post_number.data)
    preview = _render_preview(form)
    if preview is None and form.validate():
        try:
            result = services.submit_post(
                current_user,
                topic,
                form.raw.data,
                reply_to_post_number=form.reply_to_post_number.data,
                extra=_plugin_fields(),
            )
        except services.BoardError as error:
            form.form_errors.append(error.message)
        else:
            if isinstance(result, ReviewItem):
                flash(
                    _("Thank you! Your reply will appear once a moderator has approved it."), "info"
                )
                return redirect(f"{topic_url(topic)}?page={view_page_last(topic)}#held_{result.id}")
            return redirect(f"{topic_url(topic, result.post_number)}#post_{result.post_number}")
    status = 200 if preview is not None else 400
    return (
        render_template(
            "boards/reply.html",
            topic=topic,
            form=form,
            reply_to=reply_to,
            preview=preview,
            composer_outlet=_composer_outlet(topic.category, topic),
        ),
        status,
    )


# --- Post actions ---------------------------------------------------------------------------


def _readable_post_or_404(post_id: int):
    post = queries.get_post(post_id)
    if post is None or not permissions.can_read_topic(current_user, post.topic):
        abort(404)
    if post.is_deleted and not permissions.can_see_deleted(current_user) and post.post_number != 1:
        abort(404)
    return post


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
@_post_limit
def edit_post(post_id: int):
    post = _readable_post_or_404(post_id)
    if not permissions.can_edit_post(current_user, post):
        abort(403)
    topic = post.topic
    is_first = post.post_number == 1
    is_help = is_first and topic.help_kind is not None
    form = EditForm(
        data={
            "raw": post.raw,
            "title": topic.title if is_first else None,
            "help_kind": topic.help_kind.value if is_help else "",
            "municipality": topic.municipality.value if is_help else "",
        }
        if request.method == "GET"
        else None
    )
    preview = _render_preview(form) if request.method == "POST" else None
    if request.method == "POST" and preview is None:
        title_rules = {"title": [InputRequired(), title_length]} if is_first else {}
        if form.validate(extra_validators=title_rules):
            try:
                services.edit_post(
                    current_user,
                    post,
                    form.raw.data,
                    title=form.title.data if is_first else None,
                    reason=form.reason.data or "",
                    help_kind=form.help_kind.data or None,
                    municipality=form.municipality.data or None,
                    extra=_plugin_fields(),
                )
            except services.BoardError as error:
                form.form_errors.append(error.message)
            else:
                flash(_("Your changes were saved."), "success")
                return redirect(f"{topic_url(topic, post.post_number)}#post_{post.post_number}")
    status = 400 if request.method == "POST" and preview is None else 200
    return (
        render_template(
            "boards/edit.html",
            post=post,
            topic=topic,
            form=form,
            preview=preview,
            is_first=is_first,
            is_help=is_help,
            composer_outlet=_composer_outlet(topic.category, topic, post),
        ),
        status,
    )


@bp.get("/p/<int:post_id>/revisions")
def revisions(post_id: int):
    post = _readable_post_or_404(post_id)
    return render_template(
        "boards/revisions.html", post=post, topic=post.topic, revisions=queries.post_revisions(post)
    )


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _back_to(post):
    return redirect(f"{topic_url(post.topic, post.post_number)}#post_{post.post_number}")


@bp.post("/p/<int:post_id>/delete")
@login_required
def delete_post(post_id: int):
    post = _readable_post_or_404(post_id)
    try:
        services.delete_post(current_user, post)
    except services.NotAllowed:
        abort(403)
    flash(
        _("The topic was deleted.") if post.post_number == 1 else _("The post was deleted."),
        "success",
    )
    if post.post_number == 1 and not permissions.can_see_deleted(current_user):
        return redirect(category_url(post.topic.category))
    return _back_to(post)


@bp.post("/p/<int:post_id>/restore")
@login_required
def restore_post(post_id: int):
    post = _readable_post_or_404(post_id)
    try:
        services.restore_post(current_user, post)
    except services.NotAllowed:
        abort(403)
    flash(_("The post was restored."), "success")
    return _back_to(post)


@bp.post("/p/<int:post_id>/like")
@login_required
def like(post_id: int):
    post = _readable_post_or_404(post_id)
    try:
        liked = services.toggle_like(current_user, post)
    except services.NotAllowed:
        abort(403)
    if _wants_json():
        return jsonify(liked=liked, like_count=queries.get_post(post_id).like_count)
    return _back_to(post)


@bp.post("/p/<int:post_id>/bookmark")
@login_required
def bookmark(post_id: int):
    post = _readable_post_or_404(post_id)
    try:
        bookmarked = services.toggle_bookmark(current_user, post)
    except services.NotAllowed:
        abort(403)
    if _wants_json():
        return jsonify(bookmarked=bookmarked)
    flash(_("Bookmark added.") if bookmarked else _("Bookmark removed."), "success")
    return _back_to(post)


@bp.post("/t/<int:topic_id>/help-status")
@login_required
def help_status(topic_id: int):
    topic = _readable_topic_or_404(topic_id)
    try:
        services.set_help_status(current_user, topic, request.form.get("status", ""))
    except ValueError:
        abort(400)
    except services.NotAllowed:
        abort(403)
    flash(_("The status was changed."), "success")
    return redirect(topic_url(topic))
