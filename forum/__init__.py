"""Ehrenamt forum: a Discourse-style forum as a Flask package."""

import os
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask

from forum.hookspecs import hookimpl

__version__ = "0.1.0"
__all__ = ["create_app", "hookimpl"]


def create_app(
    test_config: dict[str, Any] | None = None, instance_path: str | None = None
) -> Flask:
    """Build and configure the forum application."""
    app = Flask(
        __name__,
        instance_path=instance_path or os.environ.get("FORUM_INSTANCE_PATH") or None,
        instance_relative_config=True,
    )
    app.config.from_object("forum.config")
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("FORUM")
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        database = Path(app.instance_path) / "forum.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"

    from forum import deployment

    deployment.check_settings(app)

    import forum.models  # noqa: F401 (every table known to SQLAlchemy and Alembic)
    from forum.routing import BoundedIntConverter, ForumRequest, TextConverter

    # Every <int:...> in every route (plugins' too) stays within the database's range,
    # and no <name>, query or form value holds a NUL (forum/routing.py).
    app.url_map.converters["int"] = BoundedIntConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
    app.request_class = ForumRequest
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    from forum import permissions, plugins
    from forum.messages import hooks as message_hooks
    from forum.notifications import hooks as notification_hooks
    from forum.organisations import hooks as organisation_hooks
    from forum.search import similar

    # Plugins first: their default settings must be in place for everything else.
    # The built-in answers of permission_allowed (trylast: plugins speak first),
    # of similar_topics (the search); notifications and personal messages react
    # to board events and fill outlets through hooks too; organisations add
    # their kind of review item and their notifications.
    builtins = [permissions, similar, notification_hooks, message_hooks, organisation_hooks]
    plugins.init_app(app, builtins=builtins)
    _init_extensions(app)
    _register_blueprints(app)
    from forum.organisations import logos

    logos.init_app(app)
    from forum.api.negotiation import JsonTwins

    app.wsgi_app = JsonTwins(app.wsgi_app, app)

    from forum import (
        category_cards,
        errors,
        kept_pages,
        member_pages,
        pagecache,
        post_blocks,
        security,
        templating,
        topic_rows,
    )
    from forum.boards import reply_box
    from forum.cli import register_commands
    from forum.notifications import level_box

    errors.register(app)
    security.register(app)
    templating.register(app)
    post_blocks.register(app)
    kept_pages.register(app)
    member_pages.init_app(app)
    reply_box.register(app)
    level_box.register(app)
    category_cards.register(app)
    topic_rows.register(app)
    pagecache.init_app(app)
    register_commands(app)
    for command in plugins.startup_commands(app):
        app.cli.add_command(command)
    return app


def _init_extensions(app: Flask) -> None:
    from forum import i18n, idempotency, kept, mail, session_cookies
    from forum.boards import views_count
    from forum.extensions import csrf, db, init_migrate, limiter, login_manager
    from forum.markdown import init_cooker

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", _configure_sqlite)
            database = db.engine.url.database
            if app.config["SQLITE_WRITER_QUEUE"] and database and database != ":memory:":
                from forum import sqlite_writers

                sqlite_writers.install(db.engine, database, timeout=5.0)
        elif db.engine.dialect.name == "postgresql":
            from forum.search.models import use_postgresql_index_options

            use_postgresql_index_options()
    if click.get_current_context(silent=True) is not None:
        init_migrate(app)  # `flask db ...`: only the command line migrates
    from forum.uploads import limits

    limits.init_app(app)  # before CSRF reads a form: upload requests may be larger
    session_cookies.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    views_count.init_app(app)
    idempotency.init_app(app)
    kept.init_app(app)
    mail.init_app(app)
    init_cooker(app)

    from forum import search

    search.init_app(app)
    from forum.backups import recovery

    recovery.init_app(app)

    from forum.auth.services import load_user

    login_manager.user_loader(load_user)


def _configure_sqlite(dbapi_connection, _record) -> None:
    # WAL lets readers go on while one writer commits; the busy timeout makes a
    # second writer wait instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")  # and forum/sqlite_writers.py's timeout
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _register_blueprints(app: Flask) -> None:
    # Two blueprints take their routes from several modules; importing a
    # module adds its routes (boards: lists, topic pages, post actions;
    # moderation: the review queue and the moderator tools).
    import forum.admin.api_keys_views
    import forum.admin.category_views
    import forum.admin.field_views
    import forum.admin.people_views
    import forum.admin.setup_views
    import forum.api.feed_views
    import forum.api.openapi
    import forum.api.org_feed_views
    import forum.api.review_views
    import forum.api.search_views
    import forum.api.user_views
    import forum.api.write_views
    import forum.boards.post_views
    import forum.boards.topic_views
    import forum.boards.views
    import forum.moderation.tool_views
    import forum.moderation.views
    import forum.notifications.mentions
    import forum.notifications.watch_views
    import forum.organisations.opportunity_views  # noqa: F401
    from forum.admin.views import bp as admin_bp
    from forum.api.views import bp as api_bp
    from forum.auth.views import bp as auth_bp
    from forum.boards.blueprint import bp as boards_bp
    from forum.mailing.views import bp as mailing_bp
    from forum.membership.views import bp as membership_bp
    from forum.messages.views import bp as messages_bp
    from forum.moderation.blueprint import bp as moderation_bp
    from forum.notifications.views import bp as notifications_bp
    from forum.organisations.views import bp as organisations_bp
    from forum.search.views import bp as search_bp
    from forum.site.views import bp as site_bp
    from forum.uploads.views import bp as uploads_bp
    from forum.users.views import bp as users_bp

    for blueprint in (
        api_bp, boards_bp, auth_bp, users_bp, moderation_bp, notifications_bp,
        membership_bp, site_bp, admin_bp, search_bp, mailing_bp, messages_bp, organisations_bp,
        uploads_bp,
    ):  # fmt: skip
        app.register_blueprint(blueprint)

    from forum.plugins import startup_blueprints

    for blueprint in startup_blueprints(app):
        app.register_blueprint(blueprint)
