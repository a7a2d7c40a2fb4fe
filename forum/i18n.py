"""Language and time zone: German first, English too."""

from flask import Flask, current_app, has_request_context, request, session
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup, escape

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


def _lazy_string_as_text(self: LazyString) -> Markup:
    """Return the translated text escaped: it is text, never markup."""
    return escape(str(self))


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel's lazy strings claim to be safe HTML (``__html__`` returns the
    # bare text), so Jinja, ``escape`` and ``Markup.format`` pass them through
    # unescaped, with any input interpolated into them: ``_l("Nobody here is
    # called @%(name)s.", name=...)`` became markup (flask-babel issues #121,
    # #224; intended upstream). Ours are text; a message meant to hold markup
    # must be built with ``Markup.format`` from an escaped template.
    LazyString.__html__ = _lazy_string_as_text


__all__ = ["init_app", "select_locale"]
