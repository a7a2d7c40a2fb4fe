"""URL helpers: ids in URLs and query strings stay within the database's range."""

from datetime import UTC, datetime

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


def parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """Parse a "<time>_<id>" list cursor; a malformed or out-of-range one counts as none."""
    if not cursor:
        return None
    try:
        stamp, number = cursor.rsplit("_", 1)
        when = datetime.fromisoformat(stamp)
        when = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
        return when, bounded_id(number)
    except (ValueError, OverflowError):
        return None
