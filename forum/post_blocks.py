"""A topic page's posts rendered once per version, then served from memory.

Most of a post's HTML is the same for every reader who sees the same things:
the author line, the text, the like count, which actions show. A page asks
``PostBlocks`` for each post; it gathers the post's *facts* (everything
``boards/_post.html`` reads, the reader's own answers included: liked,
bookmarked, may edit, may delete...) and renders the template only for facts
it has not seen, keeping the result in a bounded per-process LRU. The key is
the facts themselves, with the language, time zone, topic and link prefix:
an edit, a like, a deletion, a rename or a new avatar changes a fact, so the
next reader gets a new rendering, and a moderator's controls are in the
moderator's facts only. The template reads nothing else (it gets ``f`` and
``p`` and the translation calls), so nothing it shows can be missing from the
key. The relative time ("5 min") is a fact too, worked out per request.

The reader's CSRF token is the one piece that differs between people with the
same facts: the block holds a slot that each request fills in. So do the
plugins' outlets below a post (``post_footer``, and ``below_first_post`` on
the first), which a plugin renders per reader. A slot is NUL characters, which
neither escaping nor the Markdown renderer (it replaces NUL, as CommonMark
says) lets into a page.

A block runs from the post's opening tag to its closing one, its list of
replies included, so the page joins 20 strings instead of running a template
loop per post (``post_list``).
"""

import sys
import threading
from collections import OrderedDict
from datetime import datetime
from typing import NamedTuple

from flask import current_app, request
from flask_babel import get_locale, get_timezone
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context
from markupsafe import Markup, escape

from forum.kept_pages import building, marker
from forum.templating import relative_times
from forum.urls import TopicPostUrls, UrlPattern

#: What one kept block costs beside its text: its key (the facts, ~30 fields
#: and their strings) and the LRU's slot.
ENTRY_OVERHEAD = 1024
_SLOT = "\x00csrf\x00"
_OUTLET = "\x00outlet\x00"
_BELOW = "\x00below\x00"
_EXTENSION = "forum.post_blocks"


class PostFacts(NamedTuple):
    """Everything ``boards/_post.html`` shows of one post, for one reader."""

    id: int
    number: int
    deleted: bool
    hidden: bool
    first_unread: bool
    username: str
    name: str
    display_name: str | None
    avatar_key: str | None
    avatar_small_key: str | None
    created_at: datetime
    relative_time: str
    reply_to: int | None
    reply_to_username: str | None
    reply_to_name: str | None
    reply_context: str
    show_text: bool
    ignored: bool
    cooked: str
    edited: bool
    like_count: int
    liked: bool
    can_like: bool
    can_reply: bool
    can_bookmark: bool
    bookmarked: bool
    can_edit: bool
    can_delete: bool
    can_restore: bool
    can_flag: bool
    #: Replies to the post, as (post number, name) pairs.
    replies: tuple


class BlockCache:
    """Rendered blocks by key, least recently used dropped first; thread-safe.

    Bounded by bytes, not entries: a block's size varies a hundredfold (a
    one-line reply, a long post with a table), and one character beyond Latin-1
    (an emoji, a typographic quote) makes Python keep the whole text at two or
    four bytes a character. ``max_bytes`` counts each block's real size
    (``sys.getsizeof``) plus ``ENTRY_OVERHEAD`` for its key.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.blocks: OrderedDict[tuple, str] = OrderedDict()
        self.lock = threading.Lock()

    @staticmethod
    def cost(block: str) -> int:
        return sys.getsizeof(block) + ENTRY_OVERHEAD

    def get(self, key: tuple) -> str | None:
        with self.lock:
            block = self.blocks.get(key)
            if block is not None:
                self.blocks.move_to_end(key)
            return block

    def set(self, key: tuple, block: str) -> None:
        cost = self.cost(block)
        with self.lock:
            old = self.blocks.pop(key, None)
            if old is not None:
                self.bytes -= self.cost(old)
            if cost > self.max_bytes:
                return  # larger than the whole cache: rendered each time
            self.blocks[key] = block
            self.bytes += cost
            while self.bytes > self.max_bytes:
                _key, dropped = self.blocks.popitem(last=False)
                self.bytes -= self.cost(dropped)

    def __len__(self) -> int:
        return len(self.blocks)


def app_block_cache(app, extension: str, setting: str) -> BlockCache:
    """Return the app's ``extension`` cache of ``setting`` kilobytes (made on first use)."""
    cache = app.extensions.get(extension)
    if cache is None:
        limit = int(app.config[setting]) * 1024
        cache = app.extensions.setdefault(extension, BlockCache(limit))
    return cache


