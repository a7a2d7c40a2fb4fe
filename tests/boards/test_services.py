"""The write path: categories, topics, posts, edits, deletes, likes, bookmarks."""

import pytest
import sqlalchemy as sa

from forum.boards import services
from forum.boards.models import (
    Bookmark,
    Category,
    HelpStatus,
    Post,
    PostLike,
    PostRevision,
    Topic,
    TopicUser,
)
from forum.extensions import db
from forum.users.models import User


def _get(model, key):
    return db.session.get(model, key)


def test_board_errors_can_be_raised_outside_a_request(app):
    with app.app_context(), pytest.raises(services.BoardError):
        services.create_category("Bunt", color="red")


# --- Categories -------------------------------------------------------------------------


def test_categories_nest_one_level_only(in_request, app):
    with in_request():
        parent = services.create_category("Vereine")
        child = services.create_category("Sportvereine", parent=parent)
        assert child.parent_id == parent.id
        with pytest.raises(services.BoardError, match="one level"):
            services.create_category("Fußball", parent=child)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Category)) == 2


def test_category_slug_and_position_are_derived(in_request, app):
    with in_request():
        first = services.create_category("Hilfe für Ältere")
        second = services.create_category("Zweite")
        assert first.slug == "hilfe-fuer-aeltere"
        assert second.position == first.position + 1


@pytest.mark.parametrize("color", ["#0B6E4F", "0b6e4f", "  AABBCC".strip()])
def test_category_colour_is_normalised(in_request, app, color):
    with in_request():
        category = services.create_category("Bunt", color=color)
        assert category.color == color.lstrip("#").lower()


@pytest.mark.parametrize("color", ["red", "12345", "1234567", "#12g456", "", "javascript"])
def test_category_colour_must_be_six_hex_digits(in_request, app, color):
    with in_request(), pytest.raises(services.BoardError, match="six hexadecimal"):
        services.create_category("Bunt", color=color)


# --- Topics and posts -------------------------------------------------------------------


def test_create_topic_stores_cooked_first_post_and_counts(in_request, app, make, places):
    author = make.user()
    with in_request():
        topic = services.create_topic(
            _get(User, author.id), _get(Category, places.members.id), "  Ein Titel  ", "**fett**"
        )
        first = db.session.scalar(sa.select(Post).where(Post.topic_id == topic.id))
        assert topic.title == "Ein Titel"
        assert topic.slug == "ein-titel"
        assert (topic.posts_count, topic.highest_post_number, topic.reply_count) == (1, 1, 0)
        assert (first.post_number, first.raw) == (1, "**fett**")
        assert first.cooked == "<p><strong>fett</strong></p>"
        category = db.session.get(Category, places.members.id)
        db.session.refresh(category)
        assert (category.topic_count, category.post_count) == (1, 1)
        user = db.session.get(User, author.id)
        db.session.refresh(user)
        assert (user.topic_count, user.post_count) == (1, 1)
        # The author has read their own topic.
        reading = db.session.get(TopicUser, (author.id, topic.id))
        assert reading.last_read_post_number == 1


def test_replies_count_up_and_name_the_post_they_answer(app, make, places, fetch):
    topic = make.topic(category=places.members)
    second = make.post(topic)
    third = make.post(topic, reply_to_post_number=2)
    assert (second.post_number, third.post_number) == (2, 3)
    assert third.reply_to_post_number == 2
    assert fetch(Post, second.id).reply_count == 1
    topic = fetch(Topic, topic.id)
    assert (topic.posts_count, topic.highest_post_number, topic.reply_count) == (3, 3, 2)
    assert topic.last_post_user_id == third.user_id
    assert fetch(Category, places.members.id).post_count == 3


def test_reply_to_a_post_that_does_not_exist_is_refused(in_request, app, make, places):
    topic = make.topic(category=places.members)
    with in_request(), pytest.raises(services.BoardError, match="does not exist"):
        make.post(topic, reply_to_post_number=7)


def test_members_cannot_start_topics_in_staff_write_categories(in_request, app, make, places):
    member, moderator = make.user(), make.user(role="moderator")
    with in_request(), pytest.raises(services.NotAllowed):
        make.topic(member, places.announcements)
    topic = make.topic(moderator, places.announcements)
    # ...but they may answer announcements.
    assert make.post(topic, member).post_number == 2


def test_nobody_but_staff_writes_in_a_staff_category(in_request, app, make, places):
    member, applicant = make.user(), make.user(role="applicant")
    with in_request():
        with pytest.raises(services.NotAllowed):
            make.topic(member, places.staff)
        with pytest.raises(services.NotAllowed):
            make.topic(applicant, places.public)


def test_help_topics_need_kind_and_municipality(in_request, app, make, places, fetch):
    author = make.user()
    with in_request():
        with pytest.raises(services.BoardError, match="kind"):
            make.topic(author, places.help)
        with pytest.raises(services.BoardError, match="municipality"):
            make.topic(author, places.help, help_kind="request")
    topic = make.topic(category=places.help, help_kind="offer", municipality="brome")
    topic = fetch(Topic, topic.id)
    assert (topic.help_kind, topic.municipality, topic.help_status) == ("offer", "brome", "open")


