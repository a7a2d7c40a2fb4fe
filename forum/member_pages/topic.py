"""A member's topic page kept per page generation and filled in per reader.

The mechanism is forum/kept_pages.py's. What is kept here, per topic, page,
posts per page, language, time zone and kind of reader (``reader_kind``: role,
silenced or not, the topic's author or not):

- the page as the ordinary view renders it (forum/boards/topic_views.py),
  split at its slots: the header's personal part, the plugins' links and
  sidebar, the tokens, the watching control, the reply form's submission key,
  the language form's return address, and one slot per post;
- each post's facts as the page that was built had them (``PostFacts``), the
  post's own facts the permission rules read (``KeptPost``), and what the
  plugins showed under it (only contributions marked ``shared``);
- the topic's and its category's facts the rules read (``KeptTopic``), kept
  per generation too: a request asks ``permissions.can_read_topic`` of them.

A request then costs the member's row (Flask-Login), the generation and one
statement (forum/member_pages/reader.py). Each post's block is chosen by what
differs between readers of the same kind (liked, bookmarked, flagged, their
own, their first unread, its author ignored): rendered once per such variant
through forum/post_blocks.py with the reader's own permission answers, then
kept with the page. tests/member_pages/test_kept_topic.py renders the page
both ways for readers of every kind and compares them byte for byte.

Not kept (``serve`` answers None and the ordinary view renders the page):
guests (forum/pagecache.py), applicants, private conversations, a request
with a flashed message or a query parameter other than ``page``, a reader with
replies awaiting approval in the topic, a deployment without a page cache
generation, and a page where anything personal was rendered in place (a
plugin's contribution not marked ``shared``): that page is filled for its
reader and not kept.
"""

import sys
import time
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, g, redirect, request
from flask_babel import get_locale, get_timezone
from flask_login import current_user
from markupsafe import escape

from forum import kept_pages, permissions
from forum.boards import queries
from forum.boards.models import ReadLevel
from forum.boards.reading import visit_writes
from forum.boards.topic_views import record_visit, render_topic_page
from forum.idempotency import new_key_field
from forum.member_pages.reader import ReaderFacts, reader_facts, reader_token
from forum.member_pages.slots import kept_generation, member_asking, page_slot
from forum.notifications.level_box import level_html
from forum.notifications.models import Level
from forum.post_blocks import PostBlocks, PostFacts, with_outlets
from forum.site.services import setting
from forum.urls import topic_url

_PAGE_PARAMETER = frozenset({"page"})
#: The most variants of its posts one kept page keeps (then rendered each time).
MAX_VARIANTS_PER_POST = 4
#: What a kept post costs beside its text and outlets: its facts' other fields
#: (~30, their strings) and its rules' facts.
POST_OVERHEAD = 1024
#: What a kept variant costs beside its pieces: its key, the tuple, the dict's slot.
VARIANT_OVERHEAD = 256


@dataclass(frozen=True)
class KeptCategory:
    """What the permission rules read of a topic's category."""

    id: int
    read_level: ReadLevel
    archived_at: datetime | None
    reply_level: object
    write_level: object


@dataclass(frozen=True)
class KeptTopic:
    """What the rules, the links and the visit read of a topic (never a private one)."""

    id: int
    slug: str
    user_id: int | None
    category_id: int
    category: KeptCategory
    deleted_at: datetime | None
    closed: bool
    help_kind: object
    highest_post_number: int


@dataclass(frozen=True)
class KeptPost:
    """What the rules read of a post (``permissions.post_abilities``)."""

    id: int
    post_number: int
    user_id: int
    is_deleted: bool
    is_hidden: bool
    is_visible: bool
    topic: KeptTopic


@dataclass
class KeptTopicPage:
    generation: str
    expires: float
    topic: KeptTopic
    page: int
    last_shown: int
    #: The page split at its slots; a post's slot is its index in ``posts``.
    parts: tuple[bytes | str | int, ...]
    with_reply: bool
    #: Per post: its facts as built, its rules' facts, its outlet and (first post) what goes below.
    posts: list[tuple[PostFacts, KeptPost, str, str]]
    #: The numbers of the first and last post the page's window covers.
    numbers: tuple[int, int]
    #: The watching control's form address and element id (None: the page has none).
    level: tuple[str, str] | None = None
    #: (post index, the reader's marks) -> the block split where the reader's token goes
    #: (UTF-8, as the parts); each counted in the store when it is kept (``KeptPages.grow``).
    variants: dict[tuple, tuple[bytes, ...]] = field(default_factory=dict)
    #: The page's key in the store.
    key: tuple = ()


