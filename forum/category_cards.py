"""The categories page's cards rendered once per version, then served from memory.

A card (``boards/_category_card.html``) shows a category's name, description,
counts, subcategories and its latest topics with their times: the same for
everyone who sees the same things, as a topic list's rows are
(forum/topic_rows.py, whose kind of cache this shares). Rendering a dozen cards,
with a link, a date and a relative time for each latest topic, was a quarter of
a member's categories page. ``category_card(overview)`` gathers the card's
*facts* and renders the template only for facts it has not seen, keeping the
result in a bounded per-process LRU (``CATEGORY_CARDS_CACHE_KB``). The key is
the facts with the language, time zone and link prefix: a new topic, a reply
(a topic's time), a rename or a new description changes a fact, so the next
reader gets a new rendering. The template reads nothing else (it gets ``f`` and
``p`` and the translation calls). Which categories and topics a reader sees is
the overview query's answer, not the cache's. Cards hold no form, so no token.
"""

from datetime import datetime
from typing import NamedTuple

from flask import current_app, request
from flask_babel import get_locale, get_timezone
from jinja2 import pass_context
from markupsafe import Markup

from forum.post_blocks import BlockCache, app_block_cache
from forum.templating import relative_time
from forum.urls import UrlPattern

_EXTENSION = "forum.category_cards"
_TEMPLATE = "boards/_category_card.html"


class BadgeFacts(NamedTuple):
    id: int
    slug: str
    color: str
    name: str


class LatestFacts(NamedTuple):
    id: int
    slug: str
    title: str
    bumped_at: datetime
    relative_time: str


class CardFacts(NamedTuple):
    """Everything ``boards/_category_card.html`` shows of one category."""

    id: int
    slug: str
    color: str
    name: str
    description_cooked: str | None
    topic_count: int
    post_count: int
    subcategories: tuple[BadgeFacts, ...]
    latest: tuple[LatestFacts, ...]
    level: int
    counts: bool
    empty_text: str | None


def card_cache(app) -> BlockCache:
    """Return the app's cache of rendered cards."""
    return app_block_cache(app, _EXTENSION, "CATEGORY_CARDS_CACHE_KB")


class _Links:
    """The page's link patterns, made only when a card is rendered."""

    def __init__(self) -> None:
        self.category_href = UrlPattern("boards.category", "slug", "category_id")
        self.topic_href = UrlPattern("boards.topic", "slug", "topic_id")


def card_facts(overview, level: int = 2, counts: bool = True, empty_text=None) -> CardFacts:
    """Return what the card of ``overview`` (lists.CategoryOverview) shows."""
    category = overview.category
    return CardFacts(
        id=category.id,
        slug=category.slug,
        color=category.color,
        name=category.name,
        description_cooked=category.description_cooked,
        topic_count=category.topic_count,
        post_count=category.post_count,
        subcategories=tuple(
            BadgeFacts(sub.id, sub.slug, sub.color, sub.name) for sub in overview.subcategories
        ),
        latest=tuple(
            LatestFacts(
                topic.id, topic.slug, topic.title, topic.bumped_at, relative_time(topic.bumped_at)
            )
            for topic in overview.latest
        ),
        level=level,
        counts=counts,
        empty_text=None if empty_text is None else str(empty_text),
    )


@pass_context
def category_card(context, overview, level: int = 2, counts: bool = True, empty_text=None):
    """Template global: one category's card, ``{{ category_card(overview) }}``."""
    facts = card_facts(overview, level, counts, empty_text)
    # The description is in the key by its length and hash: the card holds it once already.
    description = facts.description_cooked or ""
    key = (
        str(get_locale()),
        str(get_timezone()),
        request.script_root,
        facts._replace(description_cooked=(len(description), hash(description))),
    )
    cache = card_cache(current_app._get_current_object())
    block = cache.get(key)
    if block is None:
        template = context.environment.get_template(_TEMPLATE)
        block = template.render(f=facts, p=_Links())
        cache.set(key, block)
    return Markup(block)  # noqa: S704 (rendered by an autoescaping template)


def register(app) -> None:
    app.jinja_env.globals["category_card"] = category_card
