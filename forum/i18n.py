"""Language and time zone: German first, English too."""

from flask import Flask, current_app, has_request_context, request, session
from flask_login import current_user

from forum.extensions import babel


def select_locale() -> str:
    """Pick the saved language (account, else session), else the browser's, else German."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        # CLI commands and background jobs: the default language.
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)


__all__ = ["init_app", "select_locale"]
