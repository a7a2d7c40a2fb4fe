"""A topic list's rows rendered once per version, then served from memory.

The lists (latest topics, a category, unread) show the same rows to everyone
who sees the same things, as the topic page shows the same posts
(forum/post_blocks.py, whose cache this module shares the kind of). A list
asks ``TopicRows`` for each row; it gathers the row's *facts* (everything
``boards/_topic_row.html`` reads, the reader's own answers included: new,
unread posts and where they start) and renders the template only for facts it
has not seen, keeping the result in a bounded per-process LRU. The key is the
facts themselves with the language, time zone and link prefix: a reply (the
count, the activity, the posters), a rename, pinning, closing or a plugin's
new contribution to the row changes a fact, so the next reader gets a new
rendering. The template reads nothing else (it gets ``f`` and ``p`` and the
translation calls), so nothing it shows can be missing from the key. Which
topics a reader sees is the list query's answer, not the cache's: a row is
asked for only by a reader whose list holds its topic. The relative time
("5 min") is a fact too, worked out per request. Rows hold no form, so no
reader's token.
"""

from datetime import datetime
from typing import NamedTuple

from flask import current_app, request
from flask_babel import get_locale, get_timezone
from jinja2 import pass_context
from markupsafe import Markup, escape

from forum.kept_pages import building, marker
from forum.post_blocks import BlockCache, app_block_cache
from forum.templating import relative_times
from forum.urls import UrlPattern

_EXTENSION = "forum.topic_rows"


class CategoryFacts(NamedTuple):
    id: int
    slug: str
    color: str
    name: str


class RowFacts(NamedTuple):
    """Everything ``boards/_topic_row.html`` shows of one topic, for one reader."""

    id: int
    slug: str
    title: str
    pinned: bool
    closed: bool
    deleted: bool
    is_new: bool
    unread_count: int
    #: The first unread post's number, when there are unread posts.
    first_unread: int | None
    #: None when the list is one category's (its rows show no badge).
    category: CategoryFacts | None
    help_kind: object
    municipality: object
    help_status: object
    outlet: str
    posters: tuple[tuple[str, str], ...]
    reply_count: int
    views: int
    bumped_at: datetime
    relative_time: str


def row_cache(app) -> BlockCache:
    """Return the app's cache of rendered rows."""
    return app_block_cache(app, _EXTENSION, "TOPIC_ROWS_CACHE_KB")


class _Links:
    """The list's link patterns and labels, made only when a row is rendered."""

    def __init__(self, context) -> None:
        self.topic_href = UrlPattern("boards.topic", "slug", "topic_id")
        self.unread_href = UrlPattern("boards.topic", "slug", "topic_id", "post_number")
        self.category_href = UrlPattern("boards.category", "slug", "category_id")
        self.poster_avatar_src = UrlPattern("users.avatar", "username", size=32)
        # Translated by the language, which is in the key.
        self.help_kind_labels = context["help_kind_labels"]
        self.municipality_labels = context["municipality_labels"]
        self.help_status_labels = context["help_status_labels"]


class TopicRows:
    """One list's rows: ``rows(row)`` returns a row's HTML as Markup."""

    def __init__(self, context, show_category: bool) -> None:
        self.cache = row_cache(current_app._get_current_object())
        self.context = context
        self.template = context.environment.get_template("boards/_topic_row.html")
        self.show_category = show_category
        self.outlets = context.get("item_outlets") or {}
        self.page = (str(get_locale()), str(get_timezone()), request.script_root)
        self._links: _Links | None = None
        self.relative_time = relative_times()

    def facts(self, row) -> RowFacts:
        topic = row.topic
        category = topic.category if self.show_category else None
        unread = row.unread_count
        return RowFacts(
            id=topic.id,
            slug=topic.slug,
            title=topic.title,
            pinned=topic.pinned_at is not None,
            closed=bool(topic.closed),
            deleted=topic.deleted_at is not None,
            is_new=bool(row.is_new),
            unread_count=unread,
            first_unread=row.last_read_post_number + 1 if unread else None,
            category=category
            and CategoryFacts(category.id, category.slug, category.color, category.name),
            help_kind=topic.help_kind,
            municipality=topic.municipality if topic.help_kind else None,
            help_status=topic.help_status if topic.help_kind else None,
            # Markup from the plugins' autoescaped templates stays markup (str()
            # would drop that, and the row would show their HTML as text).
            outlet=escape(self.outlets.get(topic.id, "")),
            posters=tuple((poster.username, poster.name) for poster in row.posters),
            reply_count=topic.reply_count,
            views=topic.views,
            bumped_at=topic.bumped_at,
            relative_time=self.relative_time(topic.bumped_at),
        )

    @classmethod
    def for_kept(cls, environment, show_category: bool, labels: dict) -> "TopicRows":
        """Rows for a member's kept list (forum/member_pages/lists.py), which gives
        ``block_of`` the facts itself; ``labels``: the help labels the rows show."""
        rows = cls.__new__(cls)
        rows.cache = row_cache(current_app._get_current_object())
        rows.context = labels
        rows.template = environment.get_template("boards/_topic_row.html")
        rows.show_category = show_category
        rows.outlets = {}
        rows.page = (str(get_locale()), str(get_timezone()), request.script_root)
        rows._links = None
        return rows

    def __call__(self, row) -> Markup:
        facts = self.facts(row)
        build = building()
        if build is not None:
            # A member's list being kept (forum/kept_pages.py): each reader's
            # unread counts choose the row's block when the page is filled in.
            kept = build.data.setdefault("rows", [])
            kept.append((facts, row.topic.highest_post_number, row.topic.created_at))
            return Markup(marker(f"row:{len(kept) - 1}"))  # noqa: S704 (no input)
        return Markup(self.block_of(facts))  # noqa: S704 (rendered by an autoescaping template)

    def block_of(self, facts: RowFacts) -> str:
        """Return the kept block of ``facts``."""
        # A plugin's contribution is in the key by its length and hash: the row
        # holds it once already, and a worker's memory is counted.
        outlet = facts.outlet
        key = (self.page, facts._replace(outlet=(len(outlet), hash(outlet))))
        block = self.cache.get(key)
        if block is None:
            if self._links is None:
                self._links = _Links(self.context)
            block = self.template.render(f=facts, p=self._links)
            self.cache.set(key, block)
        return block


@pass_context
def topic_rows(context, show_category: bool = True) -> TopicRows:
    """Template global: ``{% set topic_row = topic_rows(show_category) %}`` once per list."""
    return TopicRows(context, show_category)


def register(app) -> None:
    app.jinja_env.globals["topic_rows"] = topic_rows
