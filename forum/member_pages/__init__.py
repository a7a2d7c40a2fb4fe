"""Member pages kept with their personal parts as slots (forum/kept_pages.py).

A layer above the packages whose parts a member page shows (boards, messages,
notifications, membership, moderation): it registers its server with the
topic view (``boards.topic_views.KEPT_TOPIC_PAGES``), the latest topics and the
category pages (``boards.views.KEPT_LATEST``, ``KEPT_CATEGORY``), which ask it first.
"""

from flask import Flask

from forum.boards.topic_views import KEPT_TOPIC_PAGES
from forum.boards.views import KEPT_CATEGORY, KEPT_LATEST
from forum.member_pages import lists, topic


def init_app(app: Flask) -> None:
    if int(app.config["KEPT_PAGES_CACHE_KB"]) > 0:
        app.extensions[KEPT_TOPIC_PAGES] = topic.serve
        app.extensions[KEPT_LATEST] = lists.serve
        app.extensions[KEPT_CATEGORY] = lists.serve_category
