"""HTML to readable plain text: the text part of mails, and HTML-only replies."""

import re
from html.parser import HTMLParser

_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "tr", "pre", "hr"}
_SKIP = {"style", "script", "head", "title"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.quote = 0
        self.skip = 0
        self.href: list[str | None] = []
        self.pre = 0

    def _newline(self, blank: bool = False) -> None:
        if self.lines[-1].strip():
            self.lines.append("")
        if blank and len(self.lines) > 1 and self.lines[-2].strip():
            self.lines.append("")

    def handle_starttag(self, tag, attrs) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            self.lines.append("")
        elif tag == "blockquote":
            self._newline(blank=True)
            self.quote += 1
        elif tag == "li":
            self._newline()
            self._write("- ")
        elif tag in _BLOCKS:
            self._newline(blank=tag in {"p", "ul", "ol", "pre", "table"})
            self.pre += tag == "pre"
        if tag == "a":
            self.href.append(dict(attrs).get("href"))

    def handle_endtag(self, tag) -> None:
        if tag in _SKIP:
            self.skip = max(self.skip - 1, 0)
        elif tag == "blockquote":
            self._newline(blank=True)
            self.quote = max(self.quote - 1, 0)
        elif tag in _BLOCKS or tag == "li":
            self._newline()
            if tag == "pre":
                self.pre = max(self.pre - 1, 0)
        if tag == "a" and self.href:
            href = self.href.pop()
            if href and href.startswith(("http://", "https://")) and href not in self.lines[-1]:
                self._write(f" ({href})")

    def handle_data(self, data) -> None:
        if self.skip:
            return
        if self.pre:
            first, *rest = data.split("\n")
            self._write(first)
            for line in rest:
                self.lines.append("")
                self._write(line)
            return
        self._write(re.sub(r"\s+", " ", data))

    def _write(self, text: str) -> None:
        if not self.lines[-1] and not text.strip() and not self.pre:
            return
        if not self.lines[-1] and self.quote:
            self.lines[-1] = "> " * self.quote
            text = text.lstrip()
        self.lines[-1] += text


def html_to_text(html: str) -> str:
    """Return the text of ``html`` with paragraphs, list items, quotes (``>``) and link targets."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "\n".join(line.rstrip() for line in parser.lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
