"""Site texts: versions, built-in defaults, the version an applicant accepts."""

import pytest

from forum.extensions import db
from forum.markdown import Cooker
from forum.site import services
from forum.site.defaults import DEFAULT_TEXTS, cooked_defaults


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


def test_the_kept_cooked_defaults_are_what_the_cooker_makes_of_them():
    """Run `python -m forum.site.defaults` after changing a default or the cooker."""
    cooker = Cooker()
    kept = cooked_defaults()
    assert set(kept) == set(DEFAULT_TEXTS)
    for key, (_title, raw) in DEFAULT_TEXTS.items():
        assert kept[key] == {"raw": raw, "cooked": cooker.cook(raw)}, key


def test_a_default_is_shown_from_its_kept_html_and_cooked_when_it_changed(app, monkeypatch):
    kept = {"about": {"raw": DEFAULT_TEXTS["about"][1], "cooked": "<p>kept</p>"}}
    monkeypatch.setattr(services, "cooked_defaults", lambda: kept)
    with app.app_context():
        assert services.page_text("about").cooked == "<p>kept</p>"
        # Another text than the kept one's (a default changed, the file not): cooked.
        assert "<ol>" in services.page_text("netiquette").cooked
    monkeypatch.setitem(DEFAULT_TEXTS, "about", ("Titel", "Ein **neuer** Text."))
    app.extensions.pop("forum.default_texts")
    with app.app_context():
        assert services.page_text("about").cooked == "<p>Ein <strong>neuer</strong> Text.</p>"


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
