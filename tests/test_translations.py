"""Translations: German is complete for the current source, placeholders survive
translation, and pages really come out in German or English.

The strings are extracted from the source as it is now (with babel.cfg and the same
keywords as `make translations`), not read from messages.pot, so a new `_("...")`
without a German translation fails here with a list of what is missing. The fix is
described in docs/translations.md: `make translations`, then translate the new
entries in forum/translations/de/LC_MESSAGES/messages.po.
"""

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "forum" / "translations"
LOCALES = ("de", "en")

#: Keep in step with the -k options of `pybabel extract` in the Makefile.
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}

#: A printf-style placeholder: %(name)s, %(n)d, %s, %5.2f ... (but not %%).
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0+-]*(?:\d+|\*)?(?:\.\d+)?([diouxXeEfFgGcrsa%])")


def _po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def _read_catalog(locale: str) -> Catalog:
    with _po_path(locale).open("rb") as fileobj:
        return read_po(fileobj, locale=locale)


def _extract_from_source() -> dict[tuple[str, str | None], tuple[Message, list[str]]]:
    """Return {(msgid, context): (message, ["file:line", ...])} for the current tree."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, filename="babel.cfg")
    found: dict[tuple[str, str | None], tuple[Message, list[str]]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if not msgid:
            continue
        entry = found.setdefault((msgid, context), (Message(message, context=context), []))
        entry[1].append(f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def extracted():
    found = _extract_from_source()
    assert len(found) > 100, "extraction found almost nothing; is babel.cfg intact?"
    return found


@pytest.fixture(scope="module")
def catalogs() -> dict[str, Catalog]:
    return {locale: _read_catalog(locale) for locale in LOCALES}


# --- Compiled catalogs --------------------------------------------------------------


def _compile_if_stale(locale: str) -> bool:
    """Write messages.mo next to messages.po when it is missing or older; True if written."""
    po, mo = _po_path(locale), _po_path(locale).with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return False
    catalog = _read_catalog(locale)
    # Write to a temporary file and rename it, so a parallel reader never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=mo.parent, prefix=".messages-", suffix=".mo")
    try:
        with os.fdopen(fd, "wb") as fileobj:
            write_mo(fileobj, catalog)
        os.replace(tmp, mo)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


@pytest.fixture(scope="session")
def compiled_translations() -> Iterator[None]:
    """Compile the .mo files like `make translations` does, so plain `pytest` works."""
    if any([_compile_if_stale(locale) for locale in LOCALES]):
        # Flask-Babel keeps loaded catalogs for the whole process; forget any that
        # an earlier test loaded before the .mo files existed.
        # (domain_instance is a cached property: absent until something translated.)
        from forum.extensions import babel

        domain = vars(babel).get("domain_instance")
        if domain is not None:
            domain.cache.clear()
    yield


# --- (a) German is complete -----------------------------------------------------------


def _missing(message: Message | None) -> bool:
    if message is None or message.fuzzy:
        return True
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not strings or not all(strings)


def test_every_source_string_has_a_german_translation(extracted, catalogs):
    german = catalogs["de"]
    missing = []
    for (msgid, context), (_message, places) in sorted(extracted.items()):
        translation = german.get(msgid, context)
        if _missing(translation):
            state = "fuzzy" if translation is not None and translation.fuzzy else "missing"
            missing.append(f"  {msgid!r} ({state}; {', '.join(places[:3])})")
    assert not missing, (
        f"{len(missing)} source string(s) without a German translation. Run "
        "`make translations` and translate them in "
        "forum/translations/de/LC_MESSAGES/messages.po:\n" + "\n".join(missing)
    )


def test_plural_strings_are_plural_in_the_catalogs(extracted, catalogs):
    """A string that became ngettext (or stopped being one) needs `make translations`."""
    wrong = []
    for (msgid, context), (message, places) in sorted(extracted.items()):
        for locale, catalog in catalogs.items():
            entry = catalog.get(msgid, context)
            if entry is not None and entry.pluralizable != message.pluralizable:
                wrong.append(f"  {locale}: {msgid!r} ({places[0]})")
    assert not wrong, "Plural forms differ between source and catalog:\n" + "\n".join(wrong)


def test_english_catalog_knows_every_source_string(extracted, catalogs):
    """English msgstrs may stay empty (the English msgid is shown), but the catalog
    must be up to date so English wording can be adjusted without touching code."""
    english = catalogs["en"]
    missing = sorted(
        f"  {msgid!r} ({places[0]})"
        for (msgid, context), (_m, places) in extracted.items()
        if english.get(msgid, context) is None
    )
    assert not missing, (
        "Source strings missing from the English catalog; run `make translations`:\n"
        + "\n".join(missing)
    )


def test_catalog_headers(catalogs):
    for locale, catalog in catalogs.items():
        assert str(catalog.locale) == locale
        assert catalog.num_plurals == 2, f"{locale}: expected nplurals=2"
        assert catalog.plural_expr == "(n != 1)", f"{locale}: unexpected plural rule"


# --- (b) Placeholders ----------------------------------------------------------------


def _placeholders(text: str) -> list[tuple[str | None, str]]:
    return sorted(
        (name, conversion)
        for name, conversion in PLACEHOLDER.findall(text)
        if conversion != "%" or name
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_babel_checkers_find_no_errors(catalogs, locale):
    """Babel's own checks: python-format placeholders and the number of plural forms."""
    problems = [
        f"  {message.id!r}: {'; '.join(str(error) for error in errors)}"
        for message, errors in catalogs[locale].check()
        if not message.fuzzy  # not compiled; the completeness test reports it
    ]
    assert not problems, f"{locale}: catalog check failed:\n" + "\n".join(problems)


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_exactly_the_placeholders(catalogs, locale):
    """Stricter than Babel's checker, which does not notice a dropped placeholder."""
    problems = []
    for message in catalogs[locale]:
        if not message.id or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for index, string in enumerate(strings):
            if not string:
                continue
            source = ids[min(index, len(ids) - 1)]
            if _placeholders(string) != _placeholders(source):
                problems.append(f"  {source!r} -> {string!r}")
    assert not problems, f"{locale}: placeholders changed in translation:\n" + "\n".join(problems)


