"""URL helpers: checked redirect targets."""

import pytest
from flask import url_for

from forum.urls import TopicPostUrls, UrlPattern, safe_next_url, topic_url


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


# --- Links built once per page and filled in per item (UrlPattern) ------------------------

_ODD_NAMES = [
    "anna",
    "Jörg Müller",
    "a/b",
    "x?y#z",
    "100%",
    "o'neil&co",
    "a b+c",
    "😀",
    "7318264905000",
]


@pytest.mark.parametrize("username", _ODD_NAMES)
def test_a_pattern_fills_in_a_name_as_url_for_quotes_it(app, username):
    with app.test_request_context():
        profile = UrlPattern("users.profile", "username")
        avatar = UrlPattern("users.avatar", "username", size=48)
        assert profile(username) == url_for("users.profile", username=username)
        assert avatar(username) == url_for("users.avatar", username=username, size=48)


@pytest.mark.parametrize("number", [1, 2, 9, 10, 123456789, 7318264905001])
def test_a_pattern_fills_in_numbers_in_the_path_and_the_query(app, number):
    with app.test_request_context():
        assert UrlPattern("boards.like", "post_id")(number) == url_for(
            "boards.like", post_id=number
        )
        reply = UrlPattern("boards.reply", "to", topic_id=5)
        assert reply(number) == url_for("boards.reply", topic_id=5, to=number)
        quote = UrlPattern("boards.reply", "to", topic_id=5, quote=1)
        assert quote(number) == url_for("boards.reply", topic_id=5, to=number, quote=1)


def test_a_pattern_with_several_open_values_fills_each_in_its_place(app):
    with app.test_request_context():
        pattern = UrlPattern("boards.topic", "slug", "topic_id", "post_number")
        assert pattern("ein-thema", 42, 7) == url_for(
            "boards.topic", slug="ein-thema", topic_id=42, post_number=7
        )
        assert pattern("ä ö", 1, 2) == url_for(
            "boards.topic", slug="ä ö", topic_id=1, post_number=2
        )


def test_a_pattern_takes_only_numbers_into_the_query(app):
    """Werkzeug writes a string in the query otherwise than in the path."""
    with app.test_request_context():
        reply = UrlPattern("boards.reply", "to", topic_id=5)
        with pytest.raises(TypeError):
            reply("a b")
        # A string in the path is fine.
        assert UrlPattern("users.profile", "username")("a b") == "/u/a%20b"


def test_a_fixed_value_that_looks_like_a_stand_in_falls_back_to_url_for(app):
    with app.test_request_context():
        pattern = UrlPattern("boards.topic", "post_number", slug="7318264905000", topic_id=3)
        assert pattern(4) == url_for(
            "boards.topic", slug="7318264905000", topic_id=3, post_number=4
        )


def test_topic_post_urls_are_topic_url(app, make):
    with app.app_context():
        topic = make.topic(title="Ein Thema über Ärger")
    with app.test_request_context():
        urls = TopicPostUrls(topic)
        for number in (None, 0, 1, 2, 20, 21):
            assert urls(number) == topic_url(topic, number)
