"""The plugin manager: discovery, enabling, and the one call site of each hook.

Plugins come from two places: every module or package in the plugins folder
(``PLUGINS_DIR``, by default ``plugins/`` beside the ``forum`` package) and
the ``forum.plugins`` entry-point group (pip-installable plugins). Only the
names listed in ``PLUGINS`` are loaded. The manager belongs to the app
(``app.extensions["forum.plugins"]``), never to a module global.
"""

import importlib
import importlib.metadata
import importlib.util
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from flask import Flask, current_app, render_template
from markupsafe import Markup

from forum import hookspecs

ENTRY_POINT_GROUP = "forum.plugins"


class PluginError(RuntimeError):
    """A plugin could not be loaded; the message names it."""


# --- What hooks return ------------------------------------------------------------------


@dataclass(frozen=True)
class Reject:
    """``validate_post``: refuse the post; ``message`` is shown to the user."""

    message: str


@dataclass(frozen=True)
class Hold:
    """``validate_post``: queue the post for review; ``reason`` is for the moderator."""

    reason: str


@dataclass(frozen=True)
class Contribution:
    """``extra_outlet``: a template of the plugin, rendered with ``context``."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NavLink:
    """``register_nav_links``: a link in the main navigation."""

    label: Any
    endpoint: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReviewKind:
    """``register_review_kinds``: a kind of item in the review queue."""

    name: str
    label: Any
    template: str
    #: action name -> (button label, function(moderator, item, form))
    actions: Mapping[str, tuple[Any, Callable]] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchFilter:
    """``register_search_filters``: ``name:value`` in search queries."""

    name: str
    handler: Callable


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str
    source: str
    enabled: bool
    hooks: tuple[str, ...]


# --- Loading ----------------------------------------------------------------------------


def _folder_plugins(folder: Path) -> dict[str, Path]:
    """Return plugin name -> path for the modules and packages in ``folder``."""
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(("_", ".")):
            continue
        if path.is_dir() and (path / "__init__.py").exists():
            found[path.name] = path / "__init__.py"
        elif path.suffix == ".py":
            found[path.stem] = path
    return found


def _import_from_folder(name: str, folder: Path):
    """Import ``folder/name`` as ``forum_plugins.name`` (module or package)."""
    namespace = sys.modules.get("forum_plugins")
    if namespace is None:
        # A package of our own for folder plugins, so they can import their
        # submodules (``from forum_plugins.events import models``).
        namespace = types.ModuleType("forum_plugins")
        namespace.__path__ = []
        sys.modules["forum_plugins"] = namespace
    if str(folder) not in namespace.__path__:
        namespace.__path__.append(str(folder))
    try:
        return importlib.import_module(f"forum_plugins.{name}")
    except Exception as error:
        raise PluginError(f"Plugin {name!r} (in {folder}) failed to import: {error!r}") from error


def installed_plugins(app: Flask) -> dict[str, tuple[str, Callable[[], Any]]]:
    """Return name -> (source, loader) for every plugin found, enabled or not."""
    found: dict[str, tuple[str, Callable[[], Any]]] = {}
    folder = Path(app.config["PLUGINS_DIR"]).resolve()
    for name, path in _folder_plugins(folder).items():
        found[name] = (str(path), lambda name=name: _import_from_folder(name, folder))
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        found[entry_point.name] = (
            f"{entry_point.value} ({entry_point.dist.name if entry_point.dist else 'entry point'})",
            entry_point.load,
        )
    return found


def build_manager(app: Flask, builtins: Iterable[ModuleType] = ()) -> pluggy.PluginManager:
    """Create the app's plugin manager with the enabled plugins; fail loudly.

    ``builtins`` are the forum's own hook implementations (the app factory passes
    them, so this core module imports no rule module that calls back into it).
    """
    manager = pluggy.PluginManager("forum")
    manager.add_hookspecs(hookspecs)
    for module in builtins:
        manager.register(module, name=module.__name__)
    available = installed_plugins(app)
    for name in app.config["PLUGINS"]:
        if name not in available:
            raise PluginError(
                f"Plugin {name!r} is enabled in PLUGINS but not installed "
                f"(looked in {app.config['PLUGINS_DIR']} and the {ENTRY_POINT_GROUP!r} "
                "entry points)."
            )
        _source, load = available[name]
        try:
            module = load()
        except PluginError:
            raise
        except Exception as error:
            raise PluginError(f"Plugin {name!r} failed to import: {error!r}") from error
        manager.register(module, name=name)
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as error:
        raise PluginError(f"Plugin {manager.get_name(error.plugin)!r}: {error}") from error
    return manager


def plugin_infos(app: Flask) -> list[PluginInfo]:
    """Describe installed plugins for the admin page and ``flask plugins``."""
    manager = get_manager(app)
    infos = []
    for name, (source, load) in sorted(installed_plugins(app).items()):
        module = manager.get_plugin(name)
        enabled = module is not None
        if module is None:
            try:
                module = load()
            except Exception:  # shown as not importable on the admin page, not raised
                module = None
        # pluggy marks implementations with a "forum_impl" attribute.
        hooks = tuple(
            sorted(
                attribute
                for attribute in dir(module or object())
                if hasattr(getattr(module, attribute), "forum_impl")
            )
        )
        version = getattr(module, "__version__", "") if module else ""
        infos.append(PluginInfo(name, version or "-", source, enabled, hooks))
    return infos


def get_manager(app: Flask | None = None) -> pluggy.PluginManager:
    return (app or current_app).extensions["forum.plugins"]


def init_app(app: Flask, builtins: Iterable[ModuleType] = ()) -> None:
    """Build the manager and apply the start-up hooks' settings."""
    manager = build_manager(app, builtins)
    app.extensions["forum.plugins"] = manager
    for defaults in _results(manager.hook.register_settings(app=app), dict, "register_settings"):
        for key, value in defaults.items():
            app.config.setdefault(key, value)


