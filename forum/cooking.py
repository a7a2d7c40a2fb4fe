"""Access to the app's markdown cooker."""

from flask import Flask, current_app

from forum.markdown import Cooker


def init_cooker(app: Flask) -> None:
    from forum.plugins import markdown_extensions

    preparers, allowed_html = markdown_extensions(app)
    app.extensions["forum.cooker"] = Cooker(preparers=preparers, extra_html=allowed_html)


def cook(raw: str) -> str:
    """Return sanitised HTML for markdown ``raw`` with the current app's cooker."""
    return current_app.extensions["forum.cooker"].cook(raw)
