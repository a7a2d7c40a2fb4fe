"""Discourse-shaped JSON reads: topic lists, categories, topics, posts, users.

They answer what the HTML pages answer, through the same queries and the
same permission decisions; what a viewer may not read is a 404 here too.
The blueprint is shared by the API's other modules (writes, notifications,
feeds); importing them adds their routes.
"""

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user

from forum import permissions
from forum.api import auth, queries, responses, serializers
from forum.auth import accounts
from forum.boards import queries as board_queries
from forum.extensions import csrf
from forum.routing import MAX_ID
from forum.site.services import setting

bp = Blueprint("api", __name__)
# API keys instead of CSRF tokens, or a session with its token: forum/api/auth.py.
csrf.exempt(bp)
bp.before_request(auth.authenticate_request)
responses.register(bp)

#: Posts per "page" of a topic's stream, as in Discourse.
CHUNK = 20


def _bounded(value: int | None, default: int, low: int, high: int) -> int:
    return default if value is None else min(max(value, low), high)


def _users(topics) -> list[dict]:
    people = {t.user.id: t.user for t in topics}
    return [serializers.user(u, current_user) for u in people.values()]


def _cursor_list(topics: board_queries.TopicList, more_url: str):
    rows = [row.topic for row in topics.pinned + topics.rows]
    more = f"{more_url}?before={topics.next_cursor}" if topics.next_cursor else None
    return jsonify(
        users=_users(rows),
        topic_list={
            "topics": [serializers.topic(t, current_user) for t in rows],
            "more_topics_url": more,
        },
    )


def _topic_list(more_path: str, category=None):
    """A page of topics by Discourse's order, ascending, page and per_page;
    ``before`` (a cursor) pages the way the HTML list does."""
    if "before" in request.args:
        topics = board_queries.list_topics(
            current_user,
            category=category,
            cursor=request.args.get("before"),
            limit=setting("TOPICS_PER_PAGE"),
        )
        return _cursor_list(topics, more_path)
    page = _bounded(request.args.get("page", type=int), 0, 0, 10_000)
    per_page = _bounded(
        request.args.get("per_page", type=int), setting("TOPICS_PER_PAGE"), 1, queries.MAX_PER_PAGE
    )
    order = request.args.get("order", "default")
    ascending = request.args.get("ascending", "false").lower() == "true"
    rows, more = queries.topic_page(
        current_user,
        order=order,
        ascending=ascending,
        page=page,
        per_page=per_page,
        category=category,
    )
    next_url = f"{more_path}?page={page + 1}" if more else None
    return jsonify(
        users=_users(rows),
        topic_list={
            "can_create_topic": permissions.can_write(current_user),
            "per_page": per_page,
            "topics": [serializers.topic(t, current_user) for t in rows],
            "more_topics_url": next_url,
        },
    )


@bp.get("/latest.json")
def latest():
    return _topic_list("/latest.json")


def _readable_category(category_id: int):
    category = board_queries.get_category(category_id)
    if category is None or not permissions.can_read_category(current_user, category):
        raise responses.not_found()
    return category


@bp.get("/categories.json")
def categories():
    rows = board_queries.readable_categories(current_user, archived=False)
    data = [serializers.category(c, current_user) for c in rows]
    children: dict[int, list[int]] = {}
    for item in data:
        if item["parent_category_id"]:
            children.setdefault(item["parent_category_id"], []).append(item["id"])
    for item in data:
        item["subcategory_ids"] = children.get(item["id"], [])
        item["has_children"] = bool(item["subcategory_ids"])
    return jsonify(
        category_list={
            "can_create_category": permissions.can_administrate(current_user),
            "can_create_topic": permissions.can_write(current_user),
            "categories": data,
        }
    )


@bp.get("/c/<slug>/<int:category_id>.json")
def category(slug: str, category_id: int):
    found = _readable_category(category_id)
    return _topic_list(f"/c/{found.slug}/{found.id}.json", found)


@bp.get("/c/<int:category_id>.json")
def category_by_id(category_id: int):
    found = _readable_category(category_id)
    return _topic_list(f"/c/{found.id}.json", found)


@bp.get("/c/<int:category_id>/show.json")
def category_show(category_id: int):
    found = _readable_category(category_id)
    return jsonify(category=serializers.category(found, current_user))


def _readable_topic(topic_id: int):
    topic = board_queries.get_topic(topic_id)
    if topic is None or not permissions.can_read_topic(current_user, topic):
        raise responses.not_found()
    return topic


def _topic_json(topic) -> Response:
    stream = queries.post_stream(current_user, topic)
    pages = max(1, -(-len(stream) // CHUNK))
    page = _bounded(request.args.get("page", type=int), 1, 1, pages)
    window = stream[(page - 1) * CHUNK : page * CHUNK]
    posts = queries.posts_by_ids(current_user, topic, window)
    data = serializers.topic(topic, current_user)
    data["post_stream"] = {
        "posts": [serializers.full_post(p, current_user) for p in posts],
        "stream": stream,
    }
    data["details"] = {
        "created_by": serializers.user(topic.user, current_user),
        "can_create_post": permissions.can_reply(current_user, topic),
        "can_reply_as_new_topic": False,
        "can_edit": permissions.is_staff(current_user),
    }
    data["category_id"] = topic.category_id
    data["chunk_size"] = CHUNK
    data["page"] = page
    return jsonify(data)


@bp.get("/t/<int:topic_id>.json")
def topic(topic_id: int):
    return _topic_json(_readable_topic(topic_id))


@bp.get("/t/<slug>/<int:topic_id>.json")
def topic_by_slug(slug: str, topic_id: int):
    return _topic_json(_readable_topic(topic_id))


@bp.get("/t/<int:topic_id>/posts.json")
def topic_posts(topic_id: int):
    found = _readable_topic(topic_id)
    ids = [
        int(value)
        for value in request.args.getlist("post_ids[]")
        if value.isdigit() and 0 < int(value) <= MAX_ID
    ]
    posts = queries.posts_by_ids(current_user, found, ids)
    return jsonify(
        id=found.id,
        post_stream={"posts": [serializers.full_post(p, current_user) for p in posts]},
    )


@bp.get("/posts/<int:post_id>.json")
def post(post_id: int):
    found = board_queries.get_post(post_id)
    if found is None or not permissions.can_read_topic(current_user, found.topic):
        raise responses.not_found()
    if found.is_deleted and not permissions.can_see_deleted(current_user):
        raise responses.not_found()
    return jsonify(serializers.full_post(found, current_user))


def _user_json(username: str):
    account = accounts.get_user_by_username(username)
    if account is None:
        raise responses.not_found()
    return jsonify(user=serializers.user(account, current_user))


@bp.get("/u/<username>.json")
def user(username: str):
    return _user_json(username)


@bp.get("/users/<username>.json")
def user_alias(username: str):
    return _user_json(username)


@bp.get("/session/current.json")
def session_current():
    """The person asking; a guest gets a 404 with an empty body, as in Discourse."""
    if not current_user.is_authenticated:
        return Response(b"", status=404, mimetype="text/plain")
    return jsonify(current_user=serializers.current_user(current_user))
