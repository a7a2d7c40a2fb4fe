"""Cooking markdown into the HTML every reader's browser gets: safe and same-site."""

import re

import pytest

from forum.markdown import Cooker, quote_markdown


@pytest.fixture(scope="module")
def cook():
    return Cooker().cook


def test_basic_formatting(cook):
    assert cook("**fett** und *kursiv*") == "<p><strong>fett</strong> und <em>kursiv</em></p>"
    assert cook("- eins\n- zwei") == "<ul>\n<li>eins</li>\n<li>zwei</li>\n</ul>"
    assert cook("> zitiert") == "<blockquote>\n<p>zitiert</p>\n</blockquote>"
    assert cook("3. drei\n4. vier").startswith('<ol start="3">')


def test_tables_get_alignment_classes_not_styles(cook):
    html = cook("| links | mitte | rechts |\n|:--|:-:|--:|\n| 1 | 2 | 3 |")
    assert '<th class="align-left">links</th>' in html
    assert '<td class="align-center">2</td>' in html
    assert '<td class="align-right">3</td>' in html
    assert "style" not in html


def test_strikethrough(cook):
    assert cook("~~weg~~") == "<p><s>weg</s></p>"


def test_bare_urls_become_links_that_pass_no_reputation(cook):
    html = cook("Siehe https://www.gifhorn.de/ehrenamt und www.example.org")
    assert '<a href="https://www.gifhorn.de/ehrenamt" rel="nofollow ugc noopener">' in html
    assert 'href="http://www.example.org"' in html


@pytest.mark.parametrize(
    "raw",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">klick</a>',
        "[klick](javascript:alert(1))",
        "[klick](JaVaScRiPt:alert(1))",
        "[klick](data:text/html;base64,PHNjcmlwdD4=)",
        "<iframe src=https://evil.example></iframe>",
        '<div style="background:url(x)">x</div>',
    ],
)
def test_raw_html_and_script_urls_do_not_survive(cook, raw):
    html = cook(raw)
    assert "<script" not in html
    assert "<iframe" not in html
    assert "<img" not in html
    assert "<div" not in html
    assert 'href="javascript' not in html.lower()
    assert 'href="data:' not in html.lower()
    assert re.search(r"<[a-z][^>]*\b(style|on\w+)=", html) is None


def test_raw_script_is_shown_as_text(cook):
    assert cook("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


@pytest.mark.parametrize(
    "source",
    ["https://tracker.example/pixel.png", "http://tracker.example/p.gif", "//tracker.example/p"],
)
def test_remote_images_lose_their_source(cook, source):
    html = cook(f"![Bild]({source})")
    assert "tracker.example" not in html
    assert html == '<p><img alt="Bild"></p>'


def test_only_uploads_are_image_sources(cook):
    # Any other address of the forum would be fetched by every reader's browser.
    assert cook("![Logo](/static/favicon.svg)") == '<p><img alt="Logo"></p>'
    assert cook("![Abmelden](/auth/logout)") == '<p><img alt="Abmelden"></p>'
    key = "a" * 64 + ".jpg"
    assert cook(f"![Foto](/uploads/{key})") == (
        f'<p><img src="/uploads/{key}" alt="Foto" loading="lazy"></p>'
    )


def test_protocol_relative_links_are_dropped(cook):
    html = cook("[fremd](//evil.example/x) [hier](/latest) [mail](mailto:a@example.org)")
    assert "evil.example" not in html
    assert '<a href="/latest" rel="nofollow ugc noopener">hier</a>' in html
    assert 'href="mailto:a@example.org"' in html


def test_code_keeps_its_language_class_only(cook):
    html = cook("```python\nprint('<b>')\n```")
    assert '<code class="language-python">' in html
    assert "&lt;b&gt;" in html


def test_extra_tags_can_be_allowed():
    # The tag still needs the parser to produce it; with html off it only passes the cleaner.
    assert "<u>" not in Cooker().cook("<u>x</u>")
    cooker = Cooker(extra_html={"u": ["class", "onclick"]})
    assert cooker.cleaner.tags >= {"u", "p"}
    assert cooker.cleaner.clean('<u class="a" onclick="x()">x</u>') == '<u class="a">x</u>'


def test_quote_markdown_attributes_and_quotes_every_line():
    quoted = quote_markdown("Erste Zeile\n\nZweite Zeile\n", "bert", "/t/thema/1/2")
    assert quoted == ("> **@bert** [↑](/t/thema/1/2):\n>\n> Erste Zeile\n>\n> Zweite Zeile\n\n")


def test_quoted_text_cooks_into_a_block_quote(cook):
    html = cook(quote_markdown("Hallo *Welt*", "bert", "/t/thema/1/2"))
    assert html.startswith("<blockquote>")
    assert '<a href="/t/thema/1/2" rel="nofollow ugc noopener">↑</a>' in html
    assert "<em>Welt</em>" in html
