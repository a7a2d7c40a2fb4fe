"""Command-line interface: ``flask --app forum ...`` or the ``forum`` script."""

from flask import Flask


def register_commands(app: Flask) -> None:
    """Attach the forum's commands to the app's CLI group."""


def main() -> None:
    """Entry point of the ``forum`` script (same commands as ``flask --app forum``)."""
    from flask.cli import FlaskGroup

    from forum import create_app

    FlaskGroup(create_app=create_app)()
