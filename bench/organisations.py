"""Bench data for the volunteering exchange: organisations with their fields of
activity and representatives, and opportunities (some filled, some expired,
some training offers), inserted with Core executemany like the rest."""

import random
from datetime import datetime, timedelta

from vocabulary import MUNICIPALITIES, Text

PREFIXES = ("SV", "TSV", "Förderverein", "Initiative", "Freundeskreis", "Heimatverein", "DRK")
PLACES = ("Gifhorn", "Wittingen", "Meinersen", "Brome", "Isenbüttel", "Wesendorf", "Ribbesbüttel")


def load(connection, insert_batches, rng: random.Random, now: datetime, user_ids: list[int],
         organisations: int, opportunities: int) -> dict[str, int]:  # fmt: skip
    """Insert ``organisations`` and ``opportunities``; return the row counts."""
    from forum.markdown import cook
    from forum.organisations.fields import DEFAULT_FIELDS
    from forum.organisations.models import (
        ActivityField,
        Opportunity,
        Organisation,
        Representative,
        organisation_fields,
    )
    from forum.text import slugify

    text = Text(rng)
    fields = [
        {"id": i + 1, "slug": slugify(name, 60), "name": name, "position": i}
        for i, name in enumerate(DEFAULT_FIELDS)
    ]
    insert_batches(connection, ActivityField.__table__, fields)
    description = text.paragraph(3)
    cooked = cook(description)  # one text for all: cooking is measured elsewhere
    rows, links, reps = [], [], []
    for n in range(1, organisations + 1):
        name = f"{rng.choice(PREFIXES)} {rng.choice(PLACES)} {n}"
        rows.append({
            "id": n, "slug": slugify(name, 70), "name": name, "short_line": text.title(),
            "description": description, "description_cooked": cooked,
            "municipality": rng.choice(MUNICIPALITIES), "website": "", "contact_name": "",
            "contact_email": "", "contact_phone": "", "meeting_place": "", "meeting_times": "",
            "seeking_volunteers": rng.random() < 0.3,
            "verified_at": now if rng.random() < 0.4 else None,
            "members_only": rng.random() < 0.1, "logo_key": None,
            "last_activity_at": now - timedelta(hours=rng.randrange(24 * 700)),
            "created_at": now - timedelta(days=800),
        })  # fmt: skip
        for field in rng.sample(fields, rng.randint(1, 3)):
            links.append({"organisation_id": n, "field_id": field["id"]})
        for user_id in rng.sample(user_ids, rng.randint(0, 2)):
            reps.append({"organisation_id": n, "user_id": user_id, "added_at": now})
    insert_batches(connection, Organisation.__table__, rows)
    insert_batches(connection, organisation_fields, links)
    insert_batches(connection, Representative.__table__, reps)
    today = now.date()
    opportunity_rows = []
    for n in range(1, opportunities + 1):
        roll = rng.random()
        opportunity_rows.append({
            "id": n, "organisation_id": rng.randint(1, organisations),
            "kind": "training" if roll < 0.05 else "opportunity", "title": text.title(),
            "description": description, "description_cooked": cooked,
            "municipality": rng.choice(MUNICIPALITIES), "place": "", "from_home": roll > 0.9,
            "commitment": "one_off" if rng.random() < 0.3 else "regular",
            "hours_per_month": rng.choice((None, 2, 4, 8, 12, 20)),
            "starts_on": None,
            # A fifth have passed their end date: the lists must skip them cheaply.
            "ends_on": today + timedelta(days=rng.randint(-200, 300)) if roll < 0.5 else None,
            "requirements": "", "suitable_for": rng.randrange(16), "contact_name": "",
            "cost": "", "registration": "", "status": "filled" if roll > 0.85 else "open",
            "interest_count": 0, "created_by_id": None,
            "created_at": now - timedelta(hours=rng.randrange(24 * 600)), "updated_at": now,
        })  # fmt: skip
    insert_batches(connection, Opportunity.__table__, opportunity_rows)
    if connection.dialect.name == "postgresql":
        for table in ("organisation_fields", "organisations", "opportunities"):
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
    return {"organisations": len(rows), "opportunities": len(opportunity_rows)}
