"""A member on a 360 px phone uploads a photo with a description and sees it in the post."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import WCAG_A_AA, log_in
from tests.uploads import pictures

PASSWORD = "correct horse battery"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True, "HOLD_FIRST_POSTS": 0, "UPLOAD_HOLD_POSTS": 0}


def test_photo_with_alt_text_at_360px(live_app, make, open_page):
    make.user("fotografin", locale="en")
    category = make.category("Allgemeines", read_level="members")
    topic = make.topic(make.user(), category, "Sommerfest 2027", "Wer hat Fotos?")
    page = open_page(locale="en-GB", width=360)
    log_in(page, "fotografin", PASSWORD)

    page.goto(f"/t/{topic.id}/reply")
    page.get_by_label("Text").fill("Hier ist unser Flyer.")
    page.get_by_label("Add a picture or PDF").set_input_files(
        files=[{"name": "flyer.jpg", "mimeType": "image/jpeg",
                "buffer": pictures.jpeg_with_gps((1200, 900), orientation=6)}]
    )  # fmt: skip
    page.get_by_label("Describe the picture for people who cannot see it").fill(
        "Flyer des Sommerfests mit Datum"
    )
    page.get_by_role("button", name="Upload").click()

    # The form comes back with the picture in the text and in the preview.
    expect(page.get_by_label("Text")).to_have_value(
        re.compile(r"Hier ist unser Flyer\.\n\n!\[Flyer des Sommerfests mit Datum\]")
    )
    expect(page.locator(".preview img[alt='Flyer des Sommerfests mit Datum']")).to_be_visible()
    results = Axe().run(page, options=WCAG_A_AA)
    assert not results.violations_count, results.generate_report()

    page.locator("main form [type=submit][name=submit]").click()
    image = page.locator(".cooked img[alt='Flyer des Sommerfests mit Datum']")
    image.scroll_into_view_if_needed()
    expect(image).to_be_visible()
    expect(image).to_have_attribute("loading", "lazy")
    loaded = image.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
    assert loaded[0] and loaded[1] > 0 and loaded[1] < loaded[2]  # upright: taller than wide
    box = image.bounding_box()
    assert box is not None and box["width"] <= 360
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    results = Axe().run(page, options=WCAG_A_AA)
    assert not results.violations_count, results.generate_report()


def test_a_dropped_picture_lands_in_the_file_field(live_app, make, open_page):
    make.user("fotografin", locale="en")
    topic = make.topic(make.user(), make.category("Allgemeines"), "Fotos", "Wer hat Fotos?")
    page = open_page(locale="en-GB")
    log_in(page, "fotografin", PASSWORD)
    page.goto(f"/t/{topic.id}/reply")
    page.evaluate(
        """() => {
          const transfer = new DataTransfer();
          transfer.items.add(new File([new Uint8Array([137, 80, 78, 71])], "bild.png",
                                      {type: "image/png"}));
          document.querySelector("textarea.composer-input").dispatchEvent(
            new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        }"""
    )
    assert page.locator("input[type=file]").evaluate("input => input.files[0].name") == "bild.png"
    expect(page.get_by_label("Describe the picture for people who cannot see it")).to_be_focused()
