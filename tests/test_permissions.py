"""Who may see and do what: the one module every page asks."""

from datetime import timedelta

import pytest

from forum import permissions
from forum.boards.models import Category, HelpKind, Post, ReadLevel, Topic, WriteLevel
from forum.db import utcnow
from forum.users.models import Role, User


class Guest:
    is_authenticated = False


def _user(role: str, user_id: int = 1, **kwargs) -> User:
    return User(id=user_id, username=f"{role}{user_id}", role=Role(role), **kwargs)


def _category(read="members", write="members") -> Category:
    return Category(id=1, read_level=ReadLevel(read), write_level=WriteLevel(write))


def _topic(category: Category, author_id: int = 99, **kwargs) -> Topic:
    return Topic(id=1, category=category, category_id=category.id, user_id=author_id, **kwargs)


def _post(topic: Topic, author_id: int = 99, **kwargs) -> Post:
    return Post(id=1, topic=topic, topic_id=topic.id, user_id=author_id, post_number=2, **kwargs)


PEOPLE = {
    "guest": Guest(),
    "none": None,
    "applicant": _user("applicant"),
    "member": _user("member"),
    "moderator": _user("moderator"),
    "admin": _user("admin"),
}


@pytest.mark.parametrize(
    ("who", "levels"),
    [
        ("guest", {"public"}),
        ("none", {"public"}),
        ("applicant", {"public"}),
        ("member", {"public", "members"}),
        ("moderator", {"public", "members", "staff"}),
        ("admin", {"public", "members", "staff"}),
    ],
)
def test_readable_levels(who, levels):
    assert set(permissions.readable_levels(PEOPLE[who])) == levels
    for level in ("public", "members", "staff"):
        expected = level in levels
        assert permissions.can_read_category(PEOPLE[who], _category(level)) is expected


@pytest.mark.parametrize(
    ("who", "members_write", "staff_write"),
    [
        ("guest", False, False),
        ("applicant", False, False),
        ("member", True, False),
        ("moderator", True, True),
    ],
)
def test_who_may_start_topics(who, members_write, staff_write):
    user = PEOPLE[who]
    assert permissions.can_create_topic(user, _category("members", "members")) is members_write
    assert permissions.can_create_topic(user, _category("members", "staff")) is staff_write


def test_applicants_cannot_write_even_in_public_categories():
    category = _category("public")
    topic = _topic(category)
    applicant = PEOPLE["applicant"]
    assert permissions.can_read_topic(applicant, topic)
    assert not permissions.can_create_topic(applicant, category)
    assert not permissions.can_reply(applicant, topic)
    assert not permissions.can_like_post(applicant, _post(topic))
    assert not permissions.can_bookmark_post(applicant, _post(topic))
    assert not permissions.can_flag_post(applicant, _post(topic))


def test_silenced_members_read_but_do_not_write():
    silenced = _user("member", silenced_until=utcnow() + timedelta(days=1))
    category = _category()
    topic = _topic(category)
    assert permissions.can_read_topic(silenced, topic)
    assert not permissions.can_create_topic(silenced, category)
    assert not permissions.can_reply(silenced, topic)
    assert not permissions.can_edit_post(silenced, _post(topic, author_id=silenced.id))
    expired = _user("member", silenced_until=utcnow() - timedelta(days=1))
    assert permissions.can_reply(expired, topic)


def test_replies_in_staff_write_categories_are_open_to_members():
    topic = _topic(_category("members", "staff"))
    assert permissions.can_reply(PEOPLE["member"], topic)


def test_closed_topics_take_replies_from_staff_only():
    topic = _topic(_category(), closed=True)
    assert not permissions.can_reply(PEOPLE["member"], topic)
    assert permissions.can_reply(PEOPLE["moderator"], topic)
    own = _post(topic, author_id=PEOPLE["member"].id)
    assert not permissions.can_edit_post(PEOPLE["member"], own)
    assert permissions.can_edit_post(PEOPLE["moderator"], own)


def test_deleted_topics_are_for_staff_eyes_only():
    topic = _topic(_category(), deleted_at=utcnow())
    assert not permissions.can_read_topic(PEOPLE["member"], topic)
    assert permissions.can_read_topic(PEOPLE["moderator"], topic)
    assert not permissions.can_reply(PEOPLE["moderator"], topic)


def test_editing_and_deleting_posts():
    member, other, moderator = PEOPLE["member"], _user("member", 2), PEOPLE["moderator"]
    topic = _topic(_category())
    own = _post(topic, author_id=member.id)
    assert permissions.can_edit_post(member, own) and permissions.can_delete_post(member, own)
    assert not permissions.can_edit_post(other, own)
    assert not permissions.can_delete_post(other, own)
    assert permissions.can_edit_post(moderator, own) and permissions.can_delete_post(moderator, own)
    assert not permissions.can_edit_post(Guest(), own)
    deleted = _post(topic, author_id=member.id, deleted_at=utcnow())
    assert not permissions.can_edit_post(member, deleted)
    assert not permissions.can_delete_post(member, deleted)
    assert not permissions.can_restore_post(member, deleted)
    assert permissions.can_restore_post(moderator, deleted)
    assert not permissions.can_restore_post(moderator, own)