def block_cache(app) -> BlockCache:
    """Return the app's cache of rendered posts."""
    return app_block_cache(app, _EXTENSION, "POST_BLOCKS_CACHE_KB")


class _Links:
    """The page's link patterns and CSRF slot, made only when a post is rendered."""

    def __init__(self, topic, with_reply: bool, csrf: str) -> None:
        self.csrf = csrf
        self.outlet = _OUTLET
        self.below = _BELOW
        self.post_href = TopicPostUrls(topic)
        self.author_href = UrlPattern("users.profile", "username")
        self.letter_avatar_src = UrlPattern("users.avatar", "username", size=48)
        self.revisions_href = UrlPattern("boards.revisions", "post_id")
        self.like_action = UrlPattern("boards.like", "post_id")
        self.bookmark_action = UrlPattern("boards.bookmark", "post_id")
        self.edit_href = UrlPattern("boards.edit_post", "post_id")
        self.delete_action = UrlPattern("boards.delete_post", "post_id")
        self.restore_action = UrlPattern("boards.restore_post", "post_id")
        self.flag_href = UrlPattern("moderation.flag", "post_id")
        if with_reply:
            self.reply_href = UrlPattern("boards.reply", "to", topic_id=topic.id)
            self.quote_href = UrlPattern("boards.reply", "to", topic_id=topic.id, quote=1)


