"""The closed group's whole journey in a real browser, with real mail over SMTP.

A guest registers and confirms the address from the received mail, applies,
the coordinator approves the join request in /review, the new member's first
reply is held and then approved, another member flags it and the coordinator
hides it.
"""

import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from forum.extensions import db
from forum.membership.models import MembershipQuestion
from forum.users.models import User

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
WCAG_A_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
QUESTION = "Wie sind Sie auf uns aufmerksam geworden?"
REPLY = "Ich kann mittwochs den Fahrdienst übernehmen, gern ab nächster Woche."


@pytest.fixture
def app_config(app_config):
    # One flag hides a post, so a single member's report shows the whole path.
    return {**app_config, "FLAGS_TO_HIDE": 1, "HOLD_FIRST_POSTS": 1}


@pytest.fixture
def people(live_app, make):
    coordinator = make.user("koordination", role="moderator", locale="en")
    author = make.user("autorin", role="member", locale="en")
    make.user("nachbarin", role="member", locale="en")
    category = make.category("Allgemeines", read_level="members")
    with live_app.app_context():
        trusted = db.session.get(User, author.id)
        trusted.published_post_count = 5
        db.session.commit()
    topic = make.topic(author, category, "Fahrdienst für Senioren", "Wer kann mittwochs fahren?")
    with live_app.app_context():
        db.session.add(MembershipQuestion(text=QUESTION, required=True))
        db.session.commit()
    return {"coordinator": coordinator, "topic": topic}


@pytest.fixture
def open_context(browser: Browser, base_url: str) -> Iterator:
    contexts: list[BrowserContext] = []

    def _open() -> Page:
        context = browser.new_context(base_url=base_url, locale="en-US")
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


def _log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username or e-mail address").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # Logged in: the header's account menu names the member.
    expect(page.locator("header .user-menu > summary")).to_contain_text(f"Menu for {username}")


def _path_in(mail) -> str:
    """Return the path of the forum link in a received mail."""
    text = mail.get_payload(decode=True).decode()
    return re.search(r"http://forum\.test(/\S+)", text).group(1)


def _apply(page: Page) -> None:
    """Answer the membership question and accept the netiquette on /join."""
    expect(page).to_have_url(re.compile(r"/join$"))
    page.get_by_label(QUESTION).fill("Aus der Zeitung")
    page.get_by_label("I have read the netiquette and accept it.").check()
    page.get_by_role("button", name="Send application").click()
    expect(page).to_have_url(re.compile(r"/join/waiting$"))


def _card(page: Page, text: str):
    return page.locator("li.review-item", has_text=text)


def _check_accessibility(page: Page, screenshots, name: str) -> None:
    page.screenshot(path=screenshots / f"moderation-{name}.png", full_page=True)
    results = Axe().run(page, options=WCAG_A_AA)
    assert results.violations_count == 0, results.generate_report()


