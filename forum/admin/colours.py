"""Category colours and WCAG contrast.

A category's colour is only ever drawn as a shape: the swatch before its name
and the top border of its card (forum.css ``.swatch``, ``.category-card``;
the rules themselves come from /assets/categories.css). It never colours
text, so WCAG 2.2's 1.4.11 (non-text contrast) applies: at least 3:1 against
every background it is drawn on, in the light and in the dark scheme. Were it
ever used for text, TEXT_CONTRAST (4.5:1) would be the rule to check.
"""

import re

#: The page backgrounds of forum.css (--bg and --bg-soft), light and dark;
#: tests/admin/test_category_colours.py checks that they match the stylesheet.
BACKGROUNDS = {
    "light": ("ffffff", "f3f5f4"),
    "dark": ("151a18", "1e2522"),
}
BADGE_CONTRAST = 3.0
TEXT_CONTRAST = 4.5

_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def normalise(value: str) -> str | None:
    """Return "rrggbb" (lower case) for "#rrggbb", "rrggbb", "#rgb" or "rgb"; else None."""
    match = _HEX.fullmatch((value or "").strip())
    if match is None:
        return None
    digits = match.group(1).lower()
    return "".join(c * 2 for c in digits) if len(digits) == 3 else digits


def luminance(colour: str) -> float:
    """Relative luminance of "rrggbb" (WCAG 2.2)."""

    def channel(part: str) -> float:
        value = int(part, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def weakest_contrast(colour: str) -> tuple[str, float]:
    """Return the scheme ("light"/"dark") where ``colour`` stands out least, and that ratio."""
    return min(
        ((scheme, contrast(colour, bg)) for scheme, bgs in BACKGROUNDS.items() for bg in bgs),
        key=lambda pair: pair[1],
    )


def readable_as_badge(colour: str) -> bool:
    return weakest_contrast(colour)[1] >= BADGE_CONTRAST
