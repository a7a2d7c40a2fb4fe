"""forum/simple_html.py hands back exactly what bleach would, or leaves the HTML to bleach."""

import random

import pytest

from forum.markdown import Cooker
from forum.simple_html import as_cleaned

#: Prose, and (ODD) what the short way must leave to bleach or get exactly right.
PROSE = [
    "Hallo", "Welt", "Ehrenamt", "straße", "Grüße", "don't", '"Zitat"', "a & b", "1 < 2", "x > y",
    "*kursiv*", "**fett**", "`code`", "~~weg~~", "€", "😀", "Tel. 05371", "(ja)", "ok!",
]  # fmt: skip
ODD = [
    "&amp;", "&copy;", "&#39;", "€", "😀", "\u00a0", "\t", "tab\there", "x\x01y", "\x0c", "\u200b",
    "\ufeff", "\ufdd0", "\uffff", "\U0001fffe", "\x85", "\x7f", "\ufffd", "<b>fett</b>",
    "<script>x</script>", "<p>", "</em>", "@anke", "#tag", "https://example.org", "www.example.org",
    "mail@example.org", "![bild](upload://abc)", "[link](https://example.org)",
    "[x](javascript:alert)",
    "\\*", "`code`", "``a ` b``", "*kursiv*", "**fett**", "***beides***", "~~weg~~", "_unter_",
    "<", ">", "&", "'", '"', "\\", "|", "a  ", "\r", "\u202e", "\u2066",
]  # fmt: skip
BLOCKS = [
    "{}", "# {}", "### {}", "> {}", "> > {}", "- {}\n- {}", "1. {}\n2. {}", "3. {}", "- {}\n\n  {}",
    "- {}\n  - {}", "```\n{}\n```", "```python\n{}\n```", "    {}", "---", "***", "{}  \n{}",
    "{}\\\n{}", "| a | b |\n|---|---|\n| {} | {} |", "- > {}", "> - {}", "> ```\n> {}\n> ```",
    "{}\n===", "{}\n---", "- # {}", "* {}\n\n* {}", "- [ ] {}", "<div>{}</div>", "\n\n{}\n\n",
]  # fmt: skip


def _documents(count: int, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        parts = []
        for _block in range(rng.randint(1, 5)):
            block = rng.choice(BLOCKS)
            fill = [" ".join(_words(rng)) for _ in range(4)]
            parts.append(block.format(*fill))
        yield rng.choice(["\n\n", "\n", "\r\n"]).join(parts)


def _words(rng: random.Random) -> list[str]:
    return [rng.choice(ODD if rng.random() < 0.08 else PROSE) for _ in range(rng.randint(1, 6))]


@pytest.fixture(scope="module")
def cooker():
    return Cooker()


def test_what_it_accepts_is_exactly_what_bleach_gives_back(cooker):
    accepted = 0
    for raw in _documents(6000, seed=15):
        html = cooker.parser.render(raw, {"mention_usernames": {}, "uploads": {}})
        fast = as_cleaned(html)
        if fast is not None:
            accepted += 1
            assert fast == cooker.cleaner.clean(html), raw
    # The comparison means something only if many documents take the short way.
    assert accepted > 2000


@pytest.mark.parametrize(
    "html",
    [
        '<p><a href="/x">x</a></p>\n',  # an attribute
        "<p><b>x</b></p>\n",  # another tag
        "<p>x\x01y</p>\n",  # html5lib replaces it
        "<p>x\ry</p>\n",
        "<p>x &copy; y</p>\n",  # an entity markdown-it does not write
        "<p>a <em>b</p></em>\n",  # misnested
        "<p>a <em>b</em>\n",  # left open
        "<em>a</em>\n",  # inline outside a block
        "<p><p>a</p></p>\n",  # a paragraph in a paragraph
        "<p>a<ul>\n<li>b</li>\n</ul></p>\n",
        "<ul>\n<p>a</p>\n</ul>\n",
        "<li>a</li>\n",  # an item outside a list
        "<pre>\na</pre>\n",  # html5lib drops that newline
        "<pre><em>a</em></pre>\n",
        "<p>a<hr /></p>\n",
        "<br />\n",
        "<p>a</br></p>\n",
    ],
)
def test_what_would_change_goes_to_bleach(html):
    assert as_cleaned(html) is None


def test_void_tags_are_written_as_bleach_writes_them(cooker):
    html = "<p>a<br />\nb</p>\n<hr />\n"
    assert as_cleaned(html) == cooker.cleaner.clean(html) == "<p>a<br>\nb</p>\n<hr>\n"
