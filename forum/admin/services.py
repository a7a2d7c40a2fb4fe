"""Admin changes that belong to no other domain: settings, site texts, watched words.

Each function validates, applies the change, writes the audit log entry and
commits, all in one transaction.
"""

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from forum.admin.settings_catalog import BY_KEY
from forum.db import utcnow
from forum.errors import AdminError
from forum.extensions import db
from forum.moderation.models import WatchedWord, WatchedWordAction
from forum.review.audit import log_action
from forum.search.models import SearchMiss
from forum.site import services as site
from forum.site.models import SiteText
from forum.users.models import User

# --- Settings -----------------------------------------------------------------------------


def current_settings() -> dict[str, Any]:
    return {key: site.setting(key) for key in site.RUNTIME_SETTINGS}


def update_settings(admin: User, values: dict[str, Any]) -> list[str]:
    """Store the changed runtime settings; return the keys that changed."""
    for key, value in values.items():
        if key not in BY_KEY or BY_KEY[key].problem(value):
            raise AdminError(_l("Invalid value for %(key)s.", key=key))
    before = current_settings()
    changed = [key for key, value in values.items() if before[key] != value]
    for key in changed:
        site.set_setting(key, values[key])
        log_action(
            admin, "change_setting", target_type="setting", target_label=key,
            old=before[key], new=values[key],
        )  # fmt: skip
    if "SEARCH_LOG_DAYS" in changed:
        _prune_search_log(values["SEARCH_LOG_DAYS"])
    db.session.commit()
    return changed


def _prune_search_log(days: int) -> None:
    """A shorter retention applies at once (searches write and prune it as well)."""
    oldest_kept = utcnow().date() - timedelta(days=days)
    db.session.execute(sa.delete(SearchMiss).where(SearchMiss.day <= oldest_kept))


# --- Site texts -----------------------------------------------------------------------------


def save_site_text(admin: User, key: str, title: str, raw: str) -> SiteText:
    """Save a new version of a site text (older versions stay)."""
    text = site.save_text(key, title, raw, admin.id)
    db.session.flush()
    log_action(
        admin, "edit_site_text", target_type="site_text", target_id=text.id, target_label=key,
        version=text.version,
    )  # fmt: skip
    db.session.commit()
    return text


def text_versions(key: str, limit: int = 20) -> list[SiteText]:
    return list(
        db.session.scalars(
            sa.select(SiteText)
            .where(SiteText.key == key)
            .order_by(SiteText.version.desc())
            .limit(limit)
        )
    )


def get_text_version(key: str, version: int) -> SiteText | None:
    return db.session.scalar(
        sa.select(SiteText).where(SiteText.key == key, SiteText.version == version)
    )


# --- Watched words --------------------------------------------------------------------------


def add_watched_word(admin: User, word: str, action: str) -> WatchedWord:
    word = " ".join(word.split()).lower()
    if not word or word.strip("*") == "":
        raise AdminError(_l("Please enter a word."))
    action = WatchedWordAction(action)
    exists = db.session.scalar(
        sa.select(WatchedWord.id).where(WatchedWord.word == word, WatchedWord.action == action)
    )
    if exists:
        raise AdminError(_l("This word is on the list already."))
    watched = WatchedWord(word=word, action=action)
    db.session.add(watched)
    try:
        db.session.flush()
    except IntegrityError:
        # Another admin added the same word a moment ago.
        db.session.rollback()
        raise AdminError(_l("This word is on the list already.")) from None
    log_action(
        admin, "add_watched_word", target_type="watched_word", target_id=watched.id,
        target_label=word, watched_action=action.value,
    )  # fmt: skip
    db.session.commit()
    return watched


def remove_watched_word(admin: User, watched: WatchedWord) -> None:
    log_action(
        admin, "remove_watched_word", target_type="watched_word", target_id=watched.id,
        target_label=watched.word, watched_action=watched.action.value,
    )  # fmt: skip
    db.session.delete(watched)
    db.session.commit()


def get_watched_word(word_id: int) -> WatchedWord | None:
    return db.session.get(WatchedWord, word_id)


def find_actor(username: str) -> User | None:
    from forum.auth.accounts import get_user_by_username

    return get_user_by_username(username) if username else None
