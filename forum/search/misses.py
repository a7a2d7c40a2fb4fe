"""The anonymous search log: searches that found nothing, by words and day.

Written after the response has gone out (one upsert, one delete of rows older
than the SEARCH_LOG_DAYS setting); the admin dashboard reads it. Nothing in it
says who searched: no user, no address, no time of day.
"""

from datetime import date, timedelta

import sqlalchemy as sa

from forum.db import dialect_insert, utcnow
from forum.extensions import db
from forum.mail import after_response
from forum.search.models import SearchMiss
from forum.site.services import setting

#: Longest term kept (the column's length).
TERM_LENGTH = 100


def normalise(text: str) -> str:
    """Return the words as the log keeps them: lower case, single spaces, cut."""
    return " ".join((text or "").lower().split())[:TERM_LENGTH].strip()


def log_miss(text: str) -> None:
    """Count a search that found nothing, after the response (when the log is on)."""
    days = setting("SEARCH_LOG_DAYS")
    term = normalise(text)
    if days <= 0 or not term:
        return
    after_response(lambda: write_miss(term, utcnow().date(), days))


def write_miss(term: str, day: date, days: int) -> None:
    """Add one to the term's count for ``day`` and drop rows older than ``days``."""
    table = SearchMiss.__table__
    insert = dialect_insert(db.engine.dialect.name)
    statement = (
        insert(table)
        .values(day=day, term=term, times=1)
        .on_conflict_do_update(
            index_elements=[table.c.day, table.c.term], set_={"times": table.c.times + 1}
        )
    )
    db.session.execute(statement)
    prune(day, days)
    db.session.commit()


def prune(today: date, days: int) -> int:
    """Delete what is older than the retention period; return how many rows went."""
    return db.session.execute(
        sa.delete(SearchMiss).where(SearchMiss.day <= today - timedelta(days=days))
    ).rowcount
