"""The watching control on topic and category pages, rendered once and kept.

The control (``notifications/_level.html``: four levels with their labels and
help texts, all translated) is the same for every reader whose level is the
same, apart from the reader's CSRF token: it is rendered with a slot for the
token (NUL characters, as in forum/post_blocks.py) and kept per language, link
prefix, form address, element id, kind (topic or category) and level. The
reader's level is still read per page (one query); only the rendering is kept.
"""

from flask import current_app, request
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context
from markupsafe import Markup, escape

from forum.kept_pages import building, marker
from forum.notifications.watch_views import watch_level
from forum.post_blocks import BlockCache, app_block_cache

_EXTENSION = "forum.level_box"
_CSRF = "\x00level-csrf\x00"
_TEMPLATE = "notifications/_level.html"


def level_cache(app) -> BlockCache:
    """Return the app's kept watching controls (a few per language and page kind;
    bounded by the reply forms' setting, as small and as many)."""
    return app_block_cache(app, _EXTENSION, "REPLY_BOX_CACHE_KB")


@pass_context
def level_box(context, action: str, control_id: str, topic=None, category=None) -> Markup:
    """Template global: ``level_control(action, watch_level(...), control_id)``, kept."""
    build = building()
    if build is not None:
        # A member's page being kept (forum/kept_pages.py): each reader's level
        # fills the slot (forum/member_pages asks ``level_html``).
        build.data["level"] = (action, control_id)
        return Markup(marker("level"))  # noqa: S704 (no input)
    return Markup(level_html(context.environment, action, control_id, topic, category))  # noqa: S704


def level_html(environment, action: str, control_id: str, topic=None, category=None,
               level=None) -> str:  # fmt: skip
    """Return the control for the reader's level (``level``: already known, no query)."""
    # With the level known, the key needs no state: the options' labels and help
    # texts (eight lazy strings) are gathered only when the control is rendered.
    state = None if level is not None else watch_level(topic=topic, category=category)
    key = (
        str(get_locale()),
        request.script_root,
        action,
        control_id,
        topic is not None,
        state["current"] if state is not None else level.name.lower(),
    )
    cache = level_cache(current_app._get_current_object())
    block = cache.get(key)
    if block is None:
        if state is None:
            state = watch_level(topic=topic, category=category, level=level)
        macro = environment.get_template(_TEMPLATE).module.level_control
        block = str(macro(action, state, control_id, csrf=_CSRF))
        cache.set(key, block)
    return block.replace(_CSRF, str(escape(generate_csrf())))


def register(app) -> None:
    app.jinja_env.globals["level_box"] = level_box
