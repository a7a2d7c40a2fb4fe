"""The write path of the forum: categories here; topics, posts, likes,
bookmarks and read positions in their own modules, all offered here.

Every function owns its transaction. Counters that list pages show are
updated in the same transaction through forum.boards.counters. Callers use
this module; the split behind it is the package's own business.
"""

import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from forum.boards.models import Category, CategoryKind, ReadLevel, WriteLevel
from forum.boards.policy import cook_post
from forum.boards.posts import (
    create_post,
    delete_post,
    edit_post,
    post_published,
    post_removed,
    restore_post,
    submit_post,
)
from forum.boards.reactions import toggle_bookmark, toggle_like
from forum.boards.reading import reads_to_the_end, record_read, visit_needs_write
from forum.boards.topics import create_topic, set_help_status, submit_topic, topic_published
from forum.errors import BoardError, NotAllowed
from forum.extensions import db
from forum.markdown import cook
from forum.text import slugify

__all__ = [
    "BoardError",
    "NotAllowed",
    "cook_post",
    "create_category",
    "create_post",
    "create_topic",
    "delete_post",
    "edit_post",
    "post_published",
    "post_removed",
    "reads_to_the_end",
    "record_read",
    "restore_post",
    "set_help_status",
    "submit_post",
    "submit_topic",
    "toggle_bookmark",
    "toggle_like",
    "topic_published",
    "visit_needs_write",
]


def create_category(
    name: str,
    *,
    slug: str | None = None,
    description: str = "",
    color: str = "0b6e4f",
    position: int | None = None,
    kind: CategoryKind = CategoryKind.DISCUSSION,
    read_level: ReadLevel = ReadLevel.MEMBERS,
    write_level: WriteLevel = WriteLevel.MEMBERS,
    parent: Category | None = None,
) -> Category:
    """Create a category; categories nest one level deep at most."""
    if parent is not None and parent.parent_id is not None:
        raise BoardError(_l("Categories can be nested one level deep only."))
    color = color.lstrip("#").lower()
    if not re.fullmatch(r"[0-9a-f]{6}", color):
        raise BoardError(_l("A colour is six hexadecimal digits, e.g. 0b6e4f."))
    slug = slug or slugify(name)
    if db.session.scalar(sa.select(Category.id).where(Category.slug == slug)):
        raise BoardError(_l("A category with this name or slug exists already."))
    if position is None:
        position = (db.session.scalar(sa.select(sa.func.max(Category.position))) or 0) + 1
    category = Category(
        name=name.strip(),
        slug=slug,
        description=description,
        description_cooked=cook(description) if description else "",
        color=color,
        position=position,
        kind=CategoryKind(kind),
        read_level=ReadLevel(read_level),
        write_level=WriteLevel(write_level),
        parent_id=parent.id if parent else None,
    )
    db.session.add(category)
    db.session.commit()
    return category
