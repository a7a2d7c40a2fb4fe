"""/search.json: the search page's results in Discourse's shape.

The same search service, filter words and permission rules as /search;
``blurb`` is the excerpt as plain text.
"""

from flask import jsonify, request
from flask_login import current_user
from markupsafe import Markup

from forum.api import serializers
from forum.api.responses import invalid
from forum.api.views import bp
from forum.search import services
from forum.search.query import QueryError
from forum.uploads.services import avatar_template


def _plain(html: Markup) -> str:
    # Already Markup (the search service escapes and marks the words).
    return html.striptags()


@bp.get("/search.json")
def search_json():
    text = request.args.get("q", "")
    page = request.args.get("page", 1, type=int) or 1
    try:
        result = services.search(current_user, text, page=page) if text.strip() else None
    except QueryError as problem:
        raise invalid(problem.message) from None
    if result is None:
        return jsonify(posts=[], topics=[], users=[], categories=[], grouped_search_result=None)
    topics = {item.topic.id: item.topic for item in result.results}
    return jsonify(
        posts=[
            {
                "id": item.post.id,
                "username": item.post.user.username,
                "avatar_template": avatar_template(item.post.user),
                "created_at": item.post.created_at.isoformat(),
                "like_count": item.post.like_count,
                "blurb": _plain(item.excerpt_html),
                "post_number": item.post.post_number,
                "topic_id": item.topic.id,
            }
            for item in result.results
        ],
        topics=[serializers.topic(topic, current_user) for topic in topics.values()],
        users=[],
        categories=[],
        grouped_search_result={
            "more_posts": None,
            "more_users": None,
            "more_categories": None,
            "term": result.query,
            "post_ids": [item.post.id for item in result.results],
            "user_ids": [],
            "category_ids": [],
            "more_full_page_results": result.page < result.pages,
        },
    )
