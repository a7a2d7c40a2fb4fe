"""Runtime settings and editable site texts."""

from typing import Any

import sqlalchemy as sa
from flask import current_app

from forum.cooking import cook
from forum.db import utcnow
from forum.extensions import db
from forum.site.models import SiteSetting, SiteText

#: Settings an admin may change in the app, with the config key of their default.
RUNTIME_SETTINGS = (
    "MEMBERSHIP_APPROVAL_REQUIRED",
    "HOLD_FIRST_POSTS",
    "FLAGS_TO_HIDE",
    "JOIN_REQUEST_NOTIFY",
)

#: Keys of the editable texts; the footer links to the legal ones.
TEXT_KEYS = ("netiquette", "impressum", "privacy", "about")


def get_setting(key: str) -> Any:
    """Return an admin's stored value for ``key``, else the config default."""
    if key not in RUNTIME_SETTINGS:
        raise KeyError(key)
    stored = db.session.get(SiteSetting, key)
    return stored.value if stored is not None else current_app.config[key]


def set_setting(key: str, value: Any) -> None:
    """Store ``value`` for ``key`` (the caller commits and writes the audit log)."""
    if key not in RUNTIME_SETTINGS:
        raise KeyError(key)
    stored = db.session.get(SiteSetting, key)
    if stored is None:
        db.session.add(SiteSetting(key=key, value=value))
    else:
        stored.value, stored.updated_at = value, utcnow()


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