def test_german_uses_german_quotation_marks(catalogs):
    """English “…” becomes „…“ in German: every „ needs its “ and no ” or straight pair."""
    problems = [
        f"  {message.id!r} -> {string!r}"
        for message in catalogs["de"]
        if message.id and not message.fuzzy
        for string in (message.string if isinstance(message.string, tuple) else (message.string,))
        if string and (string.count("„") != string.count("“") or "”" in string)
    ]
    assert not problems, "German quotation marks („…“) expected:\n" + "\n".join(problems)


# --- (c) Rendered pages ----------------------------------------------------------------


def test_compiled_catalogs_are_fresh(compiled_translations):
    for locale in LOCALES:
        po, mo = _po_path(locale), _po_path(locale).with_suffix(".mo")
        assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime


def test_home_page_in_german(compiled_translations, client):
    response = client.get("/", headers={"Accept-Language": "de"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="de"' in html
    assert "Kategorien" in html
    assert "Anmelden" in html
    assert "Categories" not in html


def test_home_page_in_english(compiled_translations, client):
    response = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="en"' in html
    assert "Categories" in html
    assert "Log in" in html
    assert "Kategorien" not in html


def test_german_is_the_default_language(compiled_translations, client):
    response = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    html = response.get_data(as_text=True)
    assert '<html lang="de"' in html
    assert "Kategorien" in html


@pytest.mark.parametrize("locale", ["de", "en"])
def test_each_message_is_in_the_catalog_once(locale):
    """Branches append to the catalogs; a message appended twice would translate as the last one."""
    text = _po_path(locale).read_text(encoding="utf-8")
    entries = [block for block in re.split(r"\n\s*\n", text) if "msgid " in block]
    keys = [
        re.sub(
            r'"\n"',
            "",
            block[block.index("msgctxt ") if "msgctxt " in block else block.index("msgid ") :],
        )
        .split("\nmsgstr")[0]
        .split("\nmsgid_plural")[0]
        for block in entries
    ]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    assert not twice, f"in the {locale} catalog more than once: {twice}"
    # Every entry stands apart: a msgid right after a msgstr line means a lost blank line.
    assert not re.search(r'\nmsgstr [^\n]*(\n"[^\n]*")*\nmsgid ', text)
