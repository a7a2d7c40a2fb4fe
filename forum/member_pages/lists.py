"""A member's latest topics and category pages, kept per page generation and filled in
per reader.

The mechanism is forum/kept_pages.py's, as for the topic page
(forum/member_pages/topic.py). What is kept, per kind of reader (the role:
what the list shows of deleted and unlisted topics and which categories),
topics per page, language, time zone and link prefix: the first window of the
list as the ordinary view renders it, split at its slots (the header's
personal part, the plugins' links and sidebar, the tokens, the language form's
return address, one slot per row), with each row's facts as built.

A request costs the member's row, the generation and one statement
(``reader.list_reader_facts``: the header's counts, whether they muted a
category, where they stopped reading each listed topic, the review count for
staff). A row's block is chosen by what differs between readers (new to them,
unread posts): rendered once per such variant through forum/topic_rows.py.

Not kept (``serve`` answers None and the ordinary view renders the list): a
reader who muted a category (their list leaves it out), a further window
(``?before=``), a flashed message, a page where a plugin's row contribution is
not marked ``shared``.
"""

import time
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, request
from flask_babel import get_locale, get_timezone
from markupsafe import escape

from forum import kept_pages, permissions
from forum.boards.lists import NEW_TOPIC_WINDOW
from forum.boards.models import Category, ReadLevel
from forum.boards.views import HELP_KIND_LABELS, HELP_STATUS_LABELS, MUNICIPALITY_LABELS
from forum.db import utcnow
from forum.extensions import db
from forum.member_pages.reader import ListReaderFacts, list_reader_facts, reader_token
from forum.member_pages.slots import kept_generation, member_asking, page_slot
from forum.notifications.level_box import level_html
from forum.notifications.models import Level
from forum.site.services import setting
from forum.topic_rows import RowFacts, TopicRows

#: The most variants of its rows one kept list keeps (then rendered each time).
MAX_VARIANTS_PER_ROW = 4


@dataclass
class KeptList:
    key: tuple
    generation: str
    expires: float
    #: The page split at its slots; a row's slot is its index in ``rows``.
    parts: tuple[bytes | str | int, ...]
    #: Per row: its facts as built, the topic's last post number and when it was started.
    rows: list[tuple[RowFacts, int, datetime]]
    topic_ids: list[int]
    #: The watching control's form address and element id (a category's page).
    level: tuple[str, str] | None = None
    #: (row index, new to the reader, unread posts) -> the row's block (UTF-8, as the parts).
    variants: dict[tuple, bytes] = field(default_factory=dict)


def serve(render):
    """Answer a member's latest topics from a kept page, or None for the ordinary view
    (``render()``: the ordinary view's rendering, used to build the page)."""
    user = member_asking()
    if user is None:
        return None
    key = ("latest", user.role, setting("TOPICS_PER_PAGE"), *_reader_page())
    return _serve(key, render, user, category=None)


def serve_category(render, slug: str, category_id: int):
    """Answer a member's category page from a kept page, or None for the ordinary view."""
    user = member_asking()
    if user is None:
        return None
    kept_in = kept_generation()
    if kept_in is None:
        return None
    store = kept_pages.kept_pages(current_app._get_current_object())
    category = _category_facts(store, category_id, kept_in[0])
    if category is None or category.slug != slug:
        return None
    if not permissions.can_read_category(user, category):
        return None
    key = (
        "category", category_id, user.role, user.is_silenced,
        setting("TOPICS_PER_PAGE"), *_reader_page(),
    )  # fmt: skip
    return _serve(key, render, user, category=category)


@dataclass(frozen=True)
class KeptCategory:
    """What the rules and the watching control read of a category."""

    id: int
    slug: str
    read_level: ReadLevel


def _category_facts(store, category_id: int, current: str) -> KeptCategory | None:
    key = ("category-facts", category_id)
    kept = store.get(key)
    if kept is not None and kept[0] == current:
        return kept[1]
    category = db.session.get(Category, category_id)
    if category is None or category.read_level == ReadLevel.PRIVATE:
        return None  # nothing kept for ids that lead nowhere
    facts = KeptCategory(category.id, category.slug, category.read_level)
    store.set(key, (current, facts), 512, current)
    return facts


