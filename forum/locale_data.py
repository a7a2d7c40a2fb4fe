"""Babel's CLDR data for the forum's languages: only the parts the pages use.

Once it has formatted a date in a language, Babel keeps that language's whole
CLDR data (``localedata.load``: the names of every language, territory,
currency and unit, time zones, ...; ~1.2 MB of Python objects each, German
and English alike), and to find which language a new one inherits from it
reads its global table (``global.dat``, 2.2 MB) and keeps that too. The pages
format dates, times and numbers, which read 7 of the ~60 parts (every part the
pages asked for, counted over every page in both languages and the searches).

``keep_lean`` loads each of the forum's languages once at start, keeps the
parts in ``KEPT`` in Babel's own cache and lets the rest and the global table
go: every worker keeps ~1 MB less, and an English visitor costs none of the
3.4 MB his first page used to load (the global table and the English data).
Anything else (a language's name, a currency) is still answered as Babel
would: the first such question reads that language's full data again and
keeps it (``LeanLocaleData.__missing__``). tests/test_locale_data.py,
tests/test_worker_memory.py.
"""

from babel import core, localedata

#: The parts of a language's data that dates (short/medium/long, and the
#: times and day periods in them) and numbers read, plus the small ones they
#: may read for other patterns (days, eras, week data): ~4 % of the data.
KEPT = frozenset(
    {
        *("date_formats", "time_formats", "datetime_formats", "months", "days"),
        *("day_periods", "day_period_rules", "eras", "quarters", "week_data"),
        *("number_symbols", "decimal_formats", "default_numbering_system"),
        "numbering_systems",
    }
)


class LeanLocaleData(dict):
    """A language's CLDR data with only the ``KEPT`` parts, in Babel's cache;
    the first question for another part reads the full data and keeps it."""

    def __init__(self, name: str, data: dict) -> None:
        super().__init__((key, value) for key, value in data.items() if key in KEPT)
        self.name = name

    def __missing__(self, key):
        full = full_data(self.name)
        with localedata._cache_lock:
            for name, value in full.items():
                self.setdefault(name, value)
        if key not in self:
            raise KeyError(key)  # the CLDR has none, as Babel says
        return dict.__getitem__(self, key)

    def copy(self) -> dict:
        # Babel starts a language's data from a copy of its parent's (de_AT
        # from de): that must be the full data.
        return full_data(self.name).copy()


def full_data(name: str) -> dict:
    """Return the full data of ``name`` as Babel reads it, leaving its cache as it is."""
    with localedata._cache_lock:  # Babel's own (re-entrant) lock around its cache
        kept = localedata._cache.pop(name, None)
        try:
            return localedata.load(name)
        finally:
            if kept is not None:
                localedata._cache[name] = kept


def is_lean(name: str) -> bool:
    """Whether Babel's cached data of ``name`` holds only the ``KEPT`` parts."""
    data = localedata._cache.get(name)
    return isinstance(data, LeanLocaleData) and set(data) <= KEPT


def keep_lean(languages: list[str]) -> None:
    """Load ``languages`` (and the root they inherit from) now and keep their
    lean data in Babel's cache; let Babel's global table go.

    Call it once per process, before any request: Babel reads its global
    table without a lock, so letting it go while another thread formats
    could hand that thread None.
    """
    names = ["root", *(name for name in languages if localedata.exists(name))]
    with localedata._cache_lock:
        loaded = {name: localedata.load(name) for name in names}
        for name, data in loaded.items():
            if not isinstance(data, LeanLocaleData):
                localedata._cache[name] = LeanLocaleData(name, data)
                # Babel shares one wrapper per language over the data it had
                # then (``get_locale_data``): anything formatted before this
                # call would keep the full data in it.
                _dict_cache().pop(name, None)
    core._global_data = None


def _dict_cache() -> dict:
    """Babel's shared wrappers by language (``localedata.get_locale_data``; none before 2.18)."""
    return getattr(localedata, "_dict_cache", {})
