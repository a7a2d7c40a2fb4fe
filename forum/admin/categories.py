"""Categories in the admin area: create, edit, order, nest, archive, delete.

Each function validates, applies the change, writes the audit log entry (old
and new values) and commits, all in one transaction. A stricter read level
takes effect at once: every page, list, notification and search result asks
forum.permissions at query time, and the search index follows through the
outbox the same commit fills (forum/search/outbox.py watches
``Category.read_level``).
"""

import re
from dataclasses import dataclass, fields
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from forum import plugins
from forum.admin import colours
from forum.boards import counters
from forum.boards.models import (
    Category,
    CategoryKind,
    ReadLevel,
    Topic,
    TopicSort,
    WriteLevel,
)
from forum.db import utcnow
from forum.errors import AdminError
from forum.extensions import db
from forum.markdown import cook
from forum.review.audit import log_action
from forum.text import slugify
from forum.users.models import User

NAME_MAX = SLUG_MAX = 80
DESCRIPTION_MAX = 2000
TEMPLATE_MAX = 5000
#: Readable by default and passes the contrast rule in both schemes (colours.py).
DEFAULT_COLOUR = "3d8a5a"
_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"


@dataclass
class CategoryData:
    """Everything the category form sets."""

    name: str
    slug: str = ""
    description: str = ""
    color: str = DEFAULT_COLOUR
    kind: str = CategoryKind.DISCUSSION.value
    read_level: str = ReadLevel.MEMBERS.value
    write_level: str = WriteLevel.MEMBERS.value
    reply_level: str = WriteLevel.MEMBERS.value
    topic_template: str = ""
    default_sort: str = TopicSort.LATEST.value
    hold_new_member_topics: bool = False
    parent_id: int | None = None


@dataclass
class CategoryRow:
    category: Category
    children: list[Category]


def suggest_slug(name: str) -> str:
    """Return a slug for ``name`` (ä→ae, ö→oe, ü→ue, ß→ss)."""
    slug = slugify(name, SLUG_MAX)
    return "kategorie" if slug == "thema" and "thema" not in name.lower() else slug


def list_tree() -> list[CategoryRow]:
    """Return the top-level categories in order, each with its subcategories."""
    categories = list(
        db.session.scalars(sa.select(Category).order_by(Category.position, Category.id))
    )
    rows = {c.id: CategoryRow(c, []) for c in categories if c.parent_id is None}
    for category in categories:
        if category.parent_id in rows:
            rows[category.parent_id].children.append(category)
    return list(rows.values())


def get(category_id: int) -> Category | None:
    return db.session.get(Category, category_id)


def topic_count(category: Category) -> int:
    """Every topic in the category, deleted ones included (they keep it from being deleted)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Topic).where(Topic.category_id == category.id)
    )


def has_children(category: Category) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(Category.parent_id == category.id)))


# --- Checking -------------------------------------------------------------------------------


def _clean(data: CategoryData, category: Category | None) -> dict[str, Any]:
    """Check the form's values; return the columns to store, or raise AdminError."""
    name = " ".join((data.name or "").split())
    if not name or len(name) > NAME_MAX:
        raise AdminError(_l("Please enter a name of up to 80 characters."))
    slug = (data.slug or "").strip().lower() or suggest_slug(name)
    if len(slug) > SLUG_MAX or not re.fullmatch(_SLUG, slug):
        raise AdminError(
            _l("A slug uses lower-case letters, digits and dashes, e.g. “fragen-antworten”.")
        )
    taken = db.session.scalar(
        sa.select(Category.id).where(
            Category.slug == slug, Category.id != (category.id if category else -1)
        )
    )
    if taken:
        raise AdminError(_l("Another category uses the slug “%(slug)s”.", slug=slug))
    colour = colours.normalise(data.color)
    if colour is None:
        raise AdminError(_l("A colour is written as #rrggbb, for example #3d8a5a."))
    scheme, ratio = colours.weakest_contrast(colour)
    if ratio < colours.BADGE_CONTRAST:
        shown = f"{ratio:.1f}"
        if scheme == "light":
            raise AdminError(
                _l("This colour is too pale on the light page (%(ratio)s:1, 3:1 needed).",
                   ratio=shown)
            )  # fmt: skip
        raise AdminError(
            _l("This colour is too dark on the dark page (%(ratio)s:1, 3:1 needed).", ratio=shown)
        )
    if len(data.description or "") > DESCRIPTION_MAX:
        raise AdminError(_l("The description is too long (at most 2000 characters)."))
    if len(data.topic_template or "") > TEMPLATE_MAX:
        raise AdminError(_l("The topic template is too long (at most 5000 characters)."))
    parent_id = data.parent_id or None
    if parent_id is not None:
        parent = db.session.get(Category, parent_id)
        if parent is None or parent.parent_id is not None:
            raise AdminError(_l("Categories can be nested one level deep only."))
        if category is not None and (parent.id == category.id or has_children(category)):
            raise AdminError(
                _l("A category with subcategories cannot become a subcategory itself.")
            )
    try:
        kind = CategoryKind(data.kind)
        read_level = ReadLevel(data.read_level)
        write_level = WriteLevel(data.write_level)
        reply_level = WriteLevel(data.reply_level)
        default_sort = TopicSort(data.default_sort)
    except ValueError:
        raise AdminError(_l("Please choose one of the offered values.")) from None
    description = (data.description or "").strip()
    return {
        "name": name,
        "slug": slug,
        "description": description,
        "description_cooked": cook(description) if description else "",
        "color": colour,
        "kind": kind,
        "read_level": read_level,
        "write_level": write_level,
        "reply_level": reply_level,
        "topic_template": (data.topic_template or "").strip("\n"),
        "default_sort": default_sort,
        "hold_new_member_topics": bool(data.hold_new_member_topics),
        "parent_id": parent_id,
    }


