"""Objects as JSON, in Discourse's field names; plugins add fields.

Every serializer ends with the ``extra_api_fields`` hook, so a plugin's
fields appear wherever the object does.
"""

from typing import Any

from forum import plugins
from forum.boards.models import Post, Topic
from forum.users.models import User


def _time(value) -> str | None:
    return value.isoformat() if value is not None else None


def topic(item: Topic, viewer) -> dict[str, Any]:
    data = {
        "id": item.id,
        "title": item.title,
        "fancy_title": item.title,
        "slug": item.slug,
        "category_id": item.category_id,
        "posts_count": item.posts_count,
        "reply_count": item.reply_count,
        "highest_post_number": item.highest_post_number,
        "like_count": item.like_count,
        "views": item.views,
        "created_at": _time(item.created_at),
        "last_posted_at": _time(item.last_posted_at),
        "bumped_at": _time(item.bumped_at),
        "pinned": item.pinned_at is not None,
        "pinned_globally": item.pinned_globally,
        "closed": item.closed,
        "archived": False,
        "visible": not item.unlisted,
    }
    return plugins.api_fields("topic", item, viewer, data)


def post(item: Post, viewer, *, show_text: bool) -> dict[str, Any]:
    data = {
        "id": item.id,
        "topic_id": item.topic_id,
        "post_number": item.post_number,
        "reply_to_post_number": item.reply_to_post_number,
        "username": item.user.username,
        "name": item.user.display_name or None,
        "created_at": _time(item.created_at),
        "updated_at": _time(item.updated_at),
        "cooked": item.cooked if show_text else "",
        "version": item.version,
        "reply_count": item.reply_count,
        "like_count": item.like_count,
        "deleted_at": _time(item.deleted_at),
        "hidden": item.hidden_at is not None,
    }
    return plugins.api_fields("post", item, viewer, data)


def user(item: User, viewer) -> dict[str, Any]:
    data = {
        "id": item.id,
        "username": item.username,
        "name": item.display_name or None,
        "avatar_template": f"/user_avatar/{item.username}/{{size}}.svg",
        "created_at": _time(item.created_at),
        "bio_cooked": item.bio_cooked,
        "topic_count": item.topic_count,
        "post_count": item.post_count,
        "likes_received": item.likes_received,
    }
    return plugins.api_fields("user", item, viewer, data)
