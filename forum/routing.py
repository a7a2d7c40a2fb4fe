"""URL helpers: ids in URLs and query strings stay within the database's range."""

from werkzeug.routing import IntegerConverter

#: Largest id a 32-bit signed INTEGER column holds (PostgreSQL's integer).
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that answers 404 instead of overflowing the database."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def bounded_id(value: str) -> int:
    """Parse a query-string id; out-of-range values count as missing."""
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError(value)
    return number
