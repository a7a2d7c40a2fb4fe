"""Babel's data kept lean (forum/locale_data.py) formats as the full data does."""

from datetime import UTC, datetime, time

import pytest
from babel import Locale, dates, localedata, numbers

from forum.locale_data import KEPT, LeanLocaleData, full_data, is_lean, keep_lean

MOMENTS = [
    datetime(2026, month, day, hour, 5, tzinfo=UTC)
    for month, day, hour in ((1, 1, 0), (3, 29, 1), (7, 14, 12), (10, 25, 23), (12, 7, 18))
]
NUMBERS = [0, 7, 1234, 1234567, -42, 3.5, 1234.567]


@pytest.fixture(autouse=True)
def _lean_again(app):
    """Start from the data create_app keeps: earlier tests in this process may have
    asked Babel for other parts (a language's name), which it then keeps."""
    with localedata._cache_lock:
        for name in ("root", "de", "en", "de_AT"):
            localedata._cache.pop(name, None)
            getattr(localedata, "_dict_cache", {}).pop(name, None)
    keep_lean(["de", "en"])


def _full_locale(name: str) -> Locale:
    """A Locale on the full data, as Babel has it without the forum."""
    locale = Locale.parse(name)
    locale._Locale__data = localedata.LocaleDataDict(full_data(name))
    return locale


@pytest.mark.parametrize("language", ["de", "en"])
def test_dates_times_and_numbers_read_as_from_the_full_data(app, language):
    assert is_lean(language) and is_lean("root")  # create_app kept them lean
    lean, full = Locale.parse(language), _full_locale(language)
    assert lean._data._data is localedata._cache[language]
    for moment in MOMENTS:
        for width in ("short", "medium", "long"):
            assert dates.format_date(moment, width, locale=lean) == dates.format_date(
                moment, width, locale=full
            )
        # Times as the pages show them: "long" names the time zone (below).
        for width in ("short", "medium"):
            assert dates.format_datetime(moment, width, locale=lean) == dates.format_datetime(
                moment, width, locale=full
            )
            assert dates.format_time(moment.time(), width, locale=lean) == dates.format_time(
                moment.time(), width, locale=full
            )
        pattern = "EEEE, d. MMMM y, HH:mm a G"  # days, periods and eras too
        assert dates.format_datetime(moment, pattern, locale=lean) == dates.format_datetime(
            moment, pattern, locale=full
        )
    for number in NUMBERS:
        assert numbers.format_decimal(number, locale=lean) == numbers.format_decimal(
            number, locale=full
        )
    assert is_lean(language)  # none of it asked for more


def test_a_part_not_kept_is_read_from_the_full_data(app):
    data = LeanLocaleData("de", full_data("de"))
    assert set(data) <= KEPT and "languages" not in data
    assert data["languages"]["en"] == "Englisch"  # read on first use, then kept
    assert "territories" in data
    with pytest.raises(KeyError):
        data["no such part"]


def test_a_time_with_its_zone_name_reads_the_zones_from_the_full_data(app):
    lean = Locale.parse("de")
    lean._Locale__data = localedata.LocaleDataDict(LeanLocaleData("de", full_data("de")))
    moment = datetime(2026, 12, 7, 18, 5, tzinfo=UTC)
    expected = dates.format_datetime(moment, "full", locale=_full_locale("de"))
    assert dates.format_datetime(moment, "full", locale=lean) == expected


def test_a_language_inheriting_from_a_lean_one_gets_its_full_data(app):
    assert is_lean("de")
    austrian = Locale.parse("de_AT")
    assert austrian.months["format"]["wide"][1] == "Jänner"  # its own
    assert austrian.languages["en"] == "Englisch"  # inherited from de's full data
    assert dates.format_time(time(14, 5), "short", locale=austrian) == "14:05"