class PostBlocks:
    """One page's posts: ``blocks(item)`` returns a post's block as Markup."""

    def __init__(self, context) -> None:
        app = current_app._get_current_object()
        self.cache = block_cache(app)
        self.template = context.environment.get_template("boards/_post.html")
        self.topic = context["topic"]
        view = context["view"]
        user = context["current_user"]
        authenticated = bool(user.is_authenticated)
        self.with_reply = bool(context.get("can_reply"))
        self.is_member = authenticated and bool(user.is_member)
        self.ignored = context.get("ignored_user_ids") or frozenset()
        last_read = view.last_read_post_number
        self.first_unread = last_read + 1 if last_read else None
        self.authenticated = authenticated
        self.token = str(escape(generate_csrf())) if authenticated else ""
        self.page = _page_key(self.topic, authenticated)
        self._links: _Links | None = None
        self.relative_time = relative_times()

    @classmethod
    def for_kept(cls, environment, topic, with_reply: bool) -> "PostBlocks":
        """Blocks for a member's kept page (forum/member_pages/topic.py), which
        gives ``block_of`` the facts itself: no template context needed."""
        blocks = cls.__new__(cls)
        blocks.cache = block_cache(current_app._get_current_object())
        blocks.template = environment.get_template("boards/_post.html")
        blocks.topic = topic
        blocks.with_reply = with_reply
        blocks.authenticated = True
        blocks.page = _page_key(topic, True)
        blocks._links = None
        return blocks

    def facts(self, item) -> PostFacts:
        post = item.post
        author = post.user
        number = post.post_number
        deleted = post.is_deleted
        return PostFacts(
            id=post.id,
            number=number,
            deleted=deleted,
            hidden=post.is_hidden,
            first_unread=number == self.first_unread,
            username=author.username,
            name=author.name,
            display_name=author.display_name,
            avatar_key=author.avatar_key,
            avatar_small_key=author.avatar_small_key,
            created_at=post.created_at,
            relative_time=self.relative_time(post.created_at),
            reply_to=post.reply_to_post_number,
            reply_to_username=item.reply_to_username,
            reply_to_name=item.reply_to_name,
            reply_context=item.reply_context,
            show_text=item.show_text,
            ignored=post.user_id in self.ignored,
            cooked=post.cooked,
            edited=post.version > 1,
            like_count=post.like_count,
            liked=item.liked,
            can_like=item.can_like,
            can_reply=self.with_reply and not deleted,
            can_bookmark=self.is_member,
            bookmarked=item.bookmarked,
            can_edit=item.can_edit,
            can_delete=item.can_delete,
            can_restore=item.can_restore,
            can_flag=item.can_flag,
            replies=tuple((reply.post_number, reply.name) for reply in item.replies),
        )

    def block(self, item) -> str:
        """Return a post's kept block, its slots still open."""
        return self.block_of(self.facts(item))

    def block_of(self, facts: PostFacts) -> str:
        """Return the kept block of ``facts``, its slots still open."""
        # The text is in the key by its length and hash, not itself: the block
        # holds it once already, and a worker's memory is counted (aim < 100 MB).
        cooked = facts.cooked
        key = (self.page, facts._replace(cooked=(len(cooked), hash(cooked))))
        block = self.cache.get(key)
        if block is None:
            if self._links is None:
                slot = _SLOT if self.authenticated else ""
                self._links = _Links(self.topic, self.with_reply, slot)
            block = self.template.render(f=facts, p=self._links)
            self.cache.set(key, block)
        return block

    def page_of(self, items, outlets: dict, below_first_post: str) -> Markup:
        """Return the blocks of ``items`` with the reader's token and outlets filled in."""
        below = str(below_first_post)
        parts = []
        for item in items:
            block = self.block(item)
            parts += (with_outlets(block, self.token, outlets.get(item.post.id, ""), below), "\n")
        return Markup("".join(parts))  # noqa: S704 (rendered by an autoescaping template)

    def keep_page(self, items, outlets: dict, below_first_post: str, build) -> Markup:
        """Record the posts' facts and outlets for a kept page (forum/boards/kept_topic.py)
        and return one slot per post where ``page_of`` puts the block."""
        kept = build.data["posts"] = []
        for item in items:
            outlet = str(outlets.get(item.post.id, ""))
            below = str(below_first_post) if item.post.post_number == 1 else ""
            kept.append((self.facts(item), item.post, outlet, below))
        return Markup("".join(f"{marker(f'post:{i}')}\n" for i in range(len(kept))))  # noqa: S704


def _page_key(topic, authenticated: bool) -> tuple:
    """What a block depends on beside its facts: the language, the zone, the links."""
    return (
        str(get_locale()),
        str(get_timezone()),
        request.script_root,
        topic.id,
        topic.slug,
        authenticated,
    )


def with_outlets(block: str, token: str, outlet: str, below: str) -> str:
    """Return a kept block with the reader's token and the plugins' outlets in its slots."""
    if token:
        block = block.replace(_SLOT, token)
    # Split at the slots before anything is inserted: what a plugin renders is
    # never searched for a slot.
    head, _slot, tail = block.partition(_OUTLET)
    return f"{head}{outlet}{tail.replace(_BELOW, below)}"


@pass_context
def post_list(context, outlets: dict, below_first_post: str) -> Markup:
    """Template global: the page's posts, ``{{ post_list(post_outlets, below) }}``;
    one slot per post while a member page is built to be kept (forum/kept_pages.py)."""
    blocks = PostBlocks(context)
    build = building()
    if build is not None:
        return blocks.keep_page(context["view"].posts, outlets, below_first_post, build)
    return blocks.page_of(context["view"].posts, outlets, below_first_post)


def register(app) -> None:
    app.jinja_env.globals["post_list"] = post_list