def test_join_hold_flag_and_hide(live_app, people, open_context, mailbox, screenshots):
    topic = people["topic"]
    topic_path = f"/t/{topic.slug}/{topic.id}"

    # A guest registers and confirms the address with the link from the mail.
    newcomer = open_context()
    newcomer.goto("/register")
    newcomer.get_by_label("Username").fill("bewerberin")
    newcomer.get_by_label("E-mail address").fill("bewerberin@example.org")
    newcomer.get_by_label("Password", exact=True).fill(PASSWORD)
    newcomer.get_by_label("Repeat password").fill(PASSWORD)
    newcomer.get_by_role("button", name="Create account").click()
    # Not logged in yet: the page reads the same whether the address was new or taken.
    expect(newcomer.get_by_role("heading", name="Please check your e-mail")).to_be_visible()
    [confirmation] = mailbox.wait_for("bewerberin@example.org")
    newcomer.goto(_path_in(confirmation))  # the first click on the link logs in
    expect(newcomer.locator("header .user-menu > summary")).to_contain_text("Menu for bewerberin")
    _apply(newcomer)
    # Still an applicant: the member category stays closed.
    assert newcomer.goto(topic_path).status == 404

    # The coordinator is told by mail and sees the request in the review queue.
    [join_mail] = mailbox.wait_for("koordination@example.org")
    coordinator = open_context()
    _log_in(coordinator, "koordination")
    expect(coordinator.locator(".user-nav")).to_contain_text("Review")
    coordinator.goto(_path_in(join_mail))
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text(
        "Join request from bewerberin"
    )
    expect(coordinator.get_by_text("Zeitung")).to_be_visible()
    _check_accessibility(coordinator, screenshots, "join-request")
    coordinator.goto("/review")
    card = _card(coordinator, "Join request from bewerberin")
    card.get_by_role("button", name=re.compile("^Approve")).click()
    expect(coordinator.get_by_text("bewerberin is now a member.")).to_be_visible()
    assert len(mailbox.wait_for("bewerberin@example.org", count=2)) == 2  # confirmation, welcome

    # The new member writes a first reply; it waits for approval.
    newcomer.goto(topic_path)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Fahrdienst für Senioren")
    newcomer.locator(".reply-box").get_by_label("Text").fill(REPLY)
    newcomer.locator(".reply-box").get_by_role("button", name="Reply", exact=True).click()
    expect(newcomer.get_by_text("Your reply will appear once a moderator")).to_be_visible()
    expect(newcomer.locator(".held-posts")).to_contain_text(REPLY)

    # The coordinator approves it from the queue.
    coordinator.goto("/review")
    card = _card(coordinator, "Post by bewerberin awaiting approval")
    expect(card).to_contain_text(REPLY)
    expect(card).to_contain_text("first posts of a new member")
    _check_accessibility(coordinator, screenshots, "review")
    card.get_by_role("button", name=re.compile("^Approve")).click()
    expect(coordinator.get_by_text("The post was published.")).to_be_visible()

    # Another member sees the reply and flags it.
    neighbour = open_context()
    _log_in(neighbour, "nachbarin")
    neighbour.goto(topic_path + "?page=1")
    post = neighbour.locator("article.post", has_text=REPLY)
    post.get_by_role("link", name=re.compile("^Flag")).click()
    _check_accessibility(neighbour, screenshots, "flag")
    neighbour.get_by_label("Spam").check()
    neighbour.get_by_role("button", name="Flag post").click()
    expect(neighbour.get_by_text("A moderator will look at this post.")).to_be_visible()
    # One flag is enough here: the text is hidden from the other members.
    expect(neighbour.locator("article.post", has_text=REPLY)).to_have_count(0)

    # The coordinator agrees and keeps it hidden.
    coordinator.goto("/review")
    card = _card(coordinator, "Flagged post by bewerberin")
    expect(card).to_contain_text("nachbarin")
    expect(card).to_contain_text("Spam")
    card.get_by_role("button", name="Agree: hide").click()
    expect(coordinator.get_by_text("The post is hidden.")).to_be_visible()
    expect(coordinator.get_by_text("Nothing to review here.")).to_be_visible()
    coordinator.goto(topic_path + "?page=1")
    coordinator.get_by_text("Moderate this topic").click()
    _check_accessibility(coordinator, screenshots, "topic-panel")
    coordinator.goto("/u/bewerberin/moderate")
    _check_accessibility(coordinator, screenshots, "member")

    # The author still sees the post, marked hidden, and was told in the forum.
    newcomer.goto(topic_path + "?page=1")
    hidden = newcomer.locator("article.post", has_text=REPLY)
    expect(hidden.locator(".badge-hidden")).to_be_visible()
    newcomer.goto("/notifications")
    expect(newcomer.locator(".notification-list")).to_contain_text(
        "was approved and is visible now"
    )
    expect(newcomer.locator(".notification-list")).to_contain_text("was hidden after reports")
    _check_accessibility(newcomer, screenshots, "notifications")