def test_likes_not_on_own_hidden_or_deleted_posts():
    member, other = PEOPLE["member"], _user("member", 2)
    topic = _topic(_category())
    assert permissions.can_like_post(other, _post(topic, author_id=member.id))
    assert not permissions.can_like_post(member, _post(topic, author_id=member.id))
    assert not permissions.can_like_post(
        other, _post(topic, author_id=member.id, hidden_at=utcnow())
    )
    assert not permissions.can_like_post(
        other, _post(topic, author_id=member.id, deleted_at=utcnow())
    )
    assert not permissions.can_like_post(Guest(), _post(topic))


def test_hidden_posts_stay_readable_for_author_and_staff():
    member, other = PEOPLE["member"], _user("member", 2)
    hidden = _post(_topic(_category()), author_id=member.id, hidden_at=utcnow())
    assert permissions.can_see_hidden_post(member, hidden)
    assert permissions.can_see_hidden_post(PEOPLE["moderator"], hidden)
    assert not permissions.can_see_hidden_post(other, hidden)
    assert not permissions.can_see_hidden_post(Guest(), hidden)


@pytest.mark.parametrize(
    ("state", "readers"),
    [
        ({}, {"guest", "member", "author", "moderator"}),
        ({"hidden_at": utcnow()}, {"author", "moderator"}),
        ({"deleted_at": utcnow()}, {"moderator"}),
        ({"hidden_at": utcnow(), "deleted_at": utcnow()}, {"moderator"}),
    ],
)
def test_a_post_text_is_read_by(state, readers):
    author = _user("member", 7)
    post = _post(_topic(_category("public")), author_id=author.id, **state)
    people = {
        "guest": Guest(),
        "member": PEOPLE["member"],
        "author": author,
        "moderator": PEOPLE["moderator"],
    }
    assert {name for name, user in people.items() if permissions.can_read_post(user, post)} == (
        readers
    )


def test_a_post_text_needs_a_readable_topic():
    post = _post(_topic(_category("staff")))
    assert not permissions.can_read_post(PEOPLE["member"], post)
    assert permissions.can_read_post(PEOPLE["moderator"], post)
    deleted_topic = _post(_topic(_category(), deleted_at=utcnow()), author_id=1)
    assert not permissions.can_read_post(PEOPLE["member"], deleted_topic)


def test_help_status_by_author_and_staff():
    member, other = PEOPLE["member"], _user("member", 2)
    topic = _topic(_category(), author_id=member.id, help_kind=HelpKind.REQUEST)
    assert permissions.can_set_help_status(member, topic)
    assert permissions.can_set_help_status(PEOPLE["moderator"], topic)
    assert not permissions.can_set_help_status(other, topic)
    assert not permissions.can_set_help_status(Guest(), topic)


def test_help_status_only_for_help_topics():
    member = PEOPLE["member"]
    topic = _topic(_category(), author_id=member.id)
    assert not permissions.can_set_help_status(member, topic)
    assert not permissions.can_set_help_status(PEOPLE["moderator"], topic)


def test_staff_roles():
    assert permissions.is_staff(PEOPLE["moderator"]) and permissions.is_staff(PEOPLE["admin"])
    assert not permissions.is_staff(PEOPLE["member"]) and not permissions.is_staff(Guest())
    assert permissions.can_administrate(PEOPLE["admin"])
    assert not permissions.can_administrate(PEOPLE["moderator"])
    assert permissions.can_moderate(PEOPLE["moderator"])
    assert not permissions.can_moderate(PEOPLE["member"])
    assert permissions.is_member(PEOPLE["member"]) and not permissions.is_member(
        PEOPLE["applicant"]
    )


@pytest.mark.parametrize(
    ("who", "start", "reply"),
    [("member", False, False), ("moderator", True, True), ("admin", True, True)],
)
def test_reply_level_staff_keeps_members_from_replying(who, start, reply):
    category = _category(write="staff")
    category.reply_level = WriteLevel.STAFF
    topic = _topic(category)
    assert permissions.can_create_topic(PEOPLE[who], category) is start
    assert permissions.can_reply(PEOPLE[who], topic) is reply


@pytest.mark.parametrize("who", ["member", "moderator", "admin"])
def test_archived_category_is_read_only_for_everybody(who):
    category = _category()
    category.archived_at = utcnow()
    topic = _topic(category)
    post = _post(topic, author_id=PEOPLE[who].id)
    assert permissions.can_read_topic(PEOPLE[who], topic)
    assert not permissions.can_create_topic(PEOPLE[who], category)
    assert not permissions.can_reply(PEOPLE[who], topic)
    if who == "member":
        assert not permissions.can_edit_post(PEOPLE[who], post)
