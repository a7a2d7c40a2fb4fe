"""Discourse-shaped JSON writes: new topics and replies, edits, deletions, likes
and flags, and staff's topic status.

Every write goes through the services the web pages use (the same forms for
validation, watched words, holding for review, rate limits, plugin hooks);
a held post answers like Discourse's queued result.
"""

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from forum import permissions
from forum.api import queries, serializers
from forum.api.responses import ApiError, forbidden, invalid, not_found, payload
from forum.api.views import bp
from forum.boards import queries as board_queries
from forum.boards import services
from forum.boards.composer import post_limit
from forum.boards.forms import EditForm, ReplyForm, TopicForm
from forum.errors import BoardError, NotAllowed
from forum.moderation import actions
from forum.moderation import services as moderation
from forum.moderation.models import ReviewItem
from forum.routing import MAX_ID

#: Discourse's post_action_type_id values the forum has: like and the flags.
FLAG_TYPES = {3: "off_topic", 4: "inappropriate", 8: "spam", 7: "other"}


def _not_logged_in() -> ApiError:
    return ApiError(403, _("You need to be logged in to do that."), "not_logged_in")


def _require_login() -> None:
    if not current_user.is_authenticated:
        raise _not_logged_in()


def _id(data: MultiDict, name: str) -> int | None:
    value = data.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or not 0 < int(value) <= MAX_ID:
        raise invalid(_("Ids are whole numbers."))
    return int(value)


def _form_errors(form) -> ApiError:
    messages = [str(m) for errors in form.errors.values() for m in errors]
    return invalid(" ".join(messages) or _("The request could not be understood."))


def _published(result, data: MultiDict):
    """The answer to a new post: the post, or Discourse's queued result."""
    if isinstance(result, ReviewItem):
        return jsonify(
            success=True,
            action="enqueued",
            pending_post={"id": result.id, "raw": data.get("raw", "")},
            pending_count=1,
        )
    post = result if hasattr(result, "post_number") else board_queries.get_post_by_number(result, 1)
    return jsonify(serializers.full_post(post, current_user))


def _new_topic(data: MultiDict):
    category_id = _id(data, "category")
    category = board_queries.get_category(category_id) if category_id else None
    if category is None or not permissions.can_read_category(current_user, category):
        raise invalid(_("Please choose a category."))
    form = TopicForm(formdata=data, meta={"csrf": False})
    form.category.choices = [(category.id, category.name)]
    if not form.validate():
        raise _form_errors(form)
    result = services.submit_topic(current_user, category, form.title.data, form.raw.data)
    return _published(result, data)


def _reply(data: MultiDict, topic_id: int):
    topic = board_queries.get_topic(topic_id)
    if topic is None or not permissions.can_read_topic(current_user, topic):
        raise not_found()
    form = ReplyForm(formdata=data, meta={"csrf": False})
    if not form.validate():
        raise _form_errors(form)
    result = services.submit_post(
        current_user,
        topic,
        form.raw.data,
        reply_to_post_number=form.reply_to_post_number.data,
    )
    return _published(result, data)


@bp.post("/posts.json")
@bp.post("/posts")
@post_limit
def create_post():
    """A new topic (title, raw, category) or a reply (topic_id, raw, reply_to_post_number)."""
    _require_login()
    data = payload()
    topic_id = _id(data, "topic_id")
    try:
        return _reply(data, topic_id) if topic_id else _new_topic(data)
    except NotAllowed as error:
        raise ApiError(403, error.message, "invalid_access") from None
    except BoardError as error:
        raise invalid(error.message) from None


def _post_or_404(post_id: int):
    post = board_queries.get_post(post_id)
    if post is None or not permissions.can_read_post(current_user, post):
        raise not_found()
    return post


@bp.put("/posts/<int:post_id>.json")
@bp.put("/posts/<int:post_id>")
def update_post(post_id: int):
    _require_login()
    post = _post_or_404(post_id)
    data = payload()
    raw = data.get("post[raw]", data.get("raw", ""))
    form = EditForm(
        formdata=MultiDict(
            {"raw": raw, "reason": data.get("post[edit_reason]", data.get("edit_reason", ""))}
        ),
        meta={"csrf": False},
    )
    if not form.validate():
        raise _form_errors(form)
    try:
        services.edit_post(current_user, post, form.raw.data, reason=form.reason.data or "")
    except NotAllowed:
        raise forbidden() from None
    except BoardError as error:
        raise invalid(error.message) from None
    return jsonify(post=serializers.full_post(post, current_user))


@bp.delete("/posts/<int:post_id>.json")
@bp.delete("/posts/<int:post_id>")
def delete_post(post_id: int):
    _require_login()
    post = _post_or_404(post_id)
    try:
        services.delete_post(current_user, post)
    except NotAllowed:
        raise forbidden() from None
    return jsonify(success="OK")


@bp.post("/post_actions.json")
@bp.post("/post_actions")
@post_limit
def post_action():
    """Like a post (post_action_type_id 2) or flag it (3, 4, 7 with a message, 8)."""
    _require_login()
    data = payload()
    post = _post_or_404(_id(data, "id") or 0)
    kind = _id(data, "post_action_type_id")
    try:
        if kind == serializers.LIKE:
            if queries.has_liked(current_user, post):
                raise ApiError(403, _("You have already liked this post."), "invalid_access")
            services.toggle_like(current_user, post)
        elif kind in FLAG_TYPES:
            moderation.flag_post(current_user, post, FLAG_TYPES[kind], data.get("message", ""))
        else:
            raise invalid(_("Unknown post action."))
    except NotAllowed:
        raise forbidden() from None
    except BoardError as error:
        raise ApiError(403, error.message, "invalid_access") from None
    return jsonify(
        serializers.full_post(post, current_user, liked=queries.has_liked(current_user, post))
    )


@bp.put("/t/<int:topic_id>/status.json")
@bp.put("/t/<int:topic_id>/status")
def topic_status(topic_id: int):
    """Staff close, pin and unlist topics (status, enabled, as Discourse)."""
    _require_login()
    topic = board_queries.get_topic(topic_id)
    if topic is None or not permissions.can_read_topic(current_user, topic):
        raise not_found()
    if not permissions.can_moderate(current_user):
        raise forbidden()
    data = payload()
    status, enabled = data.get("status", ""), data.get("enabled", "") == "true"
    try:
        if status == "closed":
            actions.set_closed(current_user, topic, enabled)
        elif status in ("pinned", "pinned_globally"):
            actions.set_pinned(current_user, topic, enabled, globally=status == "pinned_globally")
        elif status == "visible":
            actions.set_unlisted(current_user, topic, not enabled)
        else:
            raise invalid(_("Unknown status."))
    except NotAllowed:
        raise forbidden() from None
    except BoardError as error:
        raise invalid(error.message) from None
    return jsonify(success="OK", topic_status_update=None)
