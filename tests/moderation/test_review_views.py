"""The review queue: list, filters, windows, and decisions on each kind of item."""

import pytest
import sqlalchemy as sa

from forum.boards.models import Post
from forum.extensions import db
from forum.membership.models import RejectionTemplate
from forum.moderation.models import AuditLog, ReviewItem, ReviewStatus
from forum.notifications.models import Notification
from forum.users.models import Role, User
from tests.conftest import login, read_settings_once


def _notifications(app, user_id: int, kind: str | None = None) -> list[Notification]:
    with app.app_context():
        query = sa.select(Notification).where(Notification.user_id == user_id)
        if kind:
            query = query.where(Notification.kind == kind)
        return list(db.session.scalars(query))


# --- Who may see the queue --------------------------------------------------------------


@pytest.mark.parametrize("role", [None, "applicant", "member"])
def test_queue_is_invisible_to_everybody_but_moderators(client, make, join_request, role):
    _applicant, item_id = join_request()
    if role:
        login(client, make.user("jemand", role=role))
    for url in ("/review", f"/review/{item_id}"):
        assert client.get(url).status_code == 404
    for action in ("approve", "reject", "flags"):
        response = client.post(f"/review/{item_id}/{action}", data={"reason": "x"})
        assert response.status_code == 404


def test_member_forging_a_decision_changes_nothing(app, client, make, join_request, get):
    applicant, item_id = join_request()
    login(client, make.user("mitglied", role="member"))
    assert client.post(f"/review/{item_id}/approve").status_code == 404
    assert get(User, applicant.id).role == Role.APPLICANT
    assert get(ReviewItem, item_id).status == ReviewStatus.PENDING


def test_admin_works_the_queue_too(client, make, join_request):
    join_request()
    login(client, make.user("verwaltung", role="admin"))
    assert client.get("/review").status_code == 200


# --- The list ---------------------------------------------------------------------------


def test_list_shows_every_kind_newest_first_with_count(
    client, coordinator, join_request, held_reply, flagged
):
    join_request()
    held_reply()
    flagged()
    login(client, coordinator)
    body = client.get("/review").get_data(as_text=True)
    joined = body.index("Join request from bewerberin")
    held = body.index("Post by neuling awaiting approval")
    flag = body.index("Flagged post by autorin")
    assert flag < held < joined
    assert "3 pending" in body
    # Everything needed to decide is on the card.
    assert "Wie sind Sie auf uns aufmerksam geworden?" in body and "Zeitung" in body
    assert "bewerberin@example.org" in body
    assert "Ich kann mittwochs fahren" in body
    assert "first posts of a new member" in body
    assert "Kaufen Sie jetzt billige Uhren!" in body and "melder0" in body and "Spam" in body


def test_header_shows_pending_count_to_moderators(client, coordinator, join_request):
    join_request("eins")
    join_request("zwei")
    login(client, coordinator)
    body = client.get("/latest").get_data(as_text=True)
    assert 'href="/review"' in body
    assert '<span class="count-badge">2<span class="visually-hidden"> pending' in body


def test_filter_by_kind_and_status(client, coordinator, join_request, held_reply):
    _applicant, join_id = join_request()
    held_reply()
    login(client, coordinator)
    body = client.get("/review?kind=held_post").get_data(as_text=True)
    assert "neuling" in body and "Join request from" not in body
    client.post(f"/review/{join_id}/approve")
    assert "Join request from" not in client.get("/review").get_data(as_text=True)
    approved = client.get("/review?status=approved").get_data(as_text=True)
    assert "Join request from bewerberin" in approved and "Handled by koordination" in approved
    assert "neuling" not in approved
    everything = client.get("/review?status=all").get_data(as_text=True)
    assert "bewerberin" in everything and "neuling" in everything
    # Nonsense filters fall back to the defaults instead of failing.
    assert client.get("/review?status=bogus&kind=bogus").status_code == 200


