"""Cooking: markdown to safe HTML, done once when a post is written or edited.

markdown-it-py parses CommonMark with tables, strikethrough and linkified URLs;
raw HTML in the source is not passed through. bleach then cleans the result
against an allow-list, so even a parser bug cannot let script through. Images
are only allowed from this site: a remote image would make every reader's
browser contact a third party (a data-protection problem in Germany).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import bleach
from flask import Flask, current_app
from markdown_it import MarkdownIt

from forum.plugins import markdown_extensions

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
        "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
        "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    if name in ("title", "class") and tag in ("a", "img", "abbr", "code"):
        return name == "title" or (tag == "code" and value.startswith("language-"))
    if tag == "a":
        if name == "href":
            return value.startswith(("http://", "https://", "mailto:", "/", "#")) and not (
                value.startswith("//")
            )
        return name == "rel"
    if tag == "img":
        if name == "src":
            # Same-site only: "/uploads/..." yes, "//host/..." and "https://..." no.
            return value.startswith("/") and not value.startswith("//")
        return name in ("alt", "width", "height")
    if tag in ("th", "td"):
        return name == "class" and value in ("align-left", "align-center", "align-right")
    if tag == "ol":
        return name == "start"
    return False


@dataclass
class Cooker:
    """Turns raw markdown into sanitised HTML; one instance per app."""

    #: Functions that adjust the parser (the prepare_markdown hook).
    preparers: Iterable[Callable[[MarkdownIt], None]] = ()
    #: Extra allowed tags and their attributes (the register_allowed_html hook).
    extra_html: Mapping[str, Iterable[str]] = field(default_factory=dict)
    parser: MarkdownIt = field(init=False)
    cleaner: bleach.Cleaner = field(init=False)

    def __post_init__(self) -> None:
        self.parser = MarkdownIt(
            "commonmark", {"html": False, "linkify": True, "typographer": False}
        ).enable(["linkify", "table", "strikethrough"])
        self.parser.add_render_rule("link_open", _render_link_open)
        self.parser.add_render_rule("th_open", _render_cell_open)
        self.parser.add_render_rule("td_open", _render_cell_open)
        for prepare in self.preparers:
            prepare(self.parser)
        extra = {
            tag: frozenset(a for a in attributes if a != "style" and not a.startswith("on"))
            for tag, attributes in self.extra_html.items()
        }

        def allow_attribute(tag: str, name: str, value: str) -> bool:
            return _allow_attribute(tag, name, value) or name in extra.get(tag, ())

        self.cleaner = bleach.Cleaner(
            tags=ALLOWED_TAGS | frozenset(extra),
            attributes=allow_attribute,
            protocols={"http", "https", "mailto"},
            strip=True,
        )

    def cook(self, raw: str) -> str:
        """Return sanitised HTML for the markdown source ``raw``."""
        return self.cleaner.clean(self.parser.render(raw)).strip()


def _render_link_open(self, tokens, idx, options, env):
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


def cook(raw: str) -> str:
    """Return sanitised HTML for markdown ``raw`` with the current app's cooker."""
    return current_app.extensions["forum.cooker"].cook(raw)


def quote_markdown(raw: str, username: str, url: str) -> str:
    """Return ``raw`` as a markdown block quote attributed to ``username``."""
    lines = [f"> **@{username}** [↑]({url}):", ">"]
    lines += [f"> {line}" if line else ">" for line in raw.strip().splitlines()]
    return "\n".join(lines) + "\n\n"
