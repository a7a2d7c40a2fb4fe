"""Feed routes: RSS and Atom for the latest topics, a category, a topic and a
person's activity; the page with a member's personal feed addresses; the
embeddable list of the latest topics for club web sites.

Guests' feeds hold public content only. A member's personal address
(``?key=``) shows what that member may read; a renewed key voids the old one.
"""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin, current_user, login_required

from forum import permissions
from forum.api import feed_keys, feeds
from forum.api.views import bp
from forum.auth import accounts
from forum.boards import queries
from forum.extensions import runtime_setting
from forum.mail import absolute_url
from forum.security import EMBED_CONTENT_SECURITY_POLICY
from forum.users.models import User

KINDS = "<any(rss, atom):kind>"
MIME = {"rss": "application/rss+xml", "atom": "application/atom+xml"}
EMBED_LIMIT = 10


def feed_viewer():
    """The person a feed is for: the key's member, else a guest (never the session:
    a feed address is copied into readers that send no cookies)."""
    key = request.args.get("key")
    if key is None:
        return AnonymousUserMixin()
    user = feed_keys.feed_user(key)
    if user is None:
        abort(404)
    return user


def feed_self_link(endpoint: str, **values) -> str:
    key = request.args.get("key")
    return absolute_url(endpoint, **values, **({"key": key} if key else {}))


def post_link(post) -> str:
    values = {"slug": post.topic.slug, "topic_id": post.topic.id}
    if post.post_number > 1:
        values["post_number"] = post.post_number
    return absolute_url("boards.topic", **values)


def _feed(kind: str, info: feeds.FeedInfo, posts) -> Response:
    return feed_response(kind, info, [feeds.post_entry(post, post_link(post)) for post in posts])


def feed_response(kind: str, info: feeds.FeedInfo, entries) -> Response:
    """The feed as RSS or Atom, cached briefly unless it is a personal one."""
    body = feeds.render(info, entries, kind)
    response = Response(body, mimetype=MIME[kind])
    response.headers["Content-Type"] = f"{MIME[kind]}; charset=utf-8"
    # Personal feeds are private to their reader; public ones may be cached briefly.
    personal = "key" in request.args
    response.headers["Cache-Control"] = "private, no-store" if personal else "public, max-age=300"
    return response


@bp.get(f"/latest.{KINDS}")
def latest_feed(kind: str):
    viewer = feed_viewer()
    info = feeds.FeedInfo(
        title=f"{runtime_setting('SITE_NAME')}: {_('Latest topics')}",
        description=_("The newest topics"),
        link=absolute_url("boards.latest"),
        self_link=feed_self_link("api.latest_feed", kind=kind),
    )
    return _feed(kind, info, feeds.latest_topics(viewer))


@bp.get(f"/c/<slug>/<int:category_id>.{KINDS}")
def category_feed(slug: str, category_id: int, kind: str):
    viewer = feed_viewer()
    category = queries.get_category(category_id)
    if category is None or not permissions.can_read_category(viewer, category):
        abort(404)
    info = feeds.FeedInfo(
        title=f"{runtime_setting('SITE_NAME')}: {category.name}",
        description=category.description or category.name,
        link=absolute_url("boards.category", slug=category.slug, category_id=category.id),
        self_link=feed_self_link(
            "api.category_feed", slug=category.slug, category_id=category.id, kind=kind
        ),
    )
    return _feed(kind, info, feeds.latest_topics(viewer, category))


@bp.get(f"/t/<slug>/<int:topic_id>.{KINDS}")
def topic_feed(slug: str, topic_id: int, kind: str):
    viewer = feed_viewer()
    topic = queries.get_topic(topic_id)
    if (
        topic is None
        or topic.deleted_at is not None
        or not permissions.can_read_topic(viewer, topic)
    ):
        abort(404)
    info = feeds.FeedInfo(
        title=topic.title,
        description=topic.title,
        link=absolute_url("boards.topic", slug=topic.slug, topic_id=topic.id),
        self_link=feed_self_link("api.topic_feed", slug=topic.slug, topic_id=topic.id, kind=kind),
    )
    return _feed(kind, info, feeds.topic_posts(viewer, topic))


@bp.get(f"/u/<username>/activity.{KINDS}")
def user_feed(username: str, kind: str):
    viewer = feed_viewer()
    user: User | None = accounts.get_user_by_username(username)
    if user is None:
        abort(404)
    info = feeds.FeedInfo(
        title=f"{runtime_setting('SITE_NAME')}: {user.name}",
        description=_("Topics and replies by %(name)s", name=user.name),
        link=absolute_url("users.profile", username=user.username),
        self_link=feed_self_link("api.user_feed", username=user.username, kind=kind),
    )
    return _feed(kind, info, feeds.user_activity(viewer, user))


@bp.get("/feeds")
def feed_page():
    """The feed addresses: public ones for everybody, personal ones for members."""
    token = feed_keys.feed_token(current_user) if permissions.is_member(current_user) else None
    return render_template(
        "api/feeds.html",
        token=token,
        categories=queries.readable_categories(current_user, archived=False),
    )


@bp.post("/feeds/renew")
@login_required
def renew_feed_key():
    """New personal feed addresses; the old ones stop working (say, one was shared)."""
    if not permissions.is_member(current_user):
        abort(403)
    feed_keys.renew_feed_token(current_user)
    flash(_("Your personal feeds have new addresses; the old ones no longer work."), "success")
    return redirect(url_for("api.feed_page") + "#personal-feeds")


@bp.get("/embed/latest")
def embed_latest():
    """The latest public topics as plain HTML for a club's web site (an iframe or
    fetched by its server): no JavaScript, no cookies, guests' view only."""
    guest = AnonymousUserMixin()
    category = None
    wanted = request.args.get("category", type=int)
    if wanted is not None:
        category = queries.get_category(wanted) if 0 < wanted < 2**31 else None
        if category is None or not permissions.can_read_category(guest, category):
            abort(404)
    posts = feeds.latest_topics(guest, category)[:EMBED_LIMIT]
    response = Response(
        render_template(
            "api/embed_latest.html",
            posts=posts,
            category=category,
            post_link=post_link,
            more_link=absolute_url("boards.latest"),
        )
    )
    response.headers["Content-Security-Policy"] = EMBED_CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