def _kept_topic(topic) -> KeptTopic:
    category = topic.category
    return KeptTopic(
        id=topic.id,
        slug=topic.slug,
        user_id=topic.user_id,
        category_id=topic.category_id,
        category=KeptCategory(
            id=category.id,
            read_level=category.read_level,
            archived_at=category.archived_at,
            reply_level=category.reply_level,
            write_level=category.write_level,
        ),
        deleted_at=topic.deleted_at,
        closed=topic.closed,
        help_kind=topic.help_kind,
        highest_post_number=topic.highest_post_number,
    )


def _kept_post(post, topic: KeptTopic) -> KeptPost:
    return KeptPost(
        id=post.id,
        post_number=post.post_number,
        user_id=post.user_id,
        is_deleted=post.is_deleted,
        is_hidden=post.is_hidden,
        is_visible=post.is_visible,
        topic=topic,
    )


def topic_facts(store, topic_id: int, current: str) -> KeptTopic | None:
    """Return the topic's facts while generation ``current`` stands (None: not kept here)."""
    key = ("topic", topic_id)
    kept = store.get(key)
    if kept is not None and kept[0] == current:
        return kept[1]
    topic = queries.get_topic(topic_id)
    # Held for the request: the session keeps loaded objects only while someone
    # holds them, and the view this page falls back to (a conversation, a page
    # built now) asks for the same topic; ``queries.get_topic`` then reads none.
    g.kept_pages_topic = topic
    if topic is None or topic.category.read_level == ReadLevel.PRIVATE:
        # Not kept: asking for ids that lead nowhere must not push pages out.
        return None
    facts = _kept_topic(topic)
    store.set(key, (current, facts), 512, current)
    return facts


def reader_kind(user, topic: KeptTopic) -> tuple:
    """What a kept page's shared parts depend on of its reader (see the module's docstring)."""
    return (user.role, user.is_silenced, user.id == topic.user_id)


def serve(topic_id: int, slug: str, post_number: int | None):
    """Answer a member's topic page from a kept page, or None for the ordinary view."""
    user = member_asking(_PAGE_PARAMETER)
    kept_in = kept_generation() if user is not None else None
    if kept_in is None:
        return None
    current = kept_in[0]
    store = kept_pages.kept_pages(current_app._get_current_object())
    topic = topic_facts(store, topic_id, current)
    if topic is None or topic.slug != slug or not permissions.can_read_topic(user, topic):
        return None
    per_page = setting("POSTS_PER_PAGE")
    page = request.args.get("page", type=int)
    asked_page = page
    if page is None:
        page = queries.page_of_post(post_number or 1, per_page)
    page_count = queries.page_of_post(topic.highest_post_number, per_page)
    page = min(max(page, 1), page_count)
    key = (
        "page", topic_id, page, per_page, reader_kind(user, topic),
        str(get_locale()), str(get_timezone()), request.script_root,
    )  # fmt: skip
    kept = store.get(key)
    if kept is not None and (kept.generation != current or time.monotonic() >= kept.expires):
        kept = None
    if kept is None:
        window = (page, per_page, post_number, asked_page)
        return _build_and_serve(store, key, topic, window, kept_in)
    facts = reader_facts(user, topic, *kept.numbers)
    if facts.held:
        return None  # their replies awaiting approval are shown in the page
    if post_number is None and asked_page is None:
        last_read = facts.last_read
        if last_read and last_read < topic.highest_post_number:
            first_unread = last_read + 1
            return redirect(f"{topic_url(topic, first_unread)}#post_{first_unread}")
    html = _fill(kept, user, facts)
    moves = visit_writes(facts.last_read, facts.visited_recently, kept.last_shown)
    record_visit(topic, kept.last_shown, moves)
    return html


def _build_and_serve(store, key, topic: KeptTopic, window: tuple, kept_in: tuple[str, int]):
    """Render the page with slots for this reader, keep it when nothing personal is in
    place, and fill it in for them (``window``: the page, posts per page and what
    was asked; ``kept_in``: the generation and the seconds a page is kept)."""
    page, per_page, post_number, asked = window
    current, seconds = kept_in
    user = current_user._get_current_object()
    orm_topic = queries.get_topic(topic.id)
    if orm_topic is None:
        return None
    if post_number is None and asked is None:
        first_unread = queries.first_unread_post_number(user, orm_topic)
        if first_unread:
            return redirect(f"{topic_url(orm_topic, first_unread)}#post_{first_unread}")
    with kept_pages.building_page() as build:
        html, view = render_topic_page(orm_topic, page, per_page)
    if view.held:
        build.not_keepable("replies awaiting approval")
    posts = [
        (facts, _kept_post(post, topic), outlet, below)
        for facts, post, outlet, below in build.data.get("posts", [])
    ]
    last_shown = min(view.page * per_page, topic.highest_post_number)
    kept = KeptTopicPage(
        generation=current,
        expires=time.monotonic() + seconds,
        topic=topic,
        page=view.page,
        last_shown=last_shown,
        # A post's slot as its index: the filling asks no string of it.
        parts=tuple(
            int(part[5:]) if at % 2 and part.startswith("post:") else part
            for at, part in enumerate(kept_pages.split(html))
        ),
        with_reply=permissions.can_reply(user, orm_topic),
        posts=posts,
        numbers=((view.page - 1) * per_page + 1, view.page * per_page),
        level=build.data.get("level"),
        key=key,
    )
    if build.keepable:
        weight = kept_pages.cost(kept.parts) + sum(map(_post_cost, posts))
        store.set(key, kept, weight, current, kept.expires)
    facts = reader_facts(user, topic, *kept.numbers)
    html = _fill(kept, user, facts)
    record_visit(topic, last_shown)
    return html


