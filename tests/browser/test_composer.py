"""A member writes with the composer in a real browser, on a desktop and on a
360 px phone; a keyboard-only member replies; a guest loads more and searches.

CSRF protection is on here: the live preview, likes and every form post carry
their tokens exactly as in production.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from forum.demo import load_demo
from tests.browser.conftest import log_in

PASSWORD = "correct horse battery"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True, "HOLD_FIRST_POSTS": 0}


@pytest.fixture
def thread(live_app, make):
    """A member category with one topic of two posts, and the member who writes."""
    make.user("autorin", locale="en")
    neighbour = make.user("nachbar", locale="en")
    category = make.category("Allgemeines", read_level="members")
    topic = make.topic(
        neighbour, category, "Fahrdienst am Mittwoch", "Wer kann mittwochs zum Arzt fahren?"
    )
    make.post(topic, neighbour, "Ich frage auch bei der Nachbarschaftshilfe nach.")
    return {"category": category, "topic": topic, "path": f"/t/{topic.slug}/{topic.id}"}


def _select(page: Page, selector: str, text: str) -> None:
    """Select ``text`` inside the first element matching ``selector``, like a mouse drag."""
    page.evaluate(
        """([selector, text]) => {
          const element = document.querySelector(selector);
          const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.textContent.indexOf(text);
            if (at === -1) continue;
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + text.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            return;
          }
          throw new Error("text not found");
        }""",
        [selector, text],
    )


def _select_in_textarea(page: Page, text: str) -> None:
    page.locator("textarea.composer-input").evaluate(
        "(area, text) => { const at = area.value.indexOf(text);"
        " area.focus(); area.setSelectionRange(at, at + text.length); }",
        text,
    )


@pytest.mark.parametrize("width", [1280, 360])
def test_member_writes_previews_replies_quotes_likes_and_edits(
    width, thread, open_page, screenshots
):
    page = open_page(locale="en-US", width=width)
    log_in(page, "autorin", PASSWORD)

    # A failed submit: errors next to the fields, focus on the first one.
    page.goto("/new-topic")
    page.get_by_role("button", name="Create topic").click()
    expect(page.locator("#title-error")).to_be_visible()
    # forum.js runs deferred: wait for it to move the focus.
    expect(page.locator("#title")).to_be_focused()
    expect(page.locator("#title")).to_have_attribute("aria-invalid", "true")

    # The toolbar formats the selection; the preview is live and needs no reload.
    page.get_by_label("Title").fill("Treffen der Fahrdienste")
    composer = page.locator("textarea.composer-input")
    composer.fill("Wichtig: Treffen am Montag")
    _select_in_textarea(page, "Wichtig")
    page.get_by_role("button", name="Bold").click()
    expect(composer).to_have_value("**Wichtig**: Treffen am Montag")
    composer.press("End")
    page.get_by_role("button", name="Bulleted list").click()
    expect(composer).to_have_value("- **Wichtig**: Treffen am Montag")
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".composer-preview")
    expect(preview.locator("li strong")).to_have_text("Wichtig")
    composer.press("End")
    composer.press_sequentially("\n- im Rathaus")
    expect(preview.locator("li").nth(1)).to_have_text("im Rathaus")
    assert page.evaluate("window.stillTheSamePage") is True
    page.screenshot(path=screenshots / f"composer-preview-{width}.png", full_page=True)

    # The draft survives leaving the page and coming back.
    page.wait_for_timeout(500)
    page.goto("/new-topic")
    expect(composer).to_have_value("- **Wichtig**: Treffen am Montag\n- im Rathaus")
    expect(page.get_by_label("Title")).to_have_value("Treffen der Fahrdienste")
    expect(page.get_by_role("status").filter(has_text="draft")).to_be_visible()
    page.get_by_role("button", name="Create topic").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Treffen der Fahrdienste")
    expect(page.locator("#post_1 .cooked li strong")).to_have_text("Wichtig")
    assert page.evaluate("localStorage.getItem('forum-draft:new-topic')") is None

    # Reply to a specific post.
    page.goto(thread["path"])
    page.get_by_role("link", name="Reply to post 2").click()
    expect(page.get_by_role("heading", name=re.compile("In reply to nachbar"))).to_be_visible()
    page.locator("textarea.composer-input").fill("Ich kann mittwochs fahren.")
    page.get_by_role("button", name="Reply", exact=True).click()
    reply = page.locator("article.post", has_text="Ich kann mittwochs fahren.")
    expect(reply.locator(".in-reply-to")).to_contain_text("nachbar (#2)")

    # Quote a selection from the first post into the reply box.
    page.wait_for_load_state()  # forum.js (deferred) listens for selections
    _select(page, "#post_1 .cooked", "zum Arzt fahren")
    page.locator(".quote-selection").click()
    box = page.locator(".reply-box textarea")
    expect(box).to_be_focused()
    expect(box).to_have_value(
        re.compile(r"^> \*\*@nachbar\*\* \[↑\]\(/t/fahrdienst-am-mittwoch/\d+\):\n>\n> zum Arzt")
    )
    assert page.locator(".reply-box [name=reply_to_post_number]").input_value() == "1"
    box.press("End")
    box.press_sequentially("Das übernehme ich.")
    page.locator(".reply-box").get_by_role("button", name="Reply", exact=True).click()
    quoting = page.locator("article.post", has_text="Das übernehme ich.")
    expect(quoting.locator("blockquote")).to_contain_text("zum Arzt fahren")
    expect(quoting.locator(".in-reply-to")).to_contain_text("nachbar (#1)")

    # Like without a reload.
    page.wait_for_load_state()
    page.evaluate("window.stillTheSamePage = true")
    like = page.locator("#post_1").get_by_role("button", name=re.compile("Like"))
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like.locator(".like-count")).to_have_text("1")
    assert page.evaluate("window.stillTheSamePage") is True

    # Edit the reply.
    quoting.get_by_role("link", name=re.compile("^Edit")).click()
    page.locator("textarea.composer-input").fill("Das übernehme ich gern, ab nächster Woche.")
    page.get_by_role("button", name="Save").click()
    edited = page.locator("article.post", has_text="ab nächster Woche")
    expect(edited.get_by_role("link", name="edited")).to_be_visible()
    page.screenshot(path=screenshots / f"composer-topic-{width}.png", full_page=True)


def _focus_is_visible(page: Page) -> bool:
    return page.evaluate(
        """() => { const style = getComputedStyle(document.activeElement);
          return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2; }"""
    )


def test_keyboard_only_member_replies(thread, open_page):
    page = open_page(locale="en-US", width=1280)
    log_in(page, "autorin", PASSWORD)
    page.goto(thread["path"] + "?page=1")

    # The skip link is the first stop, visible when focused, and lands in <main>.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Single-key shortcuts: j moves to the next post, ? explains them.
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == "post_1"
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == "post_2"
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.id") == "post_1"
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)

    # Tab on to the reply box; every stop on the way shows where the focus is.
    for _ in range(80):
        page.keyboard.press("Tab")
        assert _focus_is_visible(page), page.evaluate("document.activeElement.outerHTML")
        if page.evaluate("document.activeElement.name") == "raw":
            break
    else:
        pytest.fail("Tab never reached the reply box")
    page.keyboard.type("Ich übernehme jeden zweiten Mittwoch. j and k stay text here.")
    assert page.evaluate("document.activeElement.name") == "raw"
    # Formatting help is text; then the picture's file and description fields
    # (the "Upload" button is hidden when the script uploads), then the submit button.
    stops = []
    for _ in range(4):
        page.keyboard.press("Tab")
        assert _focus_is_visible(page), page.evaluate("document.activeElement.outerHTML")
        stops.append(page.evaluate("document.activeElement.name || ''"))
        if page.evaluate("document.activeElement.value") == "Reply":
            break
    assert stops == ["attachment", "attachment_alt", "submit"], stops
    page.keyboard.press("Enter")
    expect(page.locator("article.post", has_text="jeden zweiten Mittwoch")).to_be_visible()


def test_guest_loads_more_topics_and_searches(live_app, open_page, screenshots):
    live_app.config["TOPICS_PER_PAGE"] = 3
    with live_app.app_context():
        load_demo()
    page = open_page(locale="de-DE", width=360)
    page.goto("/latest")
    topics = page.locator(".topic-list > li")
    shown = topics.count()  # three, and the pinned welcome topic
    page.evaluate("window.stillTheSamePage = true")
    page.locator(".more a[rel=next]").click()  # "Weitere Themen"
    expect(topics).to_have_count(shown + 3)
    assert page.evaluate("window.stillTheSamePage") is True
    # The keyboard continues at the first topic that was added.
    expect(topics.nth(shown).locator(".topic-title > a")).to_be_focused()

    # A guest searches the public categories from the header.
    search = page.locator("#header-search-q")
    search.fill("Unfallversicherung")
    search.press("Enter")
    results = page.locator(".search-result")
    expect(results.first).to_contain_text("unfallversichert")
    page.screenshot(path=screenshots / "guest-search-results-360.png", full_page=True)
