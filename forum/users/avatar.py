"""Letter avatars drawn by the forum itself: no third-party image service."""

import hashlib

from markupsafe import escape

#: Sizes the pages ask for; anything else is a 404, so the cache stays small.
SIZES = frozenset({24, 32, 48, 64, 96, 120})

# Dark enough that white letters keep a contrast of at least 4.5:1 (WCAG AA).
PALETTE = (
    "0b6e4f", "1d4ed8", "7c3aed", "b91c1c", "9d174d", "0e7490",
    "4d7c0f", "a16207", "c2410c", "374151", "115e59", "6d28d9",
)  # fmt: skip


def avatar_color(username: str) -> str:
    """Return the hex colour for a username; the same name always gets the same one."""
    digest = hashlib.sha256(username.lower().encode()).digest()
    return PALETTE[int.from_bytes(digest[:4], "big") % len(PALETTE)]


def letter_avatar_svg(username: str, size: int) -> str:
    """Return an SVG circle with the username's first letter."""
    letter = escape((username[:1] or "?").upper())
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 100 100" role="img" aria-label="{letter}">'
        f'<circle cx="50" cy="50" r="50" fill="#{avatar_color(username)}"/>'
        f'<text x="50" y="50" dy="0.35em" text-anchor="middle" fill="#ffffff" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" '
        f'font-size="52" font-weight="600">{letter}</text></svg>'
    )
