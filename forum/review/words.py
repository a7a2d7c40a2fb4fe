"""Watched words: block a post, hold it for review, or censor a word."""

import re
from dataclasses import dataclass

import sqlalchemy as sa

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


def screen(text: str) -> Screening:
    """Check ``text`` (title and body together) against the watched words."""
    rows = db.session.execute(sa.select(WatchedWord.word, WatchedWord.action)).all()
    by_action: dict[WatchedWordAction, list[str]] = {action: [] for action in WatchedWordAction}
    for word, action in rows:
        by_action[action].append(word)
    found = {}
    for action in (WatchedWordAction.BLOCK, WatchedWordAction.HOLD):
        pattern = _pattern(by_action[action])
        match = pattern.search(text) if pattern else None
        found[action] = match.group(0) if match else None
    return Screening(
        blocked_by=found[WatchedWordAction.BLOCK],
        held_by=found[WatchedWordAction.HOLD],
        censor_pattern=_pattern(by_action[WatchedWordAction.CENSOR]),
    )


def list_words() -> list[WatchedWord]:
    return list(
        db.session.scalars(sa.select(WatchedWord).order_by(WatchedWord.action, WatchedWord.word))
    )
