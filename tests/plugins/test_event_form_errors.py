"""The events composer shows every problem next to its field, and a summary on top."""

import re
from datetime import UTC, datetime

import pytest

from forum.boards.models import ReadLevel

YEAR = datetime.now(UTC).year + 1


@pytest.fixture
def app_config(app_config, plugin_app_config):
    return {
        **app_config,
        **plugin_app_config(["events"]),
        "EVENTS_CATEGORIES": ["veranstaltungen"],
        "HOLD_FIRST_POSTS": 0,
    }


def _error_of(html: str, field: str) -> str:
    """Return the error text shown with the field ``plugin.events.<field>``."""
    match = re.search(rf'id="plugin\.events\.{field}-error"[^>]*>(.*?)</', html, re.S)
    return match.group(1).strip() if match else ""


def test_every_event_problem_stands_next_to_its_field(client, make, login_as):
    category = make.category("Veranstaltungen", slug="veranstaltungen", read_level=ReadLevel.PUBLIC)
    login_as(make.user())
    response = client.post(
        "/new-topic",
        data={
            "category": category.id,
            "title": "Erste-Hilfe-Kurs für Übungsleitende",
            "raw": "Wir lernen die stabile Seitenlage.",
            "submit": "y",
            "plugin.events.starts_at": f"{YEAR}-03-14T10:00",
            "plugin.events.ends_at": f"{YEAR}-03-14T09:00",
            "plugin.events.max_participants": "0",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The event must end after it starts." in _error_of(html, "ends_at")
    assert "a place or an online link" in _error_of(html, "place")
    assert _error_of(html, "max_participants")
    assert not _error_of(html, "starts_at")
    # The summary on top names all three, not only the first.
    summary = html.split("Please check the event", 1)[1].split("</", 1)[0]
    assert (
        "Ends:" in summary and "Place (address):" in summary and "Maximum participants:" in summary
    )
    # What was typed stays.
    assert f'value="{YEAR}-03-14T09:00"' in html
