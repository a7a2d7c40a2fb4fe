"""Every test here reads English pages; the staff fixtures are in tests/conftest.py."""

import pytest


@pytest.fixture(autouse=True)
def english(english):
    """Every test here reads English pages (tests/conftest.py sets the header)."""
    return english
