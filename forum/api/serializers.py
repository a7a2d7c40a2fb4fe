"""Objects as JSON, in Discourse's field names; plugins add fields.

Every serializer ends with the ``extra_api_fields`` hook, so a plugin's
fields appear wherever the object does.
"""

from typing import Any

from forum import permissions, plugins
from forum.boards.models import Post, Topic
from forum.uploads.services import avatar_template
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
        "avatar_template": avatar_template(item),
        "created_at": _time(item.created_at),
        "bio_cooked": item.bio_cooked,
        "topic_count": item.topic_count,
        "post_count": item.post_count,
        "likes_received": item.likes_received,
    }
    return plugins.api_fields("user", item, viewer, data)


def category(item, viewer) -> dict[str, Any]:
    data = {
        "id": item.id,
        "name": item.name,
        "color": item.color.lstrip("#"),
        "text_color": "FFFFFF",
        "slug": item.slug,
        "topic_count": item.topic_count,
        "post_count": item.post_count,
        "position": item.position,
        "description": item.description_cooked or None,
        "description_text": item.description or None,
        "topic_url": None,
        "read_restricted": item.read_level.value != "public",
        "permission": 1 if permissions.can_create_topic(viewer, item) else None,
        "parent_category_id": item.parent_id,
        "has_children": False,
        "subcategory_ids": [],
    }
    return plugins.api_fields("category", item, viewer, data)


def full_post(item: Post, viewer, *, liked: bool = False) -> dict[str, Any]:
    """A post as /posts/{id}.json and the post stream answer it: with permissions
    and, for those who may edit it, the markdown source ``raw``."""
    show_text = permissions.can_read_post(viewer, item)
    data = post(item, viewer, show_text=show_text)
    may_edit = permissions.can_edit_post(viewer, item)
    can_like = permissions.can_like_post(viewer, item)
    data.update(
        {
            "avatar_template": avatar_template(item.user),
            "post_type": 1,
            "topic_slug": item.topic.slug,
            "user_id": item.user_id,
            "yours": getattr(viewer, "id", None) == item.user_id,
            "can_edit": may_edit,
            "can_delete": permissions.can_delete_post(viewer, item),
            "can_recover": permissions.can_restore_post(viewer, item),
            "actions_summary": [
                {
                    "id": LIKE,
                    "count": item.like_count,
                    **({"acted": True} if liked else {}),
                    **({"can_act": True} if can_like and not liked else {}),
                    **({"can_undo": True} if liked else {}),
                }
            ],
        }
    )
    if may_edit:
        data["raw"] = item.raw
    return data


#: Discourse's post_action_type_id of a like.
LIKE = 2


def current_user(item: User) -> dict[str, Any]:
    """The person asking, as /session/current.json names them."""
    return {
        "id": item.id,
        "username": item.username,
        "name": item.display_name or None,
        "avatar_template": avatar_template(item),
        "admin": item.is_admin,
        "moderator": item.is_staff and not item.is_admin,
        "staff": item.is_staff,
        "trust_level": 1 if item.is_member else 0,
        "locale": item.locale,
    }
