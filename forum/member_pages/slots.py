"""What every kept member page shares (forum/kept_pages.py): who may get one, the
generation it is kept in, and the slots base.html has (the header's personal part,
the plugins' links and sidebar, the language form's return address)."""

import flask_babel
from flask import current_app, request, session
from flask_babel import get_locale
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import escape

from forum import kept_pages, plugins
from forum.extensions import runtime_setting
from forum.member_pages.reader import user_nav
from forum.pagecache import PAGES, generation
from forum.templating import plugin_nav_links


def member_asking(parameters: frozenset[str] = frozenset()):
    """Return the member asking for a page that may come kept, or None: guests,
    applicants, a flashed message waiting, a query parameter not in ``parameters``."""
    user = current_user._get_current_object()
    if not getattr(user, "is_authenticated", False) or not user.is_member:
        return None
    if session.get("_flashes") or any(name not in parameters for name in request.args):
        return None
    return user


def kept_generation() -> tuple[str, int] | None:
    """Return the page generation and how many seconds a page is kept in it; None
    without a page cache or with keeping switched off (``PAGE_CACHE_SECONDS`` 0)."""
    current = generation(current_app._get_current_object(), PAGES)
    seconds = int(runtime_setting("PAGE_CACHE_SECONDS"))
    if current is None or seconds <= 0:
        return None
    return current, seconds


def page_slot(name: str, user, facts, token: str) -> str:
    """Return the value of one of base.html's slots for ``user`` (``facts``: their
    header's counts, as ``reader.user_nav`` reads them)."""
    if name == "user_nav":
        return user_nav(user, facts).replace(kept_pages.marker("csrf"), token)
    if name == "full_path":
        return str(escape(request.full_path))
    if name == "plugin_nav":
        return _plugin_nav(user)
    if name == "sidebar":
        return _sidebar(user)
    raise LookupError(f"no value for the slot {name!r}")


def _plugin_nav(user) -> str:
    links = plugins.nav_links(user)
    if not links:
        return ""
    # Keyed by the hook's answer itself: no address built, no template rendered.
    key = (
        str(get_locale()),
        request.script_root,
        request.endpoint,
        *(
            (_label_key(link.label), link.endpoint, tuple(sorted(link.values.items())))
            for link in links
        ),
    )
    # The links as rendered, by what they are: a handful per language.
    rendered = current_app.extensions.setdefault("forum.member_pages.nav", {})
    html = rendered.get(key)
    if html is None:
        template = current_app.jinja_env.get_template("_plugin_nav.html")
        html = template.render(plugin_nav_links=plugin_nav_links(user, links))
        if len(rendered) < 64:  # bounded: links come from code, not from readers
            rendered[key] = html
    return html


#: Translations whose text depends on their message, arguments and language alone.
_TRANSLATIONS = (flask_babel.gettext, flask_babel.ngettext, flask_babel.pgettext)


def _label_key(label) -> object:
    """What a link's label renders to in the key's language: a lazy translation's
    message and arguments (translating it took half the slot's time), else its text."""
    if isinstance(label, LazyString) and label._func in _TRANSLATIONS:
        key = (label._func, label._args, tuple(sorted(label._kwargs.items())))
        try:
            hash(key)
        except TypeError:  # an argument that cannot be a key: its text, then
            return str(label)
        return key
    return str(label)


def _sidebar(user) -> str:
    outlet = plugins.render_outlet("sidebar", user=user)
    if not outlet:
        return ""
    return current_app.jinja_env.get_template("_sidebar.html").render(sidebar_outlet=outlet)