# --- Calling hooks ------------------------------------------------------------------------


def _results(results: list, expected: type | tuple[type, ...], hook: str) -> list:
    """Drop None; fail loudly when a plugin returns the wrong type."""
    checked = []
    for result in results:
        if result is None:
            continue
        if not isinstance(result, expected):
            raise TypeError(f"hook {hook} returned {result!r}, expected {expected}")
        checked.append(result)
    return checked


def _flatten(results: list, item_type: type, hook: str) -> list:
    items = []
    for result in _results(results, (list, tuple), hook):
        items += _results(list(result), item_type, hook)
    return items


def startup_blueprints(app: Flask) -> list:
    from flask import Blueprint

    return _flatten(get_manager(app).hook.register_blueprints(app=app), Blueprint,
                    "register_blueprints")  # fmt: skip


def startup_commands(app: Flask) -> list:
    import click

    return _flatten(get_manager(app).hook.register_commands(app=app), click.Command,
                    "register_commands")  # fmt: skip


def migration_folders(app: Flask) -> list[str]:
    """Return the migration folders of the enabled plugins and of the disabled
    folder plugins (``<plugin>/migrations``): a database that once had a
    plugin's branch must still upgrade after the plugin is turned off."""
    folders = _results(get_manager(app).hook.register_migrations(app=app), str,
                       "register_migrations")  # fmt: skip
    for name, path in _folder_plugins(Path(app.config["PLUGINS_DIR"]).resolve()).items():
        candidate = path.parent / "migrations"
        if name not in app.config["PLUGINS"] and path.name == "__init__.py" and candidate.is_dir():
            folders.append(str(candidate))
    return folders


def markdown_extensions(app: Flask) -> tuple[list[Callable], dict[str, list[str]]]:
    """Return the parser preparers and the extra allowed HTML of the enabled plugins."""
    manager = get_manager(app)
    allowed: dict[str, list[str]] = {}
    for extra in _results(manager.hook.register_allowed_html(), dict, "register_allowed_html"):
        for tag, attributes in extra.items():
            allowed.setdefault(tag, []).extend(attributes)

    def prepare(parser) -> None:
        manager.hook.prepare_markdown(parser=parser)

    return [prepare], allowed


