"""URL helpers: links to topics and categories, and checked redirect targets."""

from urllib.parse import urlsplit

from flask import url_for


def topic_url(topic, post_number: int | None = None) -> str:
    """Return the path of a topic, or of one of its posts."""
    if post_number and post_number > 1:
        return url_for("boards.topic", slug=topic.slug, topic_id=topic.id, post_number=post_number)
    return url_for("boards.topic", slug=topic.slug, topic_id=topic.id)


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