def _reader_page() -> tuple:
    return (str(get_locale()), str(get_timezone()), request.script_root)


def _serve(key: tuple, render, user, category: KeptCategory | None):
    kept_in = kept_generation()
    if kept_in is None:
        return None
    current, seconds = kept_in
    store = kept_pages.kept_pages(current_app._get_current_object())
    category_id = category.id if category is not None else 0
    kept = store.get(key)
    if kept is not None and (kept.generation != current or time.monotonic() >= kept.expires):
        kept = None
    if kept is not None:
        facts = list_reader_facts(user, kept.topic_ids, category_id)
        if facts.mutes and category is None:
            return None  # their latest topics leave their muted categories out
        return _fill(kept, user, facts, category)
    return _build(store, key, current, seconds, render, user, category)


def _build(store, key, current: str, seconds: int, render, user, category):
    category_id = category.id if category is not None else 0
    with kept_pages.building_page() as build:
        html = render()
    if not isinstance(html, str):
        return html  # a redirect or an error page: answered as it is
    rows = build.data.get("rows", [])
    kept = KeptList(
        key=key,
        generation=current,
        expires=time.monotonic() + seconds,
        parts=tuple(
            int(part[4:]) if at % 2 and part.startswith("row:") else part
            for at, part in enumerate(kept_pages.split(html))
        ),
        rows=rows,
        topic_ids=[row[0].id for row in rows],
        level=build.data.get("level"),
    )
    facts = list_reader_facts(user, kept.topic_ids, category_id)
    # Latest topics leave a reader's muted categories out: such a list is theirs only.
    if build.keepable and not (facts.mutes and category is None):
        weight = kept_pages.cost(kept.parts) + sum(len(row[0].title) * 4 + 1024 for row in rows)
        store.set(key, kept, weight, current, kept.expires)
    return _fill(kept, user, facts, category)


def _fill(kept: KeptList, user, facts: ListReaderFacts, category) -> bytes:
    """Return the list for ``user`` as UTF-8 (its parts are kept encoded)."""
    text_token = str(escape(reader_token()))
    token = text_token.encode()
    out = list(kept.parts)
    new_since = utcnow() - NEW_TOPIC_WINDOW
    store = kept_pages.kept_pages(current_app._get_current_object())
    rows = None
    for at in range(1, len(out), 2):
        slot = out[at]
        if slot.__class__ is int:  # a row, by its index in the list
            base, highest, created_at = kept.rows[slot]
            last_read = facts.read.get(base.id)
            is_new = last_read is None and created_at >= new_since
            unread = max(highest - last_read, 0) if last_read is not None else 0
            block = kept.variants.get((slot, is_new, unread))
            if block is None:
                if rows is None:
                    rows = TopicRows.for_kept(current_app.jinja_env, True, _LABELS)
                facts_now = base._replace(
                    is_new=is_new,
                    unread_count=unread,
                    first_unread=last_read + 1 if unread else None,
                )
                block = rows.block_of(facts_now).encode()
                # Kept only while the list is, and counted with it (the store is bounded).
                room = len(kept.variants) < MAX_VARIANTS_PER_ROW * len(kept.rows)
                if room and store.grow(kept.key, kept, kept_pages.cost((block,)) + 256):
                    kept.variants[(slot, is_new, unread)] = block
            out[at] = block
        elif slot == "csrf":
            out[at] = token
        elif slot == "level":
            out[at] = _level(kept, facts, category).encode()
        else:
            out[at] = page_slot(slot, user, facts, text_token).encode()
    return b"".join(out)


def _level(kept: KeptList, facts: ListReaderFacts, category) -> str:
    action, control_id = kept.level
    chosen = facts.category_level
    level = Level(chosen if chosen is not None else Level.NORMAL)
    html = level_html(current_app.jinja_env, action, control_id, category=category, level=level)
    return html


#: The help labels the rows show (forum/boards/views.py's context processor gives the same).
_LABELS = {
    "help_kind_labels": HELP_KIND_LABELS,
    "municipality_labels": MUNICIPALITY_LABELS,
    "help_status_labels": HELP_STATUS_LABELS,
}
