"""Cooking: markdown to safe HTML, done once when a post is written or edited.

markdown-it-py parses CommonMark with tables, strikethrough and linkified URLs;
raw HTML in the source is not passed through. bleach then cleans the result
against an allow-list, so even a parser bug cannot let script through. Images
are only allowed from this forum's uploads (``/uploads/<key>``): a remote image
would make every reader's browser contact a third party (a data-protection
problem in Germany), and any other address of the forum would be requested by
every reader's browser. ``![alt](upload://<key>)`` names an upload; the caller
passes what it knows of them (``Embed``) and cooking writes its address, size,
``srcset`` and ``loading="lazy"``.

markdown-it-py and bleach (with html5lib: ~4 MB of modules) are imported by
the first cooking, not at start: a worker that only serves pages never loads
them (tests/test_worker_memory.py).
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from flask import Flask, current_app

from forum.plugins import markdown_extensions
from forum.text import without_bidi_controls

if TYPE_CHECKING:
    import bleach
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
        "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
        "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip


#: An upload's address: the only image source cooked posts may have.
UPLOAD_URL = re.compile(r"^/uploads/[0-9a-f]{64}\.(?:jpg|png|webp|gif)$")
_SRCSET_ITEM = re.compile(r"^/uploads/[0-9a-f]{64}\.(?:jpg|png|webp|gif) [1-9][0-9]{0,4}w$")
#: "upload://<key>" in markdown; the key as forum.uploads.storage makes it.
UPLOAD_REFERENCE = re.compile(r"upload://([0-9a-f]{64}\.(?:jpg|png|webp|gif|pdf))")
#: How wide a post's picture is shown: the text column (about 40rem) or the screen.
IMAGE_SIZES = "(max-width: 44rem) 100vw, 40rem"


@dataclass(frozen=True)
class Embed:
    """What cooking needs to know of an upload a post names (``upload://<key>``)."""

    url: str
    is_image: bool
    width: int | None = None
    height: int | None = None
    #: "url 800w, url 400w" for pictures with smaller sizes; "" otherwise.
    srcset: str = ""


def upload_keys(text: str) -> set[str]:
    """Return the upload keys ``text`` names (``upload://<key>``)."""
    return set(UPLOAD_REFERENCE.findall(text))


def _allow_image_attribute(name: str, value: str) -> bool:
    if name == "src":
        return bool(UPLOAD_URL.match(value))
    if name == "srcset":
        return all(_SRCSET_ITEM.match(item.strip()) for item in value.split(","))
    if name in ("width", "height"):
        return value.isdigit() and len(value) <= 5
    if name == "loading":
        return value == "lazy"
    if name == "sizes":
        return value == IMAGE_SIZES
    return name == "alt"


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "a" and name == "class":
        return value == "mention"
    if name in ("title", "class") and tag in ("a", "img", "abbr", "code"):
        return name == "title" or (tag == "code" and value.startswith("language-"))
    if tag == "img":
        return _allow_image_attribute(name, value)
    if tag == "a":
        if name == "href":
            return value.startswith(("http://", "https://", "mailto:", "/", "#")) and not (
                value.startswith("//")
            )
        return name == "rel"
    if tag in ("th", "td"):
        return name == "class" and value in ("align-left", "align-center", "align-right")
    if tag == "ol":
        return name == "start"
    return False


@dataclass
class Cooker:
    """Turns raw markdown into sanitised HTML; one instance per app.

    The parser and the cleaner are made when first used (see the module's
    docstring); both are the same whichever thread makes them first.
    """

    #: Functions that adjust the parser (the prepare_markdown hook).
    preparers: Iterable[Callable[["MarkdownIt"], None]] = ()
    #: Extra allowed tags and their attributes (the register_allowed_html hook).
    extra_html: Mapping[str, Iterable[str]] = field(default_factory=dict)

    @cached_property
    def parser(self) -> "MarkdownIt":
        from markdown_it import MarkdownIt

        parser = MarkdownIt(
            "commonmark", {"html": False, "linkify": True, "typographer": False}
        ).enable(["linkify", "table", "strikethrough"])
        parser.add_render_rule("link_open", _render_link_open)
        parser.add_render_rule("image", _render_image)
        parser.add_render_rule("th_open", _render_cell_open)
        parser.add_render_rule("td_open", _render_cell_open)
        parser.core.ruler.push("mentions", _link_mentions)
        for prepare in self.preparers:
            prepare(parser)
        return parser

    @cached_property
    def cleaner(self) -> "bleach.Cleaner":
        import bleach

        extra = {
            tag: frozenset(a for a in attributes if a != "style" and not a.startswith("on"))
            for tag, attributes in self.extra_html.items()
        }

        def allow_attribute(tag: str, name: str, value: str) -> bool:
            return _allow_attribute(tag, name, value) or name in extra.get(tag, ())

        return bleach.Cleaner(
            tags=ALLOWED_TAGS | frozenset(extra),
            attributes=allow_attribute,
            protocols={"http", "https", "mailto"},
            strip=True,
        )

    def cook(
        self,
        raw: str,
        usernames: Mapping[str, str] | None = None,
        uploads: Mapping[str, Embed] | None = None,
    ) -> str:
        """Return sanitised HTML for the markdown source ``raw``.

        ``usernames`` maps lower-cased names to usernames: ``@name`` of those
        becomes a link to the profile (outside code and quotes); the caller
        looks them up among ``mention_candidates(raw)``. ``uploads`` maps the
        keys of ``upload_keys(raw)`` to what is known of them; a picture of an
        unknown key is left out (its alt text stays).
        """
        env = {"mention_usernames": dict(usernames or {}), "uploads": dict(uploads or {})}
        # Bidi overrides and isolates would make text (code above all: "Trojan
        # Source") read otherwise than it is; the reader sees it in stored order.
        return without_bidi_controls(self.cleaner.clean(self.parser.render(raw, env))).strip()


# --- @mentions ----------------------------------------------------------------------------

#: "@" and a username (letters, digits, dot, dash, underscore), not inside a
#: word or an e-mail address.
MENTION = re.compile(r"(?<![\w@.\-/])@([A-Za-z0-9_][A-Za-z0-9_.\-]{0,39})")
_MENTION_LINK = re.compile(r'<a class="mention" href="/u/[^"]*">@([A-Za-z0-9_.\-]+)</a>')


def mention_candidates(raw: str, limit: int = 100) -> set[str]:
    """Return the lower-cased names after "@" in ``raw`` (a superset of the mentions)."""
    found: set[str] = set()
    for match in MENTION.finditer(raw):
        name = match.group(1).lower()
        found.add(name)
        # "@anke." at the end of a sentence: also try without the trailing dots.
        found.add(name.rstrip(".-"))
        if len(found) >= limit:
            break
    found.discard("")
    return found


def mentioned_usernames(cooked: str) -> list[str]:
    """Return the usernames a cooked post links as mentions, in order, once each."""
    return list(dict.fromkeys(_MENTION_LINK.findall(cooked)))


def _mention_tokens(text: str, usernames: Mapping[str, str], level: int) -> list["Token"] | None:
    from markdown_it.token import Token

    tokens: list[Token] = []
    position = 0
    for match in MENTION.finditer(text):
        name = match.group(1)
        while name and name.lower() not in usernames and name[-1] in ".-":
            name = name[:-1]
        username = usernames.get(name.lower()) if name else None
        if username is None:
            continue
        start, end = match.start(), match.start(1) + len(name)
        if start > position:
            before = Token("text", "", 0, content=text[position:start], level=level)
            tokens.append(before)
        link = Token("link_open", "a", 1, level=level)
        link.attrs = {"class": "mention", "href": f"/u/{username}"}
        tokens += [
            link,
            Token("text", "", 0, content=f"@{username}", level=level + 1),
            Token("link_close", "a", -1, level=level),
        ]
        position = end
    if not tokens:
        return None
    if position < len(text):
        tokens.append(Token("text", "", 0, content=text[position:], level=level))
    return tokens


def _link_mentions(state: "StateCore") -> None:
    """Turn ``@username`` of known users into profile links (a core rule).

    Not in code (code spans and blocks are no text tokens), not inside links,
    and not in block quotes: a quote repeats somebody else's words.
    """
    usernames = state.env.get("mention_usernames") if isinstance(state.env, dict) else None
    if not usernames:
        return
    quote_depth = 0
    for block in state.tokens:
        if block.type == "blockquote_open":
            quote_depth += 1
        elif block.type == "blockquote_close":
            quote_depth -= 1
        elif block.type == "inline" and quote_depth == 0 and block.children:
            children: list[Token] = []
            in_link = 0
            for child in block.children:
                if child.type == "link_open":
                    in_link += 1
                elif child.type == "link_close":
                    in_link -= 1
                replaced = None
                if child.type == "text" and not in_link and "@" in child.content:
                    replaced = _mention_tokens(child.content, usernames, child.level)
                children += replaced or [child]
            block.children = children


def _render_image(self, tokens, idx, options, env):
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    key = src.removeprefix("upload://") if src.startswith("upload://") else None
    embed = env.get("uploads", {}).get(key) if key and isinstance(env, dict) else None
    if key is not None and (embed is None or not embed.is_image):
        token.attrs.pop("src", None)
    elif embed is not None:
        token.attrSet("src", embed.url)
        if embed.width and embed.height:
            token.attrSet("width", str(embed.width))
            token.attrSet("height", str(embed.height))
        if embed.srcset:
            token.attrSet("srcset", embed.srcset)
            token.attrSet("sizes", IMAGE_SIZES)
    if UPLOAD_URL.match(str(token.attrGet("src") or "")):
        token.attrSet("loading", "lazy")
    return self.image(tokens, idx, options, env)


def _render_link_open(self, tokens, idx, options, env):
    href = str(tokens[idx].attrGet("href") or "")
    if href.startswith("upload://"):
        embed = env.get("uploads", {}).get(href.removeprefix("upload://"))
        tokens[idx].attrSet("href", embed.url if embed else "/uploads/" + href[9:])
    if tokens[idx].attrGet("class") == "mention":
        return self.renderToken(tokens, idx, options, env)
    # Links written by members must not pass reputation or the opener.
    tokens[idx].attrSet("rel", "nofollow ugc noopener")
    return self.renderToken(tokens, idx, options, env)


def _render_cell_open(self, tokens, idx, options, env):
    # Alignment as a class, not a style attribute: the Content-Security-Policy
    # forbids inline styles.
    token = tokens[idx]
    style = token.attrGet("style")
    if style:
        token.attrs.pop("style")
        token.attrSet("class", "align-" + str(style).removeprefix("text-align:").rstrip(";"))
    return self.renderToken(tokens, idx, options, env)


def init_cooker(app: Flask) -> None:
    """Build the app's cooker with the plugins' parser and allow-list extensions."""
    preparers, allowed_html = markdown_extensions(app)
    app.extensions["forum.cooker"] = Cooker(preparers=preparers, extra_html=allowed_html)


def cook(
    raw: str,
    usernames: Mapping[str, str] | None = None,
    uploads: Mapping[str, Embed] | None = None,
) -> str:
    """Return sanitised HTML for markdown ``raw`` with the current app's cooker.

    ``usernames`` (lower-cased name -> username) are the members ``@name`` may
    link to; ``uploads`` (key -> ``Embed``) the uploads ``upload://<key>`` names.
    """
    return current_app.extensions["forum.cooker"].cook(raw, usernames, uploads)


def quote_markdown(raw: str, username: str, url: str) -> str:
    """Return ``raw`` as a markdown block quote attributed to ``username``."""
    lines = [f"> **@{username}** [↑]({url}):", ">"]
    lines += [f"> {line}" if line else ">" for line in raw.strip().splitlines()]
    return "\n".join(lines) + "\n\n"
