"""Command-line interface: ``flask --app forum ...`` or the ``forum`` script."""

import re

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from forum.extensions import db, init_migrate
from forum.membership.cli import moderation_cli

demo_cli = AppGroup("demo", help="German demo content for trying the forum out.")


def register_commands(app: Flask) -> None:
    """Attach the forum's commands to the app's CLI group."""
    app.cli.add_command(init_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(demo_cli)
    from forum.search.cli import search_cli

    app.cli.add_command(search_cli)
    app.cli.add_command(moderation_cli)
    app.cli.add_command(plugins_command)
    from forum.backups.cli import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    from forum.boards.cli import check_command
    from forum.mailing.cli import mail_cli

    app.cli.add_command(mail_cli)

    app.cli.add_command(check_command)
    app.cli.add_command(prune_logins_command)
    from forum.api.cli import api_key_cli
    from forum.uploads.cli import uploads_cli

    app.cli.add_command(uploads_cli)

    app.cli.add_command(api_key_cli)


def _database_label() -> str:
    return db.engine.url.render_as_string(hide_password=True)


def _current_revision() -> str | None:
    """Return the database's revisions ("a, b" with plugin branches), or None."""
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    return ", ".join(sorted(heads)) or None


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database schema (keeps existing data)."""
    from flask_migrate import upgrade

    init_migrate(current_app)
    before = _current_revision()
    if before is None and sa.inspect(db.engine).get_table_names():
        raise click.ClickException(
            f"{_database_label()} has tables but no migration history; it was not made by "
            "`flask --app forum init` or `db upgrade`. Refusing to touch it."
        )
    upgrade(revision="heads")
    after = _current_revision()
    if before is None:
        click.echo(f"Created the schema in {_database_label()} (revision {after}).")
    elif before == after:
        click.echo(f"{_database_label()} is up to date (revision {after}).")
    else:
        click.echo(f"Upgraded {_database_label()} from revision {before} to {after}.")


@click.command("create-admin")
@with_appcontext
@click.argument("username")
@click.argument("email")
@click.password_option(help="Asked for (hidden, twice) when not given.")
def create_admin_command(username: str, email: str, password: str) -> None:
    """Create a confirmed administrator account."""
    from forum.auth.accounts import create_user, email_taken, username_taken
    from forum.auth.forms import USERNAME_MAX_LENGTH, USERNAME_MIN_LENGTH
    from forum.forms import PASSWORD_MIN_LENGTH
    from forum.users.models import Role

    if not (USERNAME_MIN_LENGTH <= len(username) <= USERNAME_MAX_LENGTH) or not re.fullmatch(
        r"[A-Za-z0-9_.-]+", username
    ):
        raise click.BadParameter(
            f"use {USERNAME_MIN_LENGTH} to {USERNAME_MAX_LENGTH} letters, digits, "
            "dots, dashes or underscores.",
            param_hint="USERNAME",
        )
    if "@" not in email.strip("@"):
        raise click.BadParameter("not an e-mail address.", param_hint="EMAIL")
    if len(password) < PASSWORD_MIN_LENGTH:
        raise click.BadParameter(
            f"needs at least {PASSWORD_MIN_LENGTH} characters.", param_hint="password"
        )
    if username_taken(username):
        raise click.ClickException(f"The username {username!r} is taken.")
    if email_taken(email):
        raise click.ClickException(f"An account with the address {email!r} exists already.")
    user = create_user(username, email, password, role=Role.ADMIN, confirmed=True)
    click.echo(f"Created administrator {user.username} <{user.email}>.")


@demo_cli.command("load")
def demo_load_command() -> None:
    """Load the demo content, unless the forum has categories already."""
    from forum import demo

    if demo.load_demo():
        click.echo("Loaded the German demo content.")
    else:
        click.echo("The forum has categories already; demo content not loaded.")
    _echo_logins(demo)


@demo_cli.command("logins")
def demo_logins_command() -> None:
    """Show the demo accounts that still exist and their password."""
    from forum import demo

    _echo_logins(demo)


def _echo_logins(demo) -> None:
    accounts = demo.existing_demo_accounts()
    if not accounts:
        return
    click.echo(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD}, local demo only):")
    for username, role, name in accounts:
        click.echo(f"  {username:<16} {role:<10} {name}")
    if current_app.config["MAIL_SERVER"] == "":
        click.echo("Mails are written to instance/mail/ (no MAIL_SERVER set).")


def main() -> None:
    """Entry point of the ``forum`` script (same commands as ``flask --app forum``)."""
    from flask.cli import FlaskGroup

    from forum import create_app

    FlaskGroup(create_app=create_app)()


@click.command("plugins")
@with_appcontext
def plugins_command() -> None:
    """List installed plugins, whether enabled, and the hooks each implements."""
    from flask import current_app

    from forum.plugins import plugin_infos

    infos = plugin_infos(current_app)
    if not infos:
        click.echo("No plugins installed.")
    for info in infos:
        state = "enabled" if info.enabled else "disabled"
        click.echo(f"{info.name} {info.version} ({state}) - {info.source}")
        click.echo(f"    hooks: {', '.join(info.hooks) or '-'}")


@click.command("prune-logins")
@with_appcontext
def prune_logins_command() -> None:
    """Delete log-in records (address and time) older than LOGIN_RECORD_DAYS."""
    from forum.auth.services import prune_login_records

    removed = prune_login_records()
    db.session.commit()
    days = current_app.config["LOGIN_RECORD_DAYS"]
    click.echo(f"Deleted {removed} log-in record(s) older than {days} day(s).")