def test_list_is_windowed_with_a_fixed_number_of_queries(
    app, client, coordinator, join_request, held_reply, flagged, count_queries
):
    from forum.moderation import views

    login(client, coordinator)
    read_settings_once(client)
    join_request("eins")
    held_reply("neu1")
    flagged()

    def queries_for_list() -> int:
        with count_queries() as statements:
            assert client.get("/review?status=all").status_code == 200
        return len(statements)

    few = queries_for_list()
    for number in range(2, 6):
        join_request(f"bewerber{number}")
        held_reply(f"neu{number}")
    assert queries_for_list() == few

    views.REVIEW_PAGE_SIZE, size = 4, views.REVIEW_PAGE_SIZE
    try:
        first = client.get("/review?status=all").get_data(as_text=True)
        assert first.count('class="review-item') == 4
        assert "Older items" in first
        with app.app_context():
            ids = sorted(db.session.scalars(sa.select(ReviewItem.id)), reverse=True)
        second = client.get(f"/review?status=all&before={ids[3]}").get_data(as_text=True)
        assert f'href="/review/{ids[4]}"' in second and f'href="/review/{ids[3]}"' not in second
    finally:
        views.REVIEW_PAGE_SIZE = size


# --- Join requests ----------------------------------------------------------------------


def test_approving_a_join_request(app, client, coordinator, join_request, mailbox, get):
    applicant, item_id = join_request()
    mailbox.clear()
    login(client, coordinator)
    page = client.get(f"/review/{item_id}").get_data(as_text=True)
    assert "Zeitung" in page and "Registered" in page
    response = client.post(f"/review/{item_id}/approve", data={"next": "/review"})
    assert response.status_code == 302 and response.headers["Location"] == "/review"
    assert get(User, applicant.id).role == Role.MEMBER
    item = get(ReviewItem, item_id)
    assert item.status == ReviewStatus.APPROVED and item.handled_by_id == coordinator.id
    assert [n.kind for n in _notifications(app, applicant.id)] == ["application_approved"]
    assert len(mailbox.to("bewerberin@example.org")) == 1
    with app.app_context():
        assert (
            db.session.scalar(sa.select(AuditLog.action).where(AuditLog.target_id == applicant.id))
            == "approve_application"
        )


def test_rejecting_without_a_reason_changes_nothing(
    client, coordinator, join_request, get, mailbox
):
    applicant, item_id = join_request()
    mailbox.clear()
    login(client, coordinator)
    response = client.post(f"/review/{item_id}/reject", data={"reason": "   "})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Please give a reason" in body and 'aria-invalid="true"' in body
    assert get(ReviewItem, item_id).status == ReviewStatus.PENDING
    assert get(User, applicant.id).role == Role.APPLICANT
    assert mailbox.messages == []


def test_rejecting_keeps_the_text_when_the_form_fails(client, coordinator, join_request):
    _applicant, item_id = join_request()
    login(client, coordinator)
    response = client.post(f"/review/{item_id}/reject", data={"reason": "x" * 501 + " Mein Grund"})
    assert response.status_code == 400
    assert "Mein Grund" in response.get_data(as_text=True)


def test_rejecting_with_a_written_reason(app, client, coordinator, join_request, mailbox, get):
    applicant, item_id = join_request()
    mailbox.clear()
    login(client, coordinator)
    reason = "Wir nehmen nur Menschen aus dem Landkreis Gifhorn auf."
    response = client.post(f"/review/{item_id}/reject", data={"reason": reason})
    assert response.status_code == 302
    item = get(ReviewItem, item_id)
    assert item.status == ReviewStatus.REJECTED and item.resolution_reason == reason
    assert get(User, applicant.id).role == Role.APPLICANT
    [notification] = _notifications(app, applicant.id)
    assert notification.kind == "application_rejected" and notification.data["reason"] == reason
    [mail] = mailbox.to("bewerberin@example.org")
    assert "Landkreis Gifhorn auf." in mail.get_payload(decode=True).decode()


def test_rejecting_with_a_prepared_reason(app, client, coordinator, join_request, get):
    _applicant, item_id = join_request()
    with app.app_context():
        template = RejectionTemplate(
            title="Nicht aus dem Landkreis", body="Leider nur für den Landkreis Gifhorn."
        )
        db.session.add(template)
        db.session.commit()
        template_id = template.id
    login(client, coordinator)
    page = client.get(f"/review/{item_id}").get_data(as_text=True)
    assert "Nicht aus dem Landkreis" in page
    client.post(f"/review/{item_id}/reject", data={"template": template_id, "reason": ""})
    assert get(ReviewItem, item_id).resolution_reason == "Leider nur für den Landkreis Gifhorn."
    # A written reason wins over the picked one.
    _other, other_id = join_request("zweite")
    client.post(f"/review/{other_id}/reject", data={"template": template_id, "reason": "Eigener"})
    assert get(ReviewItem, other_id).resolution_reason == "Eigener"