def _shown(value: Any) -> Any:
    """A value as the audit log stores it (JSON)."""
    return value.value if hasattr(value, "value") else value


def _commit_or_slug_taken() -> None:
    try:
        db.session.commit()
    except IntegrityError:
        # Another admin took the slug a moment ago.
        db.session.rollback()
        raise AdminError(_l("Another category uses this slug.")) from None


# --- Changing -------------------------------------------------------------------------------


def create(admin: User, data: CategoryData, *, commit: bool = True) -> Category:
    values = _clean(data, None)
    siblings = (
        Category.parent_id.is_(None)
        if values["parent_id"] is None
        else (Category.parent_id == values["parent_id"])
    )
    last = db.session.scalar(sa.select(sa.func.max(Category.position)).where(siblings))
    category = Category(position=(last or 0) + 1, **values)
    db.session.add(category)
    db.session.flush()
    log_action(
        admin, "create_category", target_type="category", target_id=category.id,
        target_label=category.name,
        new={key: _shown(value) for key, value in values.items() if key != "description_cooked"},
    )  # fmt: skip
    if commit:
        _commit_or_slug_taken()
    return category


def update(admin: User, category: Category, data: CategoryData) -> list[str]:
    """Save the form; return the names of the fields that changed."""
    values = _clean(data, category)
    changed = {
        key: (getattr(category, key), value)
        for key, value in values.items()
        if getattr(category, key) != value and key != "description_cooked"
    }
    if not changed:
        return []
    if "parent_id" in changed:
        # A category that changes level goes to the end of its new siblings.
        category.position = (db.session.scalar(sa.select(sa.func.max(Category.position))) or 0) + 1
    for key, value in values.items():
        setattr(category, key, value)
    log_action(
        admin, "update_category", target_type="category", target_id=category.id,
        target_label=category.name,
        old={key: _shown(old) for key, (old, _new) in changed.items()},
        new={key: _shown(new) for key, (_old, new) in changed.items()},
    )  # fmt: skip
    _commit_or_slug_taken()
    return list(changed)


def _siblings(category: Category) -> list[Category]:
    where = (
        Category.parent_id.is_(None)
        if category.parent_id is None
        else Category.parent_id == category.parent_id
    )
    query = sa.select(Category).where(where).order_by(Category.position, Category.id)
    return list(db.session.scalars(query))


def _renumber(admin: User, parent: Category | None, ordered: list[Category]) -> bool:
    before = [c.id for c in sorted(ordered, key=lambda c: (c.position, c.id))]
    for position, category in enumerate(ordered, start=1):
        category.position = position
    after = [c.id for c in ordered]
    names = {c.id: c.name for c in ordered}
    if before == after:
        db.session.commit()
        return False
    log_action(
        admin, "reorder_categories", target_type="category",
        target_id=parent.id if parent else None, target_label=parent.name if parent else "",
        old=[names[i] for i in before], new=[c.name for c in ordered],
    )  # fmt: skip
    db.session.commit()
    return True


def move(admin: User, category: Category, direction: str) -> bool:
    """Move a category one place up or down among its siblings."""
    siblings = _siblings(category)
    index = siblings.index(category)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(siblings):
        return False
    siblings[index], siblings[other] = siblings[other], siblings[index]
    return _renumber(admin, category.parent, siblings)


def reorder(admin: User, parent: Category | None, ids: list[int]) -> bool:
    """Put the categories of one level (top level or one parent's) in the order of ``ids``."""
    where = Category.parent_id.is_(None) if parent is None else Category.parent_id == parent.id
    level = {c.id: c for c in db.session.scalars(sa.select(Category).where(where))}
    if sorted(ids) != sorted(level):
        raise AdminError(_l("The list changed meanwhile; please reload the page."))
    return _renumber(admin, parent, [level[i] for i in ids])


def set_archived(admin: User, category: Category, archived: bool) -> None:
    if (category.archived_at is not None) == archived:
        return
    category.archived_at = utcnow() if archived else None
    log_action(
        admin, "archive_category" if archived else "unarchive_category",
        target_type="category", target_id=category.id, target_label=category.name,
        old={"archived": not archived}, new={"archived": archived},
    )  # fmt: skip
    db.session.commit()


def delete(admin: User, category: Category) -> None:
    """Delete an empty category (no topics, deleted ones included, and no subcategories)."""
    if topic_count(category):
        raise AdminError(_l("Move this category's topics to another category first."))
    if has_children(category):
        raise AdminError(_l("Move or delete its subcategories first."))
    log_action(
        admin, "delete_category", target_type="category", target_id=category.id,
        target_label=category.name,
        old={f.name: _shown(getattr(category, f.name)) for f in fields(CategoryData)},
    )  # fmt: skip
    db.session.delete(category)
    db.session.commit()


def move_topics(admin: User, source: Category, destination: Category) -> int:
    """Move every topic of ``source`` to ``destination``; return how many moved."""
    if source.id == destination.id:
        raise AdminError(_l("Please choose another category."))
    topics = list(db.session.scalars(sa.select(Topic).where(Topic.category_id == source.id)))
    for topic in topics:
        counters.topic_moved(topic, source.id, destination.id)
        if destination.kind != CategoryKind.HELP:
            topic.help_kind = topic.municipality = topic.help_status = None
    log_action(
        admin, "move_category_topics", target_type="category", target_id=source.id,
        target_label=source.name, source=source.name, destination=destination.name,
        count=len(topics),
    )  # fmt: skip
    db.session.commit()
    for topic in topics:
        plugins.notify_event(
            "topic_moved", topic=topic, user=admin, old_category=source, new_category=destination
        )
    return len(topics)
