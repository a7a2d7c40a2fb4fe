"""Template filters: dates and numbers as the reader's language and time zone write them,
though Babel's work is kept per value (forum/templating.py)."""

from datetime import UTC, datetime, timedelta

from flask_babel import force_locale

from forum.db import utcnow
from forum.templating import format_number, time_tag

WHEN = datetime(2025, 2, 7, 0, 20, tzinfo=UTC)


def test_a_date_follows_the_language_at_once(app):
    with app.test_request_context():
        with force_locale("de"):
            german = str(time_tag(WHEN))
        with force_locale("en"):
            english = str(time_tag(WHEN))
        with force_locale("de"):
            again = str(time_tag(WHEN))
    assert 'title="07.02.2025, 01:20:00"' in german
    assert "Feb 7, 2025" in english
    assert again == german


def test_a_date_s_relative_text_is_not_kept(app):
    with app.test_request_context(), force_locale("en"):
        recent = utcnow() - timedelta(minutes=5)
        assert ">5 min<" in str(time_tag(recent))
        assert ">just now<" in str(time_tag(utcnow()))


def test_a_number_follows_the_language_at_once(app):
    with app.test_request_context():
        with force_locale("de"):
            assert format_number(1234) == "1.234"
        with force_locale("en"):
            assert format_number(1234) == "1,234"
        with force_locale("de"):
            assert format_number(1234.5) == "1.234,5"


def test_an_old_date_s_short_form_is_flask_babel_s_in_the_reader_s_language_and_zone(app):
    """relative_time keeps Babel's medium date per value; it must stay what
    Flask-Babel's format_date gives, a date near midnight in Berlin included."""
    from flask_babel import format_date

    from forum.templating import relative_time

    late = datetime(2024, 10, 26, 22, 30, tzinfo=UTC)  # 27 October in Berlin
    with app.test_request_context():
        for locale in ("de", "en", "de"):
            with force_locale(locale):
                for value in (WHEN, late, late + timedelta(hours=2)):
                    assert relative_time(value) == format_date(value, "medium")
        with force_locale("de"):
            assert relative_time(late) == "27.10.2024"
        with force_locale("en"):
            assert relative_time(late) == "Oct 27, 2024"
