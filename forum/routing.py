"""URL helpers: ids in URLs and query strings stay within the database's range,
and no value the app reads from a request holds a NUL character."""

from datetime import UTC, datetime
from urllib.parse import quote_from_bytes

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items
from werkzeug.routing import IntegerConverter, UnicodeConverter

#: Largest id a 32-bit signed INTEGER column holds (PostgreSQL's integer).
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that answers 404 instead of overflowing the database."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class TextConverter(UnicodeConverter):
    """``<name>`` (a username, a slug, a token) that never matches a NUL: 404.

    PostgreSQL's text cannot hold NUL, so psycopg refuses a query that
    compares a column with such a value; nobody types one.
    """

    def __init__(self, map, *args, **kwargs) -> None:
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", r"[^/\x00]")


class TextParameters(ImmutableMultiDict):
    """Query-string and form values with NUL characters dropped, for the same reason."""

    def __init__(self, mapping=None) -> None:
        if mapping is not None:
            mapping = [
                (key.replace("\x00", ""), value.replace("\x00", ""))
                if isinstance(value, str)
                else (key, value)
                for key, value in iter_multi_items(mapping)
            ]
        super().__init__(mapping)


#: Printable ASCII: what stays as it is when a query string is percent-encoded.
_PRINTABLE = bytes(range(0x20, 0x7F))


class ForumRequest(Request):
    """The app's request: its ``args`` and ``form`` are TextParameters, and its
    query string is valid UTF-8."""

    parameter_storage_class = TextParameters

    def __init__(self, environ, populate_request: bool = True, shallow: bool = False) -> None:
        super().__init__(environ, populate_request, shallow)
        try:
            self.query_string.decode()
        except UnicodeDecodeError:
            # Bytes beyond ASCII sent as they are (browsers percent-encode them):
            # Werkzeug decodes the query string strictly for ``args`` and
            # ``full_path``, which failed every page with a 500. Percent-encoded,
            # they are decoded as any other (invalid UTF-8 becomes U+FFFD).
            self.query_string = quote_from_bytes(self.query_string, safe=_PRINTABLE).encode()


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
