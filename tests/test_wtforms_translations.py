"""WTForms' own messages follow the request's language, from catalogues read
once per process (forum/i18n.py)."""

from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired

from forum import i18n


class Probe(FlaskForm):
    number = IntegerField(validators=[InputRequired()])


def test_wtforms_messages_follow_the_language_and_are_read_once(app):
    i18n._wtforms_catalog.cache_clear()
    for _round in range(2):
        for language, text in (
            ("de", "Dieses Feld wird benötigt."),
            ("en", "This field is required."),
        ):
            with app.test_request_context(
                "/", method="POST", data={}, headers={"Accept-Language": language}
            ):
                app.preprocess_request()
                form = Probe(meta={"csrf": False})
                assert not form.validate()
                assert form.number.errors == [text]
    # Two languages, four forms: each catalogue was read once.
    info = i18n._wtforms_catalog.cache_info()
    assert info.misses == 2 and info.hits >= 2
