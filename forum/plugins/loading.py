"""Finding, importing and registering plugins: the app's plugin manager.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from flask import Flask, current_app

from forum import hookspecs
from forum.plugins.results import _results

ENTRY_POINT_GROUP = "forum.plugins"


class PluginError(RuntimeError):
    """A plugin could not be loaded; the message names it."""


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str
    source: str
    enabled: bool
    hooks: tuple[str, ...]


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
