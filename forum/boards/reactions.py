"""Likes and bookmarks: toggles that survive a double click."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from forum import permissions, plugins
from forum.boards import counters
from forum.boards.models import Bookmark, Post, PostLike, Topic
from forum.errors import NotAllowed
from forum.extensions import db
from forum.users.models import User


def _toggle(model, user: User, post: Post, on_change=None) -> bool:
    """Add the user's row for the post, or remove it; return whether it is there now."""
    removed = db.session.execute(
        sa.delete(model).where(model.post_id == post.id, model.user_id == user.id)
    ).rowcount
    if not removed:
        db.session.add(model(post_id=post.id, user_id=user.id))
    if on_change is not None:
        on_change(-1 if removed else 1)
    try:
        db.session.commit()
    except IntegrityError:
        # The same click arrived twice at once (double click); the first one won.
        db.session.rollback()
        return True
    return not removed


def _count_like(user: User, post: Post, delta: int) -> None:
    counters.add(Post, post.id, like_count=delta)
    counters.add(Topic, post.topic_id, like_count=delta)
    counters.add(User, post.user_id, likes_received=delta)
    counters.add(User, user.id, likes_given=delta)


def toggle_like(user: User, post: Post) -> bool:
    """Like the post, or take the like back; return whether it is liked now."""
    if not permissions.can_like_post(user, post):
        raise NotAllowed(_l("You may not like this post."))
    liked = _toggle(PostLike, user, post, lambda delta: _count_like(user, post, delta))
    if liked:
        plugins.notify_event("post_liked", post=post, topic=post.topic, user=user)
    return liked


def toggle_bookmark(user: User, post: Post) -> bool:
    """Bookmark the post, or remove the bookmark; return whether it is bookmarked."""
    if not permissions.can_bookmark_post(user, post):
        raise NotAllowed(_l("You may not bookmark this post."))
    return _toggle(Bookmark, user, post)
