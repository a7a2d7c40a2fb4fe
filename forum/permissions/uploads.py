"""Uploads: who may upload, and who may fetch an upload (access follows the posts)."""

from typing import Any

import sqlalchemy as sa

from forum.boards.models import Post
from forum.extensions import db
from forum.permissions.boards import can_read_post
from forum.permissions.roles import _account, can_write
from forum.uploads.models import PostUpload, Upload


def can_upload(user: Any) -> bool:
    """Members who may write may upload (pictures, PDFs, their avatar)."""
    return can_write(user)


#: Posts looked at to decide whether an upload may be fetched.
_UPLOAD_POSTS_CHECKED = 20


def can_read_upload(user: Any, upload: Upload) -> bool:
    """Return whether ``user`` may fetch an upload (its smaller sizes follow it).

    Access follows the posts: an upload is served to whoever may read one of
    the posts whose text uses it, so a picture in a members-only topic is for
    members and a deleted post's pictures are for staff. Avatars and logos are
    for everybody. An upload no post uses yet (the composer's preview, a post
    waiting in the review queue) is for its uploader and for staff.
    """
    if upload.is_public:
        return True
    posts = db.session.scalars(
        sa.select(Post)
        .join(PostUpload, PostUpload.post_id == Post.id)
        .where(PostUpload.upload_id == upload.id)
        .order_by(Post.deleted_at.is_not(None), Post.id)
        .limit(_UPLOAD_POSTS_CHECKED)
    ).all()
    if any(can_read_post(user, post) for post in posts):
        return True
    account = _account(user)
    if account is None or posts:
        return False
    return account.is_staff or account.id == upload.user_id