def validate_post(**arguments) -> Reject | Hold | None:
    """Ask every plugin about a post; the first Reject wins, then the first Hold.

    A plugin that raises blocks the write (fail closed).
    """
    from flask_babel import gettext as _

    try:
        verdicts = _results(
            get_manager().hook.validate_post(**arguments), (Reject, Hold), "validate_post"
        )
    except Exception:
        current_app.logger.exception("A plugin failed in validate_post")
        return Reject(_("This post could not be checked. Please try again later."))
    rejections = [v for v in verdicts if isinstance(v, Reject)]
    holds = [v for v in verdicts if isinstance(v, Hold)]
    return (rejections or holds or [None])[0]


def notify_event(event: str, **arguments) -> None:
    """Call an event hook (``post_created``, ``user_approved``, ...) after a commit.

    A plugin that raises here is logged; the change it reacts to has happened.
    """
    hook = getattr(get_manager().hook, event)
    try:
        hook(**arguments)
    except Exception:
        current_app.logger.exception("A plugin failed in %s", event)


def permission_allowed(user, action: str, obj) -> bool:
    """Return the first answer to ``permission_allowed``; no answer and a failing plugin refuse."""
    try:
        answer = get_manager().hook.permission_allowed(user=user, action=action, obj=obj)
    except Exception:
        current_app.logger.exception("A plugin failed in permission_allowed (%s)", action)
        return False
    if answer is None:
        return False
    if not isinstance(answer, bool):
        raise TypeError(f"hook permission_allowed returned {answer!r}, expected bool or None")
    return answer


def api_fields(kind: str, obj, user, data: dict) -> dict:
    """Add the plugins' ``extra_api_fields`` to ``data``; core fields stay."""
    for extra in _results(
        get_manager().hook.extra_api_fields(kind=kind, obj=obj, user=user), dict,
        "extra_api_fields",
    ):  # fmt: skip
        for key, value in extra.items():
            data.setdefault(key, value)
    return data


def review_kinds() -> dict[str, ReviewKind]:
    kinds = _flatten(get_manager().hook.register_review_kinds(), ReviewKind,
                     "register_review_kinds")  # fmt: skip
    return {kind.name: kind for kind in kinds}


def notification_text(kind: str, data: dict, topic) -> str | None:
    """Return a plugin's sentence for a notification kind (``describe_notification``)."""
    try:
        text = get_manager().hook.describe_notification(kind=kind, data=data, topic=topic)
    except Exception:
        current_app.logger.exception("A plugin failed in describe_notification (%s)", kind)
        return None
    return str(text) if text is not None else None


def search_fields(posts: list[tuple[int, int, int]], session) -> dict[int, str]:
    """Return post id -> extra text the plugins want indexed with it."""
    fields: dict[int, str] = {}
    for extra in _results(
        get_manager().hook.extra_search_fields(posts=posts, session=session),
        dict,
        "extra_search_fields",
    ):
        for post_id, text in extra.items():
            fields[post_id] = f"{fields.get(post_id, '')} {text}".strip()
    return fields


def search_boosts(posts: list[tuple[int, int, int]], session) -> dict[int, float]:
    """Return post id -> the product of the plugins' ranking factors for it
    (``extra_search_boosts``)."""
    boosts: dict[int, float] = {}
    for extra in _results(
        get_manager().hook.extra_search_boosts(posts=posts, session=session),
        dict,
        "extra_search_boosts",
    ):
        for post_id, factor in extra.items():
            boosts[post_id] = boosts.get(post_id, 1.0) * float(factor)
    return boosts


