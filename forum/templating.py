"""Jinja filters and globals: formatting only, no queries and no logic."""

from datetime import UTC, datetime
from functools import lru_cache

from babel import dates, numbers
from flask import Flask, url_for
from flask.globals import _cv_app
from flask_babel import (
    format_date,
    format_datetime,
    get_locale,
    get_timezone,
    get_translations,
)
from markupsafe import Markup

from forum.db import utcnow
from forum.extensions import runtime_setting
from forum.urls import TopicPostUrls, UrlPattern, category_url, topic_url


def relative_time(value: datetime | None) -> str:
    """Return a short relative time ("5 min.") like Discourse's lists."""
    if value is None:
        return ""
    return _relative(value, utcnow(), _translations().ugettext)


def relative_times():
    """Return ``relative_time`` for the many dates of one page, with the clock
    and the request's catalogue read once (a topic page asks for 20)."""
    now = utcnow()
    gettext = _translations().ugettext
    zone: list = []

    def relative(value: datetime | None) -> str:
        return "" if value is None else _relative(value, now, gettext, zone)

    return relative


def _relative(value: datetime, now: datetime, _, zone: list | None = None) -> str:
    # The request's catalogue directly: a list shows a few dozen of these
    # (named _ so that pybabel still extracts the strings).
    seconds = (now - value.astimezone(UTC)).total_seconds()
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        return _("%(n)d min") % {"n": int(seconds // 60)}
    if seconds < 86400:
        return _("%(n)d h") % {"n": int(seconds // 3600)}
    if seconds < 86400 * 30:
        return _("%(n)d d") % {"n": int(seconds // 86400)}
    if zone is None:
        return _medium_date(value, get_locale(), get_timezone())
    if not zone:
        # Flask-Babel's lookups, once for the page's older posts.
        zone += (get_locale(), get_timezone())
    return _medium_date(value, *zone)


def time_tag(value: datetime | None, relative: str | None = None) -> Markup:
    """Return a <time> element: relative text (``relative`` when the caller
    worked it out already), full date as title."""
    if value is None:
        return Markup("")
    # Babel directly, with the request's locale and time zone (Flask-Babel's
    # format_datetime looks both up again for every post of a page).
    full = _full_date(value, get_locale(), get_timezone())
    return Markup('<time datetime="%s" title="%s">%s</time>') % (
        value.isoformat(),
        full,
        relative_time(value) if relative is None else relative,
    )


#: Dates kept formatted, per cache: ~280 bytes an entry (the instant, the text, the
#: cache's links), so 4,096 took ~1.1 MB a cache once a worker had shown that many
#: posts' dates (bench/README.md, session 15). Dates are formatted only when a post
#: block or a topic row is rendered (a miss of POST_BLOCKS_CACHE_KB's or
#: TOPIC_ROWS_CACHE_KB's cache), whose instants repeat while those caches keep
#: them (~250 posts, ~750 rows): 1,024 hold what is rendered again.
DATE_CACHE_SIZE = 1024


# A date's full form depends on nothing but the instant, the locale and the time
# zone (Babel's formatting is slow; a page shows dozens of dates the next shows again).
@lru_cache(maxsize=DATE_CACHE_SIZE)
def _full_date(value: datetime, locale, tzinfo) -> str:
    return dates.format_datetime(value, "medium", tzinfo=tzinfo, locale=locale)


# What Flask-Babel's ``format_date(value, "medium")`` returns (the app sets no
# ``date_formats``), kept: a topic page or list asks for it per post or row, and
# Flask-Babel looks up the locale, the time zone and the format again each time.
@lru_cache(maxsize=DATE_CACHE_SIZE)
def _medium_date(value: datetime, locale, tzinfo) -> str:
    return dates.format_date(tzinfo.normalize(value.astimezone(tzinfo)), "medium", locale=locale)


def format_number(value) -> str:
    """Return a number as the request's locale writes it (1.234 or 1,234)."""
    return _format_number(value, get_locale())


@lru_cache(maxsize=4096)
def _format_number(value, locale) -> str:
    return numbers.format_decimal(value, locale=locale)


def _translations():
    """The request's translations, looked up once per locale and request.

    Templates translate a few hundred strings per page; Flask-Babel's own
    ``gettext`` finds the domain, the locale and the catalogue again through
    ``g`` for each. Kept beside Flask-Babel's locale in its context: when
    ``force_locale`` (mails) or ``refresh`` changes the locale, the
    catalogue is looked up again.
    """
    ctx = _cv_app.get(None)
    babel_ctx = ctx.g.__dict__.get("_flask_babel") if ctx is not None else None
    if babel_ctx is not None:
        cached = babel_ctx.__dict__.get("forum_translations")
        state = babel_ctx.__dict__
        if (
            cached is not None
            and cached[0] is state.get("babel_locale")
            and cached[1] is state.get("babel_domain")
        ):
            return cached[2]
    translations = get_translations()
    if ctx is not None:
        babel_ctx = ctx.g.__dict__.get("_flask_babel")
        state = babel_ctx.__dict__ if babel_ctx is not None else {}
        if state.get("babel_locale") is not None:
            # The objects themselves (not their ids): kept alive, compared by identity.
            babel_ctx.forum_translations = (
                state["babel_locale"],
                state.get("babel_domain"),
                translations,
            )
    return translations


def _template_gettext(string: str) -> str:
    return _translations().ugettext(string)


def _template_ngettext(singular: str, plural: str, num: int) -> str:
    return _translations().ungettext(singular, plural, num)


def plugin_context() -> dict:
    """Navigation links and the sidebar contributed by plugins, for every page."""
    from flask import has_request_context, request
    from flask_login import current_user

    from forum import plugins

    # Mails are rendered outside requests; static files need no navigation.
    if not has_request_context() or request.endpoint == "static":
        return {}
    # A plugin's contribution is rendered with render_template, which asks this
    # function again: inside it the page's links and sidebar are not needed (a
    # sidebar contribution rendered itself without end; forum/plugins/calls.py).
    if plugins.rendering_a_contribution():
        return {}
    return {
        "plugin_nav_links": plugin_nav_links(current_user),
        "sidebar_outlet": plugins.render_outlet("sidebar", user=current_user),
    }


def plugin_nav_links(user, links=None) -> list[dict]:
    """The plugins' links in the main navigation (``links``: the hook's answer, when
    the caller asked already), as ``_plugin_nav.html`` reads them."""
    from flask import request

    from forum import plugins

    return [
        {"label": link.label, "url": url_for(link.endpoint, **link.values),
         "current": request.endpoint == link.endpoint}
        for link in (plugins.nav_links(user) if links is None else links)
    ]  # fmt: skip


def register(app: Flask) -> None:
    app.context_processor(plugin_context)
    app.jinja_env.filters.update(
        datetime=format_datetime,
        date=format_date,
        number=format_number,
        timeago=time_tag,
    )
    app.jinja_env.globals.update(
        topic_url=topic_url,
        # Many links of one kind on a page: one url_for, then filled in per item.
        url_pattern=UrlPattern,
        topic_post_urls=TopicPostUrls,
        category_url=category_url,
        get_locale=get_locale,
        site_name=lambda: runtime_setting("SITE_NAME"),
    )
    # Flask-Babel's callables, with the catalogue looked up once per request.
    app.jinja_env.install_gettext_callables(_template_gettext, _template_ngettext, newstyle=True)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
