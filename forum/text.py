"""Small text helpers shared by the domains."""

import re
import unicodedata

_GERMAN = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
)


def slugify(text: str, max_length: int = 80) -> str:
    """Return a URL slug; German umlauts become ae/oe/ue as Germans expect."""
    text = unicodedata.normalize("NFKD", text.translate(_GERMAN))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:max_length].rstrip("-") or "thema"


def excerpt(text: str, length: int = 200) -> str:
    """Return the first ``length`` characters of plain text, cut at a word."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + "…"


#: Characters that change how a line reads without being seen ("Trojan Source"):
#: the bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: What a name or a title may not hold: the bidi controls and marks (U+061C,
#: U+200E, U+200F), invisible spaces and operators (U+200B, U+2060-U+2064,
#: U+FEFF, U+180E), the deprecated format characters (U+206A-U+206F), the
#: soft hyphen, blank fillers (Hangul) and interlinear annotations. The zero
#: width joiner and non-joiner (U+200D, U+200C) stay: emoji sequences
#: (👩‍🌾) and Persian or Indic writing need them.
HIDDEN_IN_A_LINE = re.compile(
    "[\u00ad\u061c\u115f\u1160\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb]"
)


def hidden_characters(text: str) -> list[str]:
    """Return the hidden characters of ``text`` a line may not hold, as "U+202E", once each."""
    return list(dict.fromkeys(f"U+{ord(c):04X}" for c in HIDDEN_IN_A_LINE.findall(text)))


def without_hidden_characters(text: str) -> str:
    """Return ``text`` without the characters ``hidden_characters`` names."""
    return HIDDEN_IN_A_LINE.sub("", text)


def without_bidi_controls(text: str) -> str:
    """Return ``text`` without bidi embeddings, overrides and isolates."""
    return BIDI_CONTROLS.sub("", text)