def test_help_fields_are_ignored_outside_help_categories(app, make, places, fetch):
    topic = make.topic(category=places.members, help_kind="offer", municipality="brome")
    topic = fetch(Topic, topic.id)
    assert (topic.help_kind, topic.municipality, topic.help_status) == (None, None, None)


def test_help_status_by_author_and_staff_only(in_request, app, make, places, fetch):
    author, other, moderator = make.user(), make.user(), make.user(role="moderator")
    topic = make.topic(author, places.help, help_kind="request", municipality="gifhorn")
    with in_request():
        row = _get(Topic, topic.id)
        services.set_help_status(_get(User, author.id), row, "arranged")
        with pytest.raises(services.NotAllowed):
            services.set_help_status(_get(User, other.id), row, "done")
        services.set_help_status(_get(User, moderator.id), row, HelpStatus.DONE)
    assert fetch(Topic, topic.id).help_status == HelpStatus.DONE


def test_help_status_needs_a_help_topic(in_request, app, make, places):
    author = make.user()
    topic = make.topic(author, places.members)
    with in_request(), pytest.raises(services.NotAllowed):
        services.set_help_status(_get(User, author.id), _get(Topic, topic.id), "done")


# --- Editing ----------------------------------------------------------------------------


def test_edit_keeps_a_revision_with_reason(in_request, app, make, places, fetch):
    author = make.user()
    topic = make.topic(author, places.members, raw="Alter Text")
    reply = make.post(topic, author, raw="Erste Fassung")
    with in_request():
        services.edit_post(
            _get(User, author.id), _get(Post, reply.id), "Zweite ~~Fassung~~", reason=" Tippfehler "
        )
        revisions = db.session.scalars(sa.select(PostRevision)).all()
        assert len(revisions) == 1
        revision = revisions[0]
        assert (revision.number, revision.raw_before, revision.raw_after) == (
            2,
            "Erste Fassung",
            "Zweite ~~Fassung~~",
        )
        assert revision.reason == "Tippfehler"
        assert (revision.title_before, revision.title_after) == (None, None)
    post = fetch(Post, reply.id)
    assert post.version == 2
    assert "<s>Fassung</s>" in post.cooked
    assert fetch(Topic, topic.id).title == topic.title


def test_editing_without_changes_keeps_no_revision(in_request, app, make, places, fetch):
    author = make.user()
    topic = make.topic(author, places.members, raw="Gleich")
    with in_request():
        first = db.session.scalar(sa.select(Post).where(Post.topic_id == topic.id))
        services.edit_post(_get(User, author.id), first, "Gleich", title=topic.title)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PostRevision)) == 0


def test_editing_the_first_post_changes_title_and_slug(in_request, app, make, places, fetch):
    author = make.user()
    topic = make.topic(author, places.members, title="Alter Titel hier")
    with in_request():
        first = db.session.scalar(sa.select(Post).where(Post.topic_id == topic.id))
        services.edit_post(_get(User, author.id), first, first.raw, title="Neuer Titel")
        revision = db.session.scalar(sa.select(PostRevision))
        assert (revision.title_before, revision.title_after) == ("Alter Titel hier", "Neuer Titel")
    topic = fetch(Topic, topic.id)
    assert (topic.title, topic.slug) == ("Neuer Titel", "neuer-titel")


def test_others_cannot_edit_but_staff_can(in_request, app, make, places, fetch):
    author, other, moderator = make.user(), make.user(), make.user(role="moderator")
    reply = make.post(make.topic(category=places.members), author)
    with in_request():
        with pytest.raises(services.NotAllowed):
            services.edit_post(_get(User, other.id), _get(Post, reply.id), "Übernommen")
        services.edit_post(_get(User, moderator.id), _get(Post, reply.id), "Moderiert", reason="x")
    assert fetch(Post, reply.id).raw == "Moderiert"


# --- Deleting and restoring ---------------------------------------------------------------


def _counters(fetch, topic, category, user, replied_to=None):
    values = (
        fetch(Topic, topic.id).posts_count,
        fetch(Category, category.id).post_count,
        fetch(User, user.id).post_count,
    )
    if replied_to is not None:
        values += (fetch(Post, replied_to.id).reply_count,)
    return values


def test_delete_and_restore_a_reply_adjust_counters(in_request, app, make, places, fetch):
    author, moderator = make.user(), make.user(role="moderator")
    topic = make.topic(category=places.members)
    second = make.post(topic)
    reply = make.post(topic, author, reply_to_post_number=2)
    assert _counters(fetch, topic, places.members, author, second) == (3, 3, 1, 1)

    with in_request():
        services.delete_post(_get(User, author.id), _get(Post, reply.id))
    assert _counters(fetch, topic, places.members, author, second) == (2, 2, 0, 0)
    deleted = fetch(Post, reply.id)
    assert deleted.is_deleted and deleted.deleted_by_id == author.id
    assert fetch(Topic, topic.id).deleted_at is None

    with in_request():
        with pytest.raises(services.NotAllowed):
            services.restore_post(_get(User, author.id), _get(Post, reply.id))
        services.restore_post(_get(User, moderator.id), _get(Post, reply.id))
    assert _counters(fetch, topic, places.members, author, second) == (3, 3, 1, 1)
    assert not fetch(Post, reply.id).is_deleted