# --- Two moderators at once -------------------------------------------------------------


def test_second_moderator_learns_who_was_faster(app, make, coordinator, join_request, mailbox):
    applicant, item_id = join_request()
    mailbox.clear()
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(first, coordinator)
    login(second, make.user("vertretung", role="moderator"))
    # Both have the item open; the first one decides.
    assert second.get(f"/review/{item_id}").status_code == 200
    # Buffered, as a server sends it: the mail goes out once the response is closed.
    assert first.post(f"/review/{item_id}/approve", buffered=True).status_code == 302
    response = second.post(
        f"/review/{item_id}/reject", data={"reason": "Zu spät"}, follow_redirects=True
    )
    body = response.get_data(as_text=True)
    assert "already handled by koordination" in body
    response = second.post(f"/review/{item_id}/approve", follow_redirects=True)
    assert "already handled by koordination" in response.get_data(as_text=True)
    # Applied once: one notification, one mail, the first decision stands.
    assert len(_notifications(app, applicant.id)) == 1
    assert len(mailbox.to("bewerberin@example.org")) == 1
    with app.app_context():
        item = db.session.get(ReviewItem, item_id)
        assert item.status == ReviewStatus.APPROVED and item.resolution_reason == ""
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 1


def test_deciding_an_item_that_does_not_exist_is_404(client, coordinator):
    login(client, coordinator)
    assert client.get("/review/999999").status_code == 404
    for action in ("approve", "reject", "flags"):
        assert client.post(f"/review/999999/{action}", data={"reason": "x"}).status_code == 404


def test_a_decision_for_the_wrong_kind_is_refused(client, coordinator, join_request, get):
    _applicant, item_id = join_request()
    login(client, coordinator)
    response = client.post(f"/review/{item_id}/flags", data={"decision": "agree_hide"})
    assert response.status_code == 400
    assert get(ReviewItem, item_id).status == ReviewStatus.PENDING


def test_next_must_stay_on_the_site(client, coordinator, join_request):
    _applicant, item_id = join_request()
    login(client, coordinator)
    response = client.post(f"/review/{item_id}/approve", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/review"


# --- Held posts -------------------------------------------------------------------------


def test_approving_a_held_reply_publishes_it(app, client, world, held_reply, get):
    newcomer, item_id = held_reply()
    # Before approval nobody else sees it.
    reader = app.test_client()
    login(reader, world.author)
    topic_path = f"/t/{world.topic.slug}/{world.topic.id}"
    assert "Ich kann mittwochs fahren" not in reader.get(topic_path).get_data(as_text=True)

    login(client, world.coordinator)
    response = client.post(f"/review/{item_id}/approve")
    assert (
        response.status_code == 302
        and f"/t/{world.topic.slug}/{world.topic.id}" in (response.headers["Location"])
    )
    page = reader.get(topic_path, follow_redirects=True).get_data(as_text=True)
    assert "Ich kann mittwochs fahren" in page
    item = get(ReviewItem, item_id)
    assert item.status == ReviewStatus.APPROVED and item.post_id is not None
    [notification] = _notifications(app, newcomer.id)
    assert notification.kind == "post_approved" and notification.topic_id == world.topic.id


def test_rejecting_a_held_reply_tells_the_author(app, client, world, held_reply, mailbox, get):
    newcomer, item_id = held_reply()
    mailbox.clear()
    login(client, world.coordinator)
    response = client.post(f"/review/{item_id}/reject", data={"reason": "Bitte ohne Werbung."})
    assert response.status_code == 302
    assert get(ReviewItem, item_id).status == ReviewStatus.REJECTED
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Post).where(Post.user_id == newcomer.id)
            )
            == 0
        )
    [notification] = _notifications(app, newcomer.id)
    assert notification.kind == "post_rejected"
    assert notification.data["reason"] == "Bitte ohne Werbung."
    [mail] = mailbox.to("neuling@example.org")
    text = mail.get_payload(decode=True).decode()
    assert "Bitte ohne Werbung." in text and "Ich kann mittwochs fahren" in text


