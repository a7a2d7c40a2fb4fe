"""The honest ceiling: a bare Flask app rendering 20 cooked posts with plain Jinja.

No session, no Babel, no extensions, no database at request time: the posts of the
long topic's first page are read once at start-up (plain SQLAlchemy Core) and kept
in memory; every request renders ``bare_topic.html`` (markup of the same shape and
about the same size as the forum's topic page: header, navigation, 20 posts with
avatar, author, date, cooked text and actions, footer) from them. It is the most
Flask and Jinja can do with a page of 20 posts on this machine; ``run.py`` reports
every page as a ratio to it, beside the forum's own "template ceiling".

Gunicorn entry point: ``bare:create_bare_app()`` (reads $FORUM_SQLALCHEMY_DATABASE_URI).
"""

import os
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, render_template
from jinja2 import FileSystemLoader

BARE_PATH = "/_bare/topic"

#: Markup of the shape and about the size of the forum's topic page.
BARE_TEMPLATE = Path(__file__).with_name("bare_topic.html")


def load_posts(url: str, per_page: int = 20) -> dict:
    """Return the long public topic's first page as plain values (read once)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            topic = connection.execute(
                sa.text(
                    "SELECT t.id, t.title, t.slug, c.name, c.slug FROM topics t "
                    "JOIN categories c ON c.id = t.category_id "
                    "WHERE c.read_level = 'PUBLIC' OR c.read_level = 'public' "
                    "ORDER BY t.posts_count DESC, t.id LIMIT 1"
                )
            ).one()
            rows = connection.execute(
                sa.text(
                    "SELECT p.id, p.post_number, p.cooked, p.created_at, p.like_count, "
                    "p.reply_to_post_number, u.username, u.display_name FROM posts p "
                    "JOIN users u ON u.id = p.user_id WHERE p.topic_id = :topic "
                    "ORDER BY p.post_number LIMIT :n"
                ),
                {"topic": topic[0], "n": per_page},
            ).all()
    finally:
        engine.dispose()
    posts = []
    for row in rows:
        created = row.created_at
        if isinstance(created, str):
            created = datetime.fromisoformat(created)
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        posts.append(
            {
                "id": row.id,
                "number": row.post_number,
                "cooked": row.cooked,
                "iso": created.isoformat(),
                "full": created.strftime("%d.%m.%Y, %H:%M"),
                "likes": row.like_count,
                "reply_to": row.reply_to_post_number,
                "username": row.username,
                "name": row.display_name or row.username,
            }
        )
    return {
        "topic_id": topic[0],
        "title": topic[1],
        "base": f"/t/{topic[2]}/{topic[0]}",
        "category": topic[3],
        "category_slug": topic[4],
        "posts": posts,
    }


def make_bare_app(page: dict) -> Flask:
    """Return the bare app: one route, the page rendered from memory each time."""
    app = Flask(__name__)
    # A loader like the forum's own: the template is compiled once and cached.
    app.jinja_loader = FileSystemLoader(BARE_TEMPLATE.parent)

    def topic():
        from flask import request

        return render_template(BARE_TEMPLATE.name, path=request.full_path, **page)

    app.add_url_rule(BARE_PATH, "bare_topic", topic)
    return app


def create_bare_app() -> Flask:
    """Gunicorn entry point."""
    import common

    url = os.environ.get("FORUM_SQLALCHEMY_DATABASE_URI") or common.DEFAULT_DATABASE_URL
    return make_bare_app(load_posts(url))