def test_others_cannot_delete_and_deleting_twice_is_refused(in_request, app, make, places):
    author, other = make.user(), make.user()
    reply = make.post(make.topic(category=places.members), author)
    with in_request():
        with pytest.raises(services.NotAllowed):
            services.delete_post(_get(User, other.id), _get(Post, reply.id))
        services.delete_post(_get(User, author.id), _get(Post, reply.id))
        with pytest.raises(services.NotAllowed):
            services.delete_post(_get(User, author.id), _get(Post, reply.id))


def test_deleting_the_first_post_deletes_the_topic(in_request, app, make, places, fetch):
    author, moderator = make.user(), make.user(role="moderator")
    topic = make.topic(author, places.members)
    make.post(topic)
    make.post(topic)
    assert fetch(Category, places.members.id).topic_count == 1
    with in_request():
        first = db.session.scalar(
            sa.select(Post).where(Post.topic_id == topic.id, Post.post_number == 1)
        )
        services.delete_post(_get(User, moderator.id), first, reason="Spam")
    assert fetch(Topic, topic.id).deleted_by_id == moderator.id
    category = fetch(Category, places.members.id)
    assert (category.topic_count, category.post_count) == (0, 0)
    assert (fetch(User, author.id).topic_count, fetch(User, author.id).post_count) == (0, 0)

    with in_request():
        first = db.session.scalar(
            sa.select(Post).where(Post.topic_id == topic.id, Post.post_number == 1)
        )
        services.restore_post(_get(User, moderator.id), first)
    assert fetch(Topic, topic.id).deleted_at is None
    category = fetch(Category, places.members.id)
    assert (category.topic_count, category.post_count) == (1, 3)


# --- Likes and bookmarks ------------------------------------------------------------------


def test_like_toggles_and_counts_everywhere(in_request, app, make, places, fetch):
    author, fan = make.user(), make.user()
    reply = make.post(make.topic(category=places.members), author)
    with in_request():
        assert services.toggle_like(_get(User, fan.id), _get(Post, reply.id)) is True
    assert fetch(Post, reply.id).like_count == 1
    assert fetch(Topic, reply.topic_id).like_count == 1
    assert fetch(User, author.id).likes_received == 1
    assert fetch(User, fan.id).likes_given == 1
    with in_request():
        assert services.toggle_like(_get(User, fan.id), _get(Post, reply.id)) is False
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PostLike)) == 0
    assert fetch(Post, reply.id).like_count == 0
    assert fetch(Topic, reply.topic_id).like_count == 0
    assert fetch(User, author.id).likes_received == 0
    assert fetch(User, fan.id).likes_given == 0


def test_nobody_likes_their_own_post(in_request, app, make, places, fetch):
    author = make.user()
    reply = make.post(make.topic(category=places.members), author)
    with in_request(), pytest.raises(services.NotAllowed):
        services.toggle_like(_get(User, author.id), _get(Post, reply.id))
    assert fetch(Post, reply.id).like_count == 0


def test_deleted_posts_cannot_be_liked(in_request, app, make, places):
    author, fan = make.user(), make.user()
    reply = make.post(make.topic(category=places.members), author)
    with in_request():
        services.delete_post(_get(User, author.id), _get(Post, reply.id))
        with pytest.raises(services.NotAllowed):
            services.toggle_like(_get(User, fan.id), _get(Post, reply.id))


def test_bookmark_toggles(in_request, app, make, places):
    reader = make.user()
    reply = make.post(make.topic(category=places.members))
    with in_request():
        assert services.toggle_bookmark(_get(User, reader.id), _get(Post, reply.id)) is True
        assert db.session.get(Bookmark, (reader.id, reply.id)) is not None
        assert services.toggle_bookmark(_get(User, reader.id), _get(Post, reply.id)) is False
        assert db.session.get(Bookmark, (reader.id, reply.id)) is None


def test_applicants_cannot_bookmark(in_request, app, make, places):
    reply = make.post(make.topic(category=places.public))
    with in_request(), pytest.raises(services.NotAllowed):
        services.toggle_bookmark(_get(User, make.user(role="applicant").id), _get(Post, reply.id))


# --- Reading ------------------------------------------------------------------------------


def test_read_position_only_moves_forward(in_request, app, make, places, fetch):
    reader = make.user()
    topic = make.topic(category=places.members)
    with in_request():
        services.record_read(reader.id, topic.id, 5)
        services.record_read(reader.id, topic.id, 3)
    assert fetch(TopicUser, (reader.id, topic.id)).last_read_post_number == 5
