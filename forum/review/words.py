"""Watched words: block a post, hold it for review, or censor a word."""

import re
from dataclasses import dataclass

import sqlalchemy as sa

from forum import pagecache
from forum.extensions import db
from forum.moderation.models import WatchedWord, WatchedWordAction


@dataclass(frozen=True)
class Screening:
    """What the watched words say about a text."""

    blocked_by: str | None = None
    held_by: str | None = None
    censor_pattern: re.Pattern | None = None

    def censor(self, text: str) -> str:
        if self.censor_pattern is None:
            return text
        return self.censor_pattern.sub(lambda match: "■" * len(match.group(0)), text)


def _pattern(words: list[str]) -> re.Pattern | None:
    if not words:
        return None
    # "*" is a wildcard inside a word; everything else is literal.
    alternatives = "|".join(re.escape(word).replace(r"\*", r"\w*") for word in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


#: Where an app keeps the patterns it made last, with the settings generation then.
_PROCESS_KEY = "forum.watched_words.process"


def _read_patterns() -> dict[WatchedWordAction, re.Pattern | None]:
    """Read the watched words (one statement) and make a pattern per action."""
    rows = db.session.execute(sa.select(WatchedWord.word, WatchedWord.action)).all()
    by_action: dict[WatchedWordAction, list[str]] = {action: [] for action in WatchedWordAction}
    for word, action in rows:
        by_action[action].append(word)
    return {action: _pattern(words) for action, words in by_action.items()}


def _patterns() -> dict[WatchedWordAction, re.Pattern | None]:
    """Return the patterns, read once per settings generation in this process
    (a commit that changes ``watched_words`` bumps it: ``pagecache.SETTINGS_TABLES``)."""
    return pagecache.kept_per_settings_generation(_PROCESS_KEY, _read_patterns)


def screen(text: str) -> Screening:
    """Check ``text`` (title and body together) against the watched words."""
    patterns = _patterns()
    found = {}
    for action in (WatchedWordAction.BLOCK, WatchedWordAction.HOLD):
        pattern = patterns[action]
        match = pattern.search(text) if pattern else None
        found[action] = match.group(0) if match else None
    return Screening(
        blocked_by=found[WatchedWordAction.BLOCK],
        held_by=found[WatchedWordAction.HOLD],
        censor_pattern=patterns[WatchedWordAction.CENSOR],
    )


def list_words() -> list[WatchedWord]:
    return list(
        db.session.scalars(sa.select(WatchedWord).order_by(WatchedWord.action, WatchedWord.word))
    )
