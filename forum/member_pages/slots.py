"""The slots every kept member page has (forum/kept_pages.py): the header's personal
part, the plugins' links and sidebar, the language form's return address."""

from flask import current_app, request
from flask_babel import get_locale
from markupsafe import escape

from forum import kept_pages, plugins
from forum.member_pages.reader import user_nav
from forum.templating import plugin_nav_links


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
        *((str(link.label), link.endpoint, tuple(sorted(link.values.items()))) for link in links),
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


def _sidebar(user) -> str:
    outlet = plugins.render_outlet("sidebar", user=user)
    if not outlet:
        return ""
    return current_app.jinja_env.get_template("_sidebar.html").render(sidebar_outlet=outlet)
