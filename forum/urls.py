"""URL helpers: links to topics and categories, and checked redirect targets."""

import re
from urllib.parse import quote, urlsplit

from flask import url_for

#: Stand-ins for the values a pattern leaves open: numbers no real link carries,
#: so that both the int and the default string converter pass them unchanged.
_SLOT_BASE = 7_318_264_905_000
_SLOT = re.compile(r"7318264905(\d{3})")
# Werkzeug's default (string) converter quotes a path segment with these kept as they are.
_SEGMENT_SAFE = "!$&'()*+,/:;=@"


def topic_url(topic, post_number: int | None = None) -> str:
    """Return the path of a topic, or of one of its posts."""
    if post_number and post_number > 1:
        return url_for("boards.topic", slug=topic.slug, topic_id=topic.id, post_number=post_number)
    return url_for("boards.topic", slug=topic.slug, topic_id=topic.id)


class UrlPattern:
    """A link built once by ``url_for`` with some values left open, then filled in per item.

    A page with many links of one kind (a post's reply, like or edit link, a
    poster's avatar) pays for one ``url_for`` instead of one per item. Numbers
    are written as they are (path or query); strings only into the path, as
    Werkzeug's default converter quotes a segment (tests/test_urls.py compares
    with ``url_for``).
    """

    __slots__ = ("_fallback", "_parts")

    def __init__(self, endpoint: str, *open_names: str, **values) -> None:
        slots = {name: _SLOT_BASE + index for index, name in enumerate(open_names)}
        # The open values first: query arguments keep the order url_for gives them.
        built = url_for(endpoint, **slots, **values)
        pieces = _SLOT.split(built)
        # split() alternates text and slot numbers: text, slot, text, slot, ..., text.
        texts, order = pieces[0::2], [int(number) for number in pieces[1::2]]
        self._fallback = None
        if sorted(order) != list(range(len(open_names))):
            # A fixed value holds a stand-in (a slug "7318264905001"), or the
            # converter changed one: url_for for every item, as without a pattern.
            self._fallback = (endpoint, open_names, values)
            return
        in_query = ["?" in "".join(texts[: place + 1]) for place in range(len(order))]
        self._parts = (tuple(texts), tuple(zip(order, in_query, strict=True)))

    def __call__(self, *values) -> str:
        if self._fallback is not None:
            endpoint, open_names, fixed = self._fallback
            return url_for(endpoint, **dict(zip(open_names, values, strict=True)), **fixed)
        texts, slots = self._parts
        out = [texts[0]]
        for text, (index, in_query) in zip(texts[1:], slots, strict=True):
            value = values[index]
            if type(value) is int:
                out.append(str(value))
            elif in_query:
                raise TypeError("only numbers fill in a query argument")
            else:
                out.append(quote(value, safe=_SEGMENT_SAFE))
            out.append(text)
        return "".join(out)


class TopicPostUrls:
    """``topic_url(topic, n)`` for many posts of one topic, with two ``url_for`` calls."""

    __slots__ = ("_post", "first")

    def __init__(self, topic) -> None:
        self.first = topic_url(topic)
        self._post = UrlPattern("boards.topic", "post_number", slug=topic.slug, topic_id=topic.id)

    def __call__(self, post_number: int | None = None) -> str:
        if post_number and post_number > 1:
            return self._post(post_number)
        return self.first


def category_url(category, **params) -> str:
    """Return the path of a category's topic list (``params`` filter it)."""
    return url_for("boards.category", slug=category.slug, category_id=category.id, **params)


def safe_next_url(target: str | None) -> str | None:
    """Return ``target`` if it is a relative path on this site, else None."""
    if not target:
        return None
    target = target.strip()
    # Browsers treat a backslash like a slash: "/\\evil.example" leaves the site.
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    # request.full_path ends in "?" when there is no query string.
    return target.rstrip("?") or "/"