def similar_topics(user, title: str, limit: int = 5) -> list:
    """Return up to ``limit`` readable topics like ``title`` (``similar_topics``
    hook; the search answers it), or [] when no answer or it fails."""
    try:
        found = get_manager().hook.similar_topics(user=user, title=title, limit=limit)
    except Exception:
        current_app.logger.exception("similar_topics failed")
        return []
    return list(found or [])[:limit]


def search_result_extras(topics: list, user) -> dict[int, Markup]:
    """Return topic id -> what the plugins show under its search result
    (``extra_search_results``); a failing plugin is left out."""
    manager = get_manager()
    if not topics or not manager.hook.extra_search_results.get_hookimpls():
        return {}
    parts: dict[int, list[str]] = {}
    for implementation in reversed(manager.hook.extra_search_results.get_hookimpls()):
        try:
            arguments = {"topics": topics, "user": user}
            found = implementation.function(
                **{name: value for name, value in arguments.items()
                   if name in implementation.argnames}
            )  # fmt: skip
            for topic_id, contribution in (found or {}).items():
                if not isinstance(contribution, Contribution):
                    raise TypeError(f"extra_search_results gave {contribution!r}")
                html = render_template(contribution.template, **contribution.context)
                parts.setdefault(topic_id, []).append(html)
        except Exception:
            current_app.logger.exception(
                "Plugin %r failed in extra_search_results", implementation.plugin_name
            )
    # Rendered templates (autoescaped), as render_outlet joins them.
    return {topic_id: Markup("").join(map(Markup, html)) for topic_id, html in parts.items()}


def search_filters(app: Flask) -> list[SearchFilter]:
    return _flatten(get_manager(app).hook.register_search_filters(), SearchFilter,
                    "register_search_filters")  # fmt: skip


def nav_links(user) -> list[NavLink]:
    try:
        return _flatten(get_manager().hook.register_nav_links(user=user), NavLink,
                        "register_nav_links")  # fmt: skip
    except Exception:
        current_app.logger.exception("A plugin failed in register_nav_links")
        return []


def prepare_topic_list(topics: list, user) -> None:
    try:
        get_manager().hook.prepare_topic_list(topics=topics, user=user)
    except Exception:
        current_app.logger.exception("A plugin failed in prepare_topic_list")


def topic_list_outlets(topics: list, user) -> dict[int, Markup]:
    """Return topic id -> the plugins' ``topic_list_item`` contributions."""
    if not get_manager().hook.extra_outlet.get_hookimpls():
        return {}
    prepare_topic_list(topics, user)
    return {
        topic.id: render_outlet("topic_list_item", user=user, topic=topic, category=topic.category)
        for topic in topics
    }


OUTLETS = (
    "topic_header",
    "below_first_post",
    "post_footer",
    "topic_list_item",
    "sidebar",
    "user_profile",
    "composer_fields",
    "organisation_profile",
)


def render_outlet(outlet: str, *, user=None, topic=None, post=None, category=None,
                  profile_user=None, organisation=None) -> Markup:  # fmt: skip
    """Render what plugins contribute to ``outlet``; a failing plugin is left out."""
    if outlet not in OUTLETS:
        raise ValueError(f"unknown outlet {outlet!r}")
    manager = get_manager()
    parts = []
    for implementation in reversed(manager.hook.extra_outlet.get_hookimpls()):
        try:
            result = implementation.function(
                **{
                    name: value
                    for name, value in {
                        "outlet": outlet, "user": user, "topic": topic, "post": post,
                        "category": category, "profile_user": profile_user,
                        "organisation": organisation,
                    }.items()
                    if name in implementation.argnames
                }
            )  # fmt: skip
            if result is None:
                continue
            if not isinstance(result, Contribution):
                raise TypeError(f"extra_outlet returned {result!r}, expected Contribution")
            parts.append(render_template(result.template, **result.context))
        except Exception:
            current_app.logger.exception(
                "Plugin %r failed in outlet %s", implementation.plugin_name, outlet
            )
    return Markup("").join(Markup(part) for part in parts)  # noqa: S704 (rendered templates)