def test_a_watched_word_is_named_as_the_reason(app, client, world, make, trust):
    from forum.boards.models import Topic
    from forum.boards.services import submit_post
    from forum.moderation.models import WatchedWord, WatchedWordAction

    member = make.user("vertraut", role="member")
    trust(member)
    with app.app_context():
        db.session.add(WatchedWord(word="bargeld", action=WatchedWordAction.HOLD))
        db.session.commit()
        submit_post(
            db.session.get(User, member.id),
            db.session.get(Topic, world.topic.id),
            "Ich zahle Bargeld für jede Fahrt.",
        )
    login(client, world.coordinator)
    assert "watched word “Bargeld”" in client.get("/review").get_data(as_text=True)


def test_queue_sentences_keep_their_links(app, client, world, make, flagged):
    # Whole translatable sentences with the links placed into them, not escaped.
    flagged()
    login(client, world.coordinator)
    html = client.get("/review").get_data(as_text=True)
    assert 'by <a href="/u/melder0">melder0</a> <time' in html


# --- Flagged posts ----------------------------------------------------------------------


def test_agree_hide_and_silence_the_author(app, client, world, flagged, get):
    post_id, item_id = flagged()
    login(client, world.coordinator)
    response = client.post(
        f"/review/{item_id}/flags",
        data={"decision": "agree_hide", "silence_days": "3", "reason": "Werbung"},
    )
    assert response.status_code == 302
    assert get(Post, post_id).hidden_at is not None
    author = get(User, world.author.id)
    assert author.is_silenced and author.silence_reason == "Werbung"
    assert {n.kind for n in _notifications(app, world.author.id)} == {"silenced"}


def test_agree_delete(client, world, flagged, get):
    post_id, item_id = flagged()
    login(client, world.coordinator)
    client.post(f"/review/{item_id}/flags", data={"decision": "agree_delete"})
    assert get(Post, post_id).deleted_at is not None
    assert not get(User, world.author.id).is_silenced


def test_disagree_restores_a_post_hidden_by_flags(app, client, world, flagged, get):
    app.config["FLAGS_TO_HIDE"] = 1
    post_id, item_id = flagged()
    assert get(Post, post_id).hidden_at is not None
    login(client, world.coordinator)
    client.post(f"/review/{item_id}/flags", data={"decision": "disagree"})
    assert get(Post, post_id).hidden_at is None
    assert get(ReviewItem, item_id).status == ReviewStatus.REJECTED


def test_ignore_leaves_the_post_alone(client, world, flagged, get):
    post_id, item_id = flagged()
    login(client, world.coordinator)
    client.post(f"/review/{item_id}/flags", data={"decision": "ignore"})
    assert get(Post, post_id).hidden_at is None
    assert get(ReviewItem, item_id).status == ReviewStatus.IGNORED


@pytest.mark.parametrize(
    "data", [{"decision": "burn"}, {}, {"decision": "agree_hide", "silence_days": "-2"}]
)
def test_bad_flag_decisions_are_refused(client, world, flagged, get, data):
    post_id, item_id = flagged()
    login(client, world.coordinator)
    assert client.post(f"/review/{item_id}/flags", data=data).status_code == 400
    assert get(ReviewItem, item_id).status == ReviewStatus.PENDING
    assert get(Post, post_id).hidden_at is None


def test_a_silence_without_reason_is_explained_in_the_authors_language(app, client, world, flagged):
    with app.app_context():
        db.session.get(User, world.author.id).locale = "de"
        db.session.commit()
    _post_id, item_id = flagged()
    login(client, world.coordinator)  # the coordinator's pages are in English
    client.post(f"/review/{item_id}/flags", data={"decision": "agree_hide", "silence_days": "2"})
    [notification] = _notifications(app, world.author.id, "silenced")
    assert notification.data["reason"] == "Gemeldeter Beitrag"


def test_flag_decision_twice_is_applied_once(app, client, world, flagged):
    _post_id, item_id = flagged()
    login(client, world.coordinator)
    client.post(f"/review/{item_id}/flags", data={"decision": "agree_hide", "silence_days": "2"})
    response = client.post(
        f"/review/{item_id}/flags",
        data={"decision": "agree_hide", "silence_days": "2"},
        follow_redirects=True,
    )
    assert "already handled by koordination" in response.get_data(as_text=True)
    assert len(_notifications(app, world.author.id, "silenced")) == 1
