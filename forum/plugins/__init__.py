"""The plugin manager: discovery, enabling, and the one call site of each hook.

Plugins come from two places: every module or package in the plugins folder
(``PLUGINS_DIR``, by default ``plugins/`` beside the ``forum`` package) and
the ``forum.plugins`` entry-point group (pip-installable plugins). Only the
names listed in ``PLUGINS`` are loaded. The manager belongs to the app
(``app.extensions["forum.plugins"]``), never to a module global.

Callers and plugins import this package (``from forum.plugins import Reject``);
the work is split by responsibility: ``results`` (the types hooks return and
the checks of every answer), ``loading`` (finding, importing and registering
plugins) and ``calls`` (one helper per hook).
"""

from forum.plugins.calls import (
    OUTLETS,
    api_fields,
    markdown_extensions,
    migration_folders,
    nav_links,
    notification_text,
    notify_event,
    permission_allowed,
    prepare_topic_list,
    render_outlet,
    rendering_a_contribution,
    review_kinds,
    search_boosts,
    search_fields,
    search_filters,
    search_result_extras,
    similar_topics,
    startup_blueprints,
    startup_commands,
    topic_list_outlets,
    validate_post,
)
from forum.plugins.loading import (
    ENTRY_POINT_GROUP,
    PluginError,
    PluginInfo,
    build_manager,
    get_manager,
    init_app,
    installed_plugins,
    plugin_infos,
)
from forum.plugins.results import (
    Contribution,
    Hold,
    NavLink,
    Reject,
    ReviewKind,
    SearchFilter,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "OUTLETS",
    "Contribution",
    "Hold",
    "NavLink",
    "PluginError",
    "PluginInfo",
    "Reject",
    "ReviewKind",
    "SearchFilter",
    "api_fields",
    "build_manager",
    "get_manager",
    "init_app",
    "installed_plugins",
    "markdown_extensions",
    "migration_folders",
    "nav_links",
    "notification_text",
    "notify_event",
    "permission_allowed",
    "plugin_infos",
    "prepare_topic_list",
    "render_outlet",
    "rendering_a_contribution",
    "review_kinds",
    "search_boosts",
    "search_fields",
    "search_filters",
    "search_result_extras",
    "similar_topics",
    "startup_blueprints",
    "startup_commands",
    "topic_list_outlets",
    "validate_post",
]