def _level(kept: KeptTopicPage, facts: ReaderFacts) -> str:
    action, control_id = kept.level
    if facts.topic_level is not None:
        level = Level(facts.topic_level)
    else:
        level = Level(facts.category_level if facts.category_level is not None else Level.NORMAL)
    return level_html(current_app.jinja_env, action, control_id, kept.topic, level=level)


def _fill(kept: KeptTopicPage, user, facts: ReaderFacts) -> bytes:
    """Return the page for ``user`` as UTF-8 (its parts are kept encoded)."""
    text_token = str(escape(reader_token()))
    token = text_token.encode()
    out = list(kept.parts)
    # As forum/post_blocks.py marks it: nothing read yet (0 or no row) marks no post.
    first_unread = facts.last_read + 1 if facts.last_read else None
    liked, bookmarked, flagged = facts.liked, facts.bookmarked, facts.flagged
    ignored = facts.ignored
    me = user.id
    variants = kept.variants
    blocks = None
    for at in range(1, len(out), 2):
        slot = out[at]
        if slot.__class__ is int:  # a post, by its index on the page
            post = kept.posts[slot][1]
            marks = (
                post.id in liked,
                post.id in bookmarked,
                post.id in flagged,
                post.user_id == me,
                post.post_number == first_unread,
                post.user_id in ignored,
            )
            pieces = variants.get((slot, marks))
            if pieces is None:
                if blocks is None:
                    blocks = PostBlocks.for_kept(current_app.jinja_env, kept.topic, kept.with_reply)
                pieces = _variant(kept, slot, marks, user, blocks)
            out[at] = token.join(pieces)
        elif slot == "csrf":
            out[at] = token
        else:
            out[at] = _personal(slot, kept, user, facts, text_token).encode()
    return b"".join(out)


def _personal(name: str, kept: KeptTopicPage, user, facts: ReaderFacts, token: str) -> str:
    """Return the value of a slot other than a post or the token."""
    if name == "reply_key":
        return str(new_key_field())
    if name == "level":
        return _level(kept, facts)
    return page_slot(name, user, facts, token)


def _variant(kept: KeptTopicPage, index: int, marks: tuple, user, blocks) -> kept_pages.Parts:
    """Render post ``index`` for a reader with ``marks``, with their own permission answers."""
    base, post, outlet, below = kept.posts[index]
    liked, bookmarked, flagged, _own, first_unread, ignored = marks
    may = permissions.post_abilities(user, kept.topic)(post)
    may["can_flag"] = may["can_flag"] and not flagged
    facts = base._replace(
        liked=liked,
        bookmarked=bookmarked,
        first_unread=first_unread,
        ignored=ignored,
        **may,
    )
    # The token is the block's only slot (its own forms and the plugins' under it):
    # split there once, each reader's page joins the pieces with their token.
    csrf = kept_pages.marker("csrf")
    block = with_outlets(blocks.block_of(facts), csrf, outlet, below)
    pieces = tuple(piece.encode() for piece in block.split(csrf))
    # Kept only while the page is, and counted with it (the store is bounded by bytes).
    store = kept_pages.kept_pages(current_app._get_current_object())
    room = len(kept.variants) < MAX_VARIANTS_PER_POST * len(kept.posts)
    if room and store.grow(kept.key, kept, kept_pages.cost(pieces) + VARIANT_OVERHEAD):
        kept.variants[(index, marks)] = pieces
    return pieces


def _post_cost(post: tuple) -> int:
    """What one of a kept page's posts costs: its text, its outlets, its facts."""
    facts, _rules, outlet, below = post
    return (
        sys.getsizeof(facts.cooked) + sys.getsizeof(outlet) + sys.getsizeof(below) + POST_OVERHEAD
    )
