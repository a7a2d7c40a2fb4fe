"""The language a browser's ``Accept-Language`` picks (forum/i18n.py ``browser_language``,
asked for every member without a saved language and by the guests' page cache):
what Werkzeug's match gives, kept per header, bounded."""

from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from forum import i18n
from forum.i18n import BROWSER_LANGUAGE_KEPT_LENGTH, BROWSER_LANGUAGES_KEPT, browser_language

LANGUAGES = ["de", "en"]


def _werkzeug(header: str) -> str:
    return parse_accept_header(header, LanguageAccept).best_match(LANGUAGES) or "de"


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzDE-;=.,0123456789 *", max_size=60))
def test_it_picks_what_werkzeug_picks(header):
    assert browser_language(header, LANGUAGES, "de") == _werkzeug(header)
    assert browser_language(header, LANGUAGES, "de") == _werkzeug(header)  # kept


def test_known_headers():
    assert browser_language("en-GB,en;q=0.9,de;q=0.8", LANGUAGES, "de") == "en"
    assert browser_language("fr-FR,fr;q=0.9", LANGUAGES, "de") == "de"
    assert browser_language("", LANGUAGES, "de") == "de"
    assert browser_language("fr", LANGUAGES, "en") == "en"  # the default asked for


def test_kept_answers_are_bounded(monkeypatch):
    monkeypatch.setattr(i18n, "_browser_languages", {})
    long_header = "en;q=0.9," + "x" * BROWSER_LANGUAGE_KEPT_LENGTH
    assert browser_language(long_header, LANGUAGES, "de") == "en"
    assert i18n._browser_languages == {}  # too long to keep: matched each time
    for number in range(BROWSER_LANGUAGES_KEPT + 50):
        browser_language(f"x-{number},en", LANGUAGES, "de")
    assert len(i18n._browser_languages) == BROWSER_LANGUAGES_KEPT
