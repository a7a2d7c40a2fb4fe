"""JSON endpoints: /latest.json, /c/<slug>/<id>.json, /t/<id>.json, /u/<username>.json.

They answer what the HTML pages answer, through the same queries and the
same permission decisions; what a viewer may not read is a 404 here too.
"""

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user

from forum import permissions
from forum.api import auth, serializers
from forum.auth import accounts
from forum.boards import queries
from forum.extensions import csrf
from forum.site.services import setting

bp = Blueprint("api", __name__)
# API keys instead of CSRF tokens, or a session with its token: forum/api/auth.py.
csrf.exempt(bp)
bp.before_request(auth.authenticate_request)


def _topic_list(topics: queries.TopicList, more_url: str):
    rows = [row.topic for row in topics.pinned + topics.rows]
    return jsonify(
        users=[
            serializers.user(u, current_user) for u in {t.user.id: t.user for t in rows}.values()
        ],
        topic_list={
            "topics": [serializers.topic(t, current_user) for t in rows],
            "more_topics_url": f"{more_url}?before={topics.next_cursor}"
            if topics.next_cursor
            else None,
        },
    )


@bp.get("/latest.json")
def latest():
    topics = queries.list_topics(
        current_user, cursor=request.args.get("before"), limit=setting("TOPICS_PER_PAGE")
    )
    return _topic_list(topics, "/latest.json")


@bp.get("/c/<slug>/<int:category_id>.json")
def category(slug: str, category_id: int):
    category = queries.get_category(category_id)
    if category is None or not permissions.can_read_category(current_user, category):
        abort(404)
    topics = queries.list_topics(
        current_user,
        category=category,
        cursor=request.args.get("before"),
        limit=setting("TOPICS_PER_PAGE"),
    )
    return _topic_list(topics, f"/c/{category.slug}/{category.id}.json")


@bp.get("/t/<int:topic_id>.json")
def topic(topic_id: int):
    topic = queries.get_topic(topic_id)
    if topic is None or not permissions.can_read_topic(current_user, topic):
        abort(404)
    per_page = setting("POSTS_PER_PAGE")
    view = queries.topic_page(current_user, topic, request.args.get("page", 1, type=int), per_page)
    data = serializers.topic(topic, current_user)
    data["post_stream"] = {
        "posts": [
            serializers.post(item.post, current_user, show_text=item.show_text)
            for item in view.posts
        ]
    }
    data["page"], data["page_count"] = view.page, view.page_count
    return jsonify(data)


@bp.get("/u/<username>.json")
def user(username: str):
    account = accounts.get_user_by_username(username)
    if account is None:
        abort(404)
    return jsonify(user=serializers.user(account, current_user))
