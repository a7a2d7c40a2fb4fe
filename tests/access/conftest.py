"""The plugin fixtures (a database with the plugins' migration branches) for the matrix."""

from tests.plugins.conftest import _plugin_database, plugin_app_config

__all__ = ["_plugin_database", "plugin_app_config"]
