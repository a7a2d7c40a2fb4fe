"""URL helpers: checked redirect targets."""

import pytest

from forum.urls import safe_next_url


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/latest", "/latest"),
        ("/t/x/1?page=2", "/t/x/1?page=2"),
        ("/latest?", "/latest"),
        ("/", "/"),
        ("", None),
        (None, None),
        ("latest", None),
        ("//evil.example", None),
        ("/\\evil.example", None),
        ("https://evil.example/", None),
        ("javascript:alert(1)", None),
    ],
)
def test_safe_next_url(target, expected):
    assert safe_next_url(target) == expected
