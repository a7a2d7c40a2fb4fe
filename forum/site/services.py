"""Runtime settings and editable site texts."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_request_context, request
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from forum import pagecache
from forum.db import utcnow
from forum.extensions import db
from forum.markdown import cook
from forum.site.defaults import DEFAULT_TEXTS, cooked_defaults
from forum.site.models import SiteSetting, SiteText

#: Settings an admin may change in the app; the default is the config value of
#: the same name (forum/config.py). Labels, sections and limits are in
#: forum/admin/settings_catalog.py.
RUNTIME_SETTINGS = (
    "SITE_NAME",
    "SITE_DESCRIPTION",
    "MEMBERSHIP_APPROVAL_REQUIRED",
    "INVITATION_DAYS",
    "HOLD_FIRST_POSTS",
    "FLAGS_TO_HIDE",
    "POST_RATE_LIMIT",
    "TOPICS_PER_PAGE",
    "POSTS_PER_PAGE",
    "JOIN_REQUEST_NOTIFY",
    "EMAIL_NOTIFY_DELAY_MINUTES",
    "SEARCH_LOG_DAYS",
    "SEARCH_PER_PAGE",
    "SEARCH_EXTRA_WORDS",
    "PAGE_CACHE_SECONDS",
    "UPLOAD_TYPES",
    "UPLOAD_MAX_MB",
    "UPLOADS_PER_DAY",
    "UPLOAD_HOLD_POSTS",
)

#: Keys of the editable texts; the footer links to the legal ones.
TEXT_KEYS = ("netiquette", "impressum", "privacy", "about")

_CACHE_KEY = "forum.site_settings"
#: Where an app keeps the values it read last, with the settings generation then.
_PROCESS_KEY = "forum.site_settings.process"


def _read_stored() -> dict[str, Any] | None:
    """Return the stored values (one statement); None when the database failed."""
    try:
        rows = db.session.execute(sa.select(SiteSetting.key, SiteSetting.value)).all()
    except SQLAlchemyError:
        db.session.rollback()
        return None
    return {key: value for key, value in rows}


def _process_stored() -> dict[str, Any] | None:
    """Return the stored values, read once per settings generation in this process."""
    return pagecache.kept_per_settings_generation(_PROCESS_KEY, _read_stored)


def _stored() -> dict[str, Any]:
    """Return the admin's stored values: in a request, from this process's copy
    while the settings generation stands, else one statement."""
    if not has_request_context():
        return _read_stored() or {}
    cache = request.environ.get(_CACHE_KEY)
    if cache is None:
        values = _process_stored()
        if values is None:
            # An error page rendered after a failed transaction must still render
            # (with the config's values).
            return {}
        # A copy: set_setting writes into the request's dict before the commit.
        cache = dict(values)
        request.environ[_CACHE_KEY] = cache
    return cache


def setting(key: str) -> Any:
    """Return the run-time value of ``key``: the admin's stored value, else the
    config default. Stored values are read once per request."""
    if key not in RUNTIME_SETTINGS:
        raise KeyError(key)
    stored = _stored()
    return stored[key] if key in stored else current_app.config[key]


def site_name() -> str:
    """The forum's name (header, page titles, mails): the admin's or the configured one."""
    return setting("SITE_NAME")


def set_setting(key: str, value: Any) -> None:
    """Store ``value`` for ``key`` (the caller commits and writes the audit log)."""
    if key not in RUNTIME_SETTINGS:
        raise KeyError(key)
    stored = db.session.get(SiteSetting, key)
    if stored is None:
        db.session.add(SiteSetting(key=key, value=value))
    else:
        stored.value, stored.updated_at = value, utcnow()
    if has_request_context():
        # The rest of this request reads the new value (the process's copy is
        # the committed one; it is read again after the commit's bump).
        _stored()[key] = value


def init_app(app: Flask) -> None:
    """Let the core (templates, mails) read run-time settings without importing
    this package (forum.extensions.runtime_setting)."""
    app.extensions["forum.runtime_setting"] = setting


def current_text(key: str) -> SiteText | None:
    """Return the latest version of a site text, or None if never written."""
    return db.session.scalar(
        sa.select(SiteText).where(SiteText.key == key).order_by(SiteText.version.desc()).limit(1)
    )


def save_text(key: str, title: str, raw: str, editor_id: int | None) -> SiteText:
    """Store a new version of a site text (the caller commits)."""
    if key not in TEXT_KEYS:
        raise KeyError(key)
    latest = current_text(key)
    text = SiteText(
        key=key,
        version=(latest.version + 1) if latest else 1,
        title=title.strip(),
        raw=raw,
        cooked=cook(raw),
        updated_by_id=editor_id,
    )
    db.session.add(text)
    return text


@dataclass(frozen=True)
class PageText:
    """A site text ready to show: the latest saved version, or the built-in default."""

    key: str
    title: str
    raw: str
    cooked: str
    #: 0 for the built-in default that nobody has saved yet.
    version: int
    updated_at: datetime | None = None


def page_text(key: str) -> PageText:
    """Return what a page shows for ``key`` (one query; defaults are cooked once per app)."""
    if key not in TEXT_KEYS:
        raise KeyError(key)
    text = current_text(key)
    if text is not None:
        return PageText(key, text.title, text.raw, text.cooked, text.version, text.created_at)
    cache = current_app.extensions.setdefault("forum.default_texts", {})
    if key not in cache:
        title, raw = DEFAULT_TEXTS[key]
        cache[key] = PageText(key, title, raw, _cooked_default(key, raw), 0)
    return cache[key]


def _cooked_default(key: str, raw: str) -> str:
    """Return a default text's HTML: kept cooked (forum/site/defaults.py) unless
    plugins change cooking or the kept copy is of another text."""
    cooker = current_app.extensions["forum.cooker"]
    kept = cooked_defaults().get(key)
    if kept is not None and kept["raw"] == raw and not cooker.preparers and not cooker.extra_html:
        return kept["cooked"]
    return cook(raw)


def ensure_text(key: str) -> SiteText:
    """Return the latest saved version, first saving the default as version 1.

    An applicant accepts a stored version, so what they agreed to can be read
    again later even after the default in the code changes.
    """
    text = current_text(key)
    if text is not None:
        return text
    title, raw = DEFAULT_TEXTS[key]
    save_text(key, title, raw, None)
    try:
        db.session.commit()
    except IntegrityError:
        # Another request saved the first version at the same moment.
        db.session.rollback()
    return current_text(key)
