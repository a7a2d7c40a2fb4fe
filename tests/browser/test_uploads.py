"""A member on a 360 px phone uploads a photo with a description and sees it in the post.

With JavaScript (upload.js) the file is uploaded as soon as it is chosen, with
progress; the form's "Upload" button (without JavaScript) is tested in
tests/uploads/test_composer.py.
"""

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


def test_photo_with_progress_and_alt_text_at_360px(live_app, make, open_page):
    make.user("fotografin", locale="en")
    category = make.category("Allgemeines", read_level="members")
    topic = make.topic(make.user(), category, "Sommerfest 2027", "Wer hat Fotos?")
    page = open_page(locale="en-GB", width=360)
    log_in(page, "fotografin", PASSWORD)

    page.goto(f"/t/{topic.id}/reply")
    expect(page.get_by_role("button", name="Upload")).to_be_hidden()  # the script uploads
    text = page.get_by_label("Text")
    text.fill("Hier ist unser Flyer.")
    # Note every state of the progress bar: it shows while the file goes up.
    page.evaluate(
        """() => {
          const bar = document.querySelector(".composer-upload progress");
          window.seen = [];
          new MutationObserver(() => window.seen.push([bar.hidden, bar.value, bar.max]))
            .observe(bar, {attributes: true});
        }"""
    )
    page.get_by_label("Add a picture or PDF").set_input_files(
        files=[{"name": "flyer.jpg", "mimeType": "image/jpeg",
                "buffer": pictures.jpeg_with_gps((1200, 900), orientation=6)}]
    )  # fmt: skip

    alt = page.get_by_label("Describe the picture for people who cannot see it")
    expect(alt).to_be_focused()  # asked for the description once the file is up
    expect(page.locator(".composer-upload [aria-live]")).to_contain_text("describe the picture")
    expect(text).to_have_value(re.compile(r"^Hier ist unser Flyer\.\n\n!\[\]\(upload://"))
    seen = page.evaluate("window.seen")
    assert [False] in [state[:1] for state in seen], seen  # the bar showed
    assert seen[-1][0] is True and seen[-2][1] == seen[-2][2], seen  # full, then hidden
    alt.fill("Flyer des Sommerfests mit Datum")
    expect(text).to_have_value(
        re.compile(r"Hier ist unser Flyer\.\n\n!\[Flyer des Sommerfests mit Datum\]\(upload://")
    )
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


def test_a_dropped_broken_picture_is_refused_and_the_text_stays(live_app, make, open_page):
    make.user("fotografin", locale="en")
    topic = make.topic(make.user(), make.category("Allgemeines"), "Fotos", "Wer hat Fotos?")
    page = open_page(locale="en-GB")
    log_in(page, "fotografin", PASSWORD)
    page.goto(f"/t/{topic.id}/reply")
    page.get_by_label("Text").fill("Mein langer Text")
    page.evaluate(
        """() => {
          const transfer = new DataTransfer();
          transfer.items.add(new File([new Uint8Array([137, 80, 78, 71])], "bild.png",
                                      {type: "image/png"}));
          document.querySelector("textarea.composer-input").dispatchEvent(
            new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        }"""
    )
    expect(page.locator(".composer-upload [aria-live]")).to_contain_text("not a picture")
    expect(page.get_by_label("Text")).to_have_value("Mein langer Text")
    expect(page.locator(".composer-upload progress")).to_be_hidden()


def test_several_files_go_one_after_another_each_picture_described(live_app, make, open_page):
    make.user("fotografin", locale="en")
    category = make.category("Allgemeines", read_level="members")
    topic = make.topic(make.user(), category, "Sommerfest 2027", "Wer hat Fotos?")
    page = open_page(locale="en-GB", width=360)
    log_in(page, "fotografin", PASSWORD)
    page.goto(f"/t/{topic.id}/reply")
    text = page.get_by_label("Text")
    text.fill("Unsere Bilder:")
    pdf = pictures.PDF_WITH_SCRIPT
    page.get_by_label("Add a picture or PDF").set_input_files(
        files=[
            {"name": "eins.png", "mimeType": "image/png", "buffer": pictures.png((60, 40))},
            {"name": "zwei.png", "mimeType": "image/png", "buffer": pictures.png((61, 40))},
            {"name": "flyer.pdf", "mimeType": "application/pdf", "buffer": pdf},
        ]
    )
    alt = page.get_by_label("Describe the picture for people who cannot see it")
    expect(alt).to_be_focused()
    # The second file waits for the first picture's description.
    expect(text).to_have_value(
        re.compile(r"^Unsere Bilder:\n\n!\[\]\(upload://[0-9a-f]+\.\w+\)\n$")
    )
    alt.fill("Die Bühne")
    alt.press("Enter")
    expect(alt).to_be_focused()
    alt.fill("Der Kuchenstand")
    alt.press("Enter")
    expect(text).to_have_value(
        re.compile(
            r"^Unsere Bilder:\n\n!\[Die Bühne\]\(upload://\w+\.\w+\)\n\n"
            r"!\[Der Kuchenstand\]\(upload://\w+\.\w+\)\n\n\[flyer\.pdf\]\(upload://\w+\.pdf\)"
        )
    )
