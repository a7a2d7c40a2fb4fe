"""Access to the app's markdown cooker."""

from flask import Flask, current_app

from forum.markdown import Cooker


def init_cooker(app: Flask) -> None:
    app.extensions["forum.cooker"] = Cooker()


def cook(raw: str) -> str:
    """Return sanitised HTML for markdown ``raw`` with the current app's cooker."""
    return current_app.extensions["forum.cooker"].cook(raw)
