"""Site texts: versions, built-in defaults, the version an applicant accepts."""

import pytest

from forum.extensions import db
from forum.site import services
from forum.site.defaults import DEFAULT_TEXTS


def test_every_text_key_has_a_german_default():
    assert set(DEFAULT_TEXTS) == set(services.TEXT_KEYS)
    for title, raw in DEFAULT_TEXTS.values():
        assert title and len(raw) > 100


def test_page_text_is_the_default_until_saved(app):
    with app.app_context():
        text = services.page_text("netiquette")
        assert text.version == 0
        assert text.title == DEFAULT_TEXTS["netiquette"][0]
        assert "<ol>" in text.cooked
        services.save_text("netiquette", "Regeln", "Seid nett.", None)
        db.session.commit()
        text = services.page_text("netiquette")
        assert (text.version, text.title, text.raw) == (1, "Regeln", "Seid nett.")
        assert text.updated_at is not None


def test_each_save_is_a_new_version(app):
    with app.app_context():
        for number in (1, 2, 3):
            saved = services.save_text("impressum", f"Impressum {number}", f"Text {number}", None)
            db.session.commit()
            assert saved.version == number
        assert services.current_text("impressum").raw == "Text 3"
        # Other keys count their own versions.
        assert services.save_text("privacy", "Datenschutz", "Text", None).version == 1
        db.session.commit()


def test_ensure_text_stores_the_default_once(app):
    with app.app_context():
        first = services.ensure_text("netiquette")
        assert first.version == 1
        assert first.raw == DEFAULT_TEXTS["netiquette"][1]
        assert services.ensure_text("netiquette").id == first.id


def test_unknown_keys_are_refused(app):
    with app.app_context(), pytest.raises(KeyError):
        services.page_text("agb")
