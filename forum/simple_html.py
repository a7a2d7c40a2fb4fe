"""The cooked HTML bleach would hand back unchanged, recognised without bleach.

Most posts are prose: paragraphs, emphasis, lists, quotes, code, no link and
no picture. For such HTML bleach (html5lib's parse, the allow-list filter and
its serialiser) was about a twentieth of a reply's CPU and gave back what it
was given, except that it writes the void tags ``<br />`` and ``<hr />`` as
``<br>`` and ``<hr>``. ``as_cleaned`` recognises that HTML in one pass and
returns it as bleach would; anything else (an attribute, another tag, a
character html5lib replaces, a nesting its tree builder would change) returns
None and goes through bleach as before. tests/test_simple_html.py compares the
two on a large set of generated posts.

Nothing here is needed for safety: whatever it accepts has no attribute, no
tag but the allow-listed ones below and no ``<`` in its text.
"""

import re

#: Tags bleach keeps (forum.markdown.ALLOWED_TAGS) that markdown writes without attributes.
INLINE = frozenset({"em", "strong", "code", "s"})
#: Tags whose content is inline: text, INLINE tags and <br>.
TEXT_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6"})
#: Tags holding blocks; an <li> holds inline content too (a tight list).
CONTAINERS = frozenset({"blockquote", "li"})
LISTS = frozenset({"ul", "ol"})
VOID = {"<br />": "<br>", "<hr />": "<hr>"}

_TAG = re.compile(r"<(/?)([a-z][a-z0-9]*)( /)?>")
#: Characters html5lib keeps as they are in text; markdown-it escapes ``&<>"``
#: as the four entities, and writes no other.
_NONCHARACTERS = "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_UNCHANGED_TEXT = re.compile(
    r"(?:[^<>&\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef\ud800-\udfff"
    + re.escape(_NONCHARACTERS)
    + r"]|&(?:amp|lt|gt|quot);)*"
)


def as_cleaned(html: str) -> str | None:
    """Return ``html`` as bleach would clean it, or None if that takes bleach."""
    stack: list[str] = []
    out: list[str] = []
    position = 0
    for tag in _TAG.finditer(html):
        if not _UNCHANGED_TEXT.fullmatch(html, position, tag.start()):
            return None
        out.append(html[position : tag.start()])
        position = tag.end()
        closing, name, void = tag.groups()
        parent = stack[-1] if stack else None
        if void:
            if closing or not _void_fits(name, parent):
                return None
            out.append(VOID[tag.group()])
            continue
        if closing:
            if parent != name:
                return None
            stack.pop()
        elif _fits(name, parent):
            # html5lib drops a newline right after <pre>; markdown writes <pre><code>.
            if name == "pre" and not html.startswith("<code>", position):
                return None
            stack.append(name)
        else:
            return None
        out.append(tag.group())
    if stack or not _UNCHANGED_TEXT.fullmatch(html, position):
        return None
    out.append(html[position:])
    return "".join(out)


def _fits(name: str, parent: str | None) -> bool:
    """Whether html5lib's tree builder puts ``<name>`` inside ``parent`` as written."""
    if name in INLINE:
        if parent == "pre":
            return name == "code"
        return parent is not None and parent not in LISTS
    if name == "li":
        return parent in LISTS
    if name in TEXT_BLOCKS or name in LISTS or name in CONTAINERS or name == "pre":
        return parent is None or parent in CONTAINERS
    return False


def _void_fits(name: str, parent: str | None) -> bool:
    if name == "br":
        return parent in TEXT_BLOCKS or parent in INLINE or parent == "li"
    if name == "hr":
        return parent is None or parent in CONTAINERS
    return False
