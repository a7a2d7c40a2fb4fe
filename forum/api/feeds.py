"""RSS 2.0 and Atom feeds: the newest posts a viewer may read, as feedgen documents.

Every query goes through the permission clauses the pages use
(``visible_topics_clause``, ``visible_posts_clause``); feeds show neither
deleted nor unlisted topics, for staff neither. The cooked HTML is cleaned
once more for feed readers and its links made absolute on ``BASE_URL``.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from urllib.parse import urljoin

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import contains_eager, joinedload

from forum import permissions
from forum.boards.models import Category, Post, Topic
from forum.extensions import db
from forum.markdown import ALLOWED_TAGS
from forum.users.models import User

FEED_LENGTH = 30
_ATTRIBUTES = {
    "a": ["href", "title"],
    "img": ["src", "alt", "width", "height"],
    "abbr": ["title"],
    "ol": ["start"],
}


@cache
def _cleaner():
    """Return the feeds' cleaner, made by the first feed: bleach with html5lib
    is ~3 MB a worker serving pages needs not load (forum/markdown.py)."""
    import bleach
    from bleach.html5lib_shim import Filter

    class AbsoluteLinks(Filter):
        """Make every href and src absolute on the forum's public address."""

        def __iter__(self):
            base = current_app.config["BASE_URL"].rstrip("/") + "/"
            for token in super().__iter__():
                if token["type"] in ("StartTag", "EmptyTag") and token.get("data"):
                    token["data"] = {
                        key: urljoin(base, value) if key[1] in ("href", "src") else value
                        for key, value in token["data"].items()
                    }
                yield token

    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_ATTRIBUTES,
        protocols={"http", "https", "mailto"},
        strip=True,
        filters=[AbsoluteLinks],
    )


def feed_html(cooked: str) -> str:
    """Return a post's cooked HTML as feed readers get it: cleaned, links absolute."""
    return _cleaner().clean(cooked)


def _posts(viewer, *conditions, order=None, limit: int = FEED_LENGTH) -> list[Post]:
    query = (
        sa.select(Post)
        .join(Post.topic)
        .join(Topic.category)
        .where(
            permissions.visible_topics_clause(viewer),
            permissions.visible_posts_clause(viewer),
            # Feeds are lists: nobody gets deleted or unlisted topics there.
            Topic.deleted_at.is_(None),
            Topic.unlisted.is_(False),
            *conditions,
        )
        .options(contains_eager(Post.topic).contains_eager(Topic.category), joinedload(Post.user))
        .order_by(*(order or (Post.created_at.desc(), Post.id.desc())))
        .limit(limit)
    )
    return list(db.session.scalars(query))


def latest_topics(viewer, category: Category | None = None) -> list[Post]:
    """The first posts of the newest topics (of one category and its children)."""
    conditions = [Post.post_number == 1, Category.archived_at.is_(None)]
    if category is not None:
        conditions = [
            Post.post_number == 1,
            sa.or_(Topic.category_id == category.id, Category.parent_id == category.id),
        ]
    return _posts(viewer, *conditions, order=(Topic.created_at.desc(), Topic.id.desc()))


def announcements(viewer, organisation_id: int) -> list[Post]:
    """The first posts of the newest topics posted as an organisation."""
    return _posts(
        viewer,
        Post.post_number == 1,
        Topic.organisation_id == organisation_id,
        order=(Topic.created_at.desc(), Topic.id.desc()),
    )


def topic_posts(viewer, topic: Topic) -> list[Post]:
    """The newest posts of one topic (the caller checked can_read_topic)."""
    return _posts(viewer, Post.topic_id == topic.id)


def user_activity(viewer, user: User) -> list[Post]:
    """The person's newest topics and replies the viewer may read."""
    return _posts(viewer, Post.user_id == user.id)


@dataclass
class FeedInfo:
    title: str
    description: str
    #: The page the feed mirrors and the feed's own address (both absolute).
    link: str
    self_link: str


@dataclass
class Entry:
    """One item of a feed, whatever it shows (a post, an organisation, an opportunity)."""

    link: str
    title: str
    author: str
    published: datetime
    updated: datetime
    #: Already cleaned by ``feed_html`` (or escaped text).
    html: str
    categories: Sequence[str] = ()


def post_entry(post: Post, link: str) -> Entry:
    """A post as a feed entry: a topic's title, with its number for a reply."""
    title = post.topic.title
    return Entry(
        link=link,
        title=title if post.post_number == 1 else f"{title} #{post.post_number}",
        author=post.user.display_name or post.user.username,
        published=post.created_at,
        updated=post.updated_at or post.created_at,
        html=feed_html(post.cooked),
        categories=(post.topic.category.name,),
    )


#: Characters XML 1.0 cannot hold (C0 controls but tab and newlines, lone surrogates,
#: U+FFFE/U+FFFF). Forms and posts take them as typed; lxml refuses the whole feed.
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _xml_entry(entry: Entry) -> Entry:
    return replace(
        entry,
        title=_xml_text(entry.title),
        author=_xml_text(entry.author),
        html=_xml_text(entry.html),
        categories=tuple(_xml_text(term) for term in entry.categories),
    )


def render(info: FeedInfo, entries: Sequence[Entry], kind: str) -> bytes:
    """Return the feed as RSS 2.0 (``kind`` "rss") or Atom ("atom") bytes;
    ``entries`` newest first."""
    # A control character in one title (a post's, an organisation's) would fail every feed.
    info = replace(info, title=_xml_text(info.title), description=_xml_text(info.description))
    entries = [_xml_entry(entry) for entry in entries]
    # Imported here, not at start: feedgen brings lxml (~4 MB of every worker's memory).
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(info.self_link)
    feed.title(info.title)
    feed.description(info.description or info.title)
    # RSS has one channel link and feedgen takes the last one given: the page.
    feed.link(href=info.self_link, rel="self")
    feed.link(href=info.link, rel="alternate")
    feed.language(current_app.config.get("BABEL_DEFAULT_LOCALE", "de"))
    feed.generator("Forum")
    if entries:
        feed.updated(max(entry.updated for entry in entries))
    # feedgen puts the entries added last first; add the oldest first.
    for item in reversed(entries):
        entry = feed.add_entry()
        entry.id(item.link)
        entry.guid(item.link, permalink=True)
        entry.title(item.title)
        entry.link(href=item.link)
        entry.author(name=item.author)
        entry.published(item.published)
        entry.updated(item.updated)
        for term in item.categories:
            entry.category(term=term)
        if kind == "rss":
            entry.description(item.html)
        else:
            entry.content(item.html, type="html")
    return feed.rss_str(pretty=True) if kind == "rss" else feed.atom_str(pretty=True)
