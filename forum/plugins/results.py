"""What hooks return: the types plugins build, and the checks every call helper
applies to the answers (skip None, fail loudly on a wrong type)."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reject:
    """``validate_post``: refuse the post; ``message`` is shown to the user."""

    message: str


@dataclass(frozen=True)
class Hold:
    """``validate_post``: queue the post for review; ``reason`` is for the moderator."""

    reason: str


@dataclass(frozen=True)
class Contribution:
    """``extra_outlet``: a template of the plugin, rendered with ``context``."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    #: True when the rendering depends on the reader only through what every
    #: reader of a kept member page shares (forum/kept_pages.py): their role,
    #: whether they are silenced, whether they wrote the topic, and the forum's
    #: permission answers that follow from these. Forms may hold ``csrf_token()``
    #: (a slot each reader's token fills). Anything else personal (an RSVP, a
    #: count of one's own) must leave it False: the page is then rendered for
    #: each reader and never kept.
    shared: bool = False


@dataclass(frozen=True)
class NavLink:
    """``register_nav_links``: a link in the main navigation."""

    label: Any
    endpoint: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReviewKind:
    """``register_review_kinds``: a kind of item in the review queue."""

    name: str
    label: Any
    template: str
    #: action name -> (button label, function(moderator, item, form))
    actions: Mapping[str, tuple[Any, Callable]] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchFilter:
    """``register_search_filters``: ``name:value`` in search queries."""

    name: str
    handler: Callable


def _results(results: list, expected: type | tuple[type, ...], hook: str) -> list:
    """Drop None; fail loudly when a plugin returns the wrong type."""
    checked = []
    for result in results:
        if result is None:
            continue
        if not isinstance(result, expected):
            raise TypeError(f"hook {hook} returned {result!r}, expected {expected}")
        checked.append(result)
    return checked


def _flatten(results: list, item_type: type, hook: str) -> list:
    items = []
    for result in _results(results, (list, tuple), hook):
        items += _results(list(result), item_type, hook)
    return items
