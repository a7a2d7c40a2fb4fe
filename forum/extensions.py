"""Flask extensions, created unbound and initialised in the app factory."""

import os
from pathlib import Path

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from forum.db import db

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@migrate.configure
def _add_plugin_migrations(config):
    """Let Alembic see the migration branches of the enabled plugins.

    Each plugin's tables live on a branch of their own, so the schema has
    several heads: upgrade with ``flask --app forum db upgrade heads``.
    """
    from flask import current_app

    from forum.plugins import migration_folders

    folders = migration_folders(current_app)
    if folders:
        core = Path(__file__).parent / "migrations" / "versions"
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", os.pathsep.join([str(core), *folders]))
    return config


__all__ = ["babel", "csrf", "db", "limiter", "login_manager", "migrate"]
