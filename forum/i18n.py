"""Language and time zone: German first, English too."""

from functools import lru_cache

from babel import Locale, support
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from forum.extensions import babel


def select_locale() -> Locale:
    """Pick the saved language (account, else session), else the browser's, else German."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        # CLI commands and background jobs: the default language.
        return _locale(current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return _locale(current_user.locale)
    if session.get("locale") in languages:
        return _locale(session["locale"])
    header = request.environ.get("HTTP_ACCEPT_LANGUAGE", "")
    return _locale(browser_language(header, languages, current_app.config["BABEL_DEFAULT_LOCALE"]))


#: The most ``Accept-Language`` headers whose choice is kept (they come from clients).
BROWSER_LANGUAGES_KEPT = 1000
#: Longer headers are matched each time: the kept ones take at most ~0.3 MB.
BROWSER_LANGUAGE_KEPT_LENGTH = 200
_browser_languages: dict[tuple, str] = {}


def browser_language(header: str, languages, default: str) -> str:
    """Return the language of ``languages`` the ``Accept-Language`` header prefers, or
    ``default``. Parsing and matching the header was a twentieth of a kept member
    page's time (most members keep the browser's language); browsers send a few
    different headers, so the answers are kept per header."""
    key = (header, tuple(languages), default)
    language = _browser_languages.get(key)
    if language is None:
        accept = parse_accept_header(header, LanguageAccept)
        language = accept.best_match(languages) or default
        if (
            len(header) <= BROWSER_LANGUAGE_KEPT_LENGTH
            and len(_browser_languages) < BROWSER_LANGUAGES_KEPT
        ):
            _browser_languages[key] = language
    return language


@lru_cache(maxsize=16)
def _locale(code: str) -> Locale:
    # Flask-Babel parses the selector's answer in every request (Babel checks the
    # data file on disk each time); a Locale is passed through as it is.
    return Locale.parse(code)


def _lazy_string_as_text(self: LazyString) -> Markup:
    """Return the translated text escaped: it is text, never markup."""
    return escape(str(self))


@lru_cache(maxsize=8)
def _wtforms_catalog(locale: str) -> support.Translations:
    from wtforms.i18n import messages_path

    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsTranslations:
    """WTForms' own messages in the request's language, each catalogue read once
    per process: Flask-WTF read and parsed it again in every request that built
    a form (0.3-0.4 ms of a member's topic page, for its reply form)."""

    def ugettext(self, string: str) -> str:
        return _wtforms_catalog(str(get_locale())).ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalog(str(get_locale())).ungettext(singular, plural, n)


_WTFORMS_TRANSLATIONS = _WTFormsTranslations()


def _share_wtforms_translations() -> None:
    # Flask-WTF keeps the catalogue it loaded on the request under this name
    # and loads one only when there is none (flask_wtf/i18n.py).
    request.wtforms_translations = _WTFORMS_TRANSLATIONS


#: Whether this process keeps Babel's data lean already (see below).
_LOCALE_DATA_LEAN = False


def _keep_locale_data_lean(app: Flask) -> None:
    """Load the languages' CLDR data now, keep only what the pages format with
    and let Babel's global table go (forum/locale_data.py says why).

    Once per process: Babel reads its global table without a lock, so letting
    it go while another thread formats (a second app in the same process)
    could hand that thread None.
    """
    global _LOCALE_DATA_LEAN
    if _LOCALE_DATA_LEAN:
        return
    from forum.locale_data import keep_lean

    keep_lean([app.config["BABEL_DEFAULT_LOCALE"], *app.config["LANGUAGES"]])
    _LOCALE_DATA_LEAN = True


def init_app(app: Flask) -> None:
    _keep_locale_data_lean(app)
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(_share_wtforms_translations)
    # Flask-Babel's lazy strings claim to be safe HTML (``__html__`` returns the
    # bare text), so Jinja, ``escape`` and ``Markup.format`` pass them through
    # unescaped, with any input interpolated into them: ``_l("Nobody here is
    # called @%(name)s.", name=...)`` became markup (flask-babel issues #121,
    # #224; intended upstream). Ours are text; a message meant to hold markup
    # must be built with ``Markup.format`` from an escaped template.
    LazyString.__html__ = _lazy_string_as_text


__all__ = ["init_app", "select_locale"]
