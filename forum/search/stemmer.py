"""The German stemmer without Whoosh's 13 others."""

import importlib
import importlib.util
import sys
import types
from collections.abc import Callable

#: The package name Whoosh's Snowball modules are loaded under (german_stemmer).
_SNOWBALL = "forum.search._snowball"


def german_stemmer() -> Callable[[str], str]:
    """Return Whoosh's Snowball stemmer for German, loaded on its own.

    ``whoosh.lang.snowball``'s ``__init__`` imports all 14 languages' stemmers
    (0.3 MB of every worker); its German module needs only ``bases``. Both are
    loaded from Whoosh's folder under a package name of ours, so a later
    import of ``whoosh.lang.snowball`` still gets the whole package.
    """
    package = sys.modules.get(_SNOWBALL)
    if package is None:
        whole = importlib.util.find_spec("whoosh.lang.snowball")
        package = types.ModuleType(_SNOWBALL)
        package.__path__ = list(whole.submodule_search_locations or ())
        sys.modules[_SNOWBALL] = package
    return importlib.import_module(f"{_SNOWBALL}.german").GermanStemmer().stem
