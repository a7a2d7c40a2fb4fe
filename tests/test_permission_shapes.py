"""Statements built once per kind of reader (forum/permissions/shapes.py): each
reader still gets their own answer, and a clause cannot read more of a user
than their role and id."""

import re

import pytest
import sqlalchemy as sa

from forum import permissions
from forum.extensions import db
from forum.messages import queries as message_queries
from forum.notifications import services as notification_services
from forum.notifications.services import notify
from forum.permissions.shapes import READER_ID, Reader
from forum.users.models import Role, User
from tests.conftest import login


def test_the_stand_in_has_a_role_and_a_bound_id_only():
    moderator, member = Reader(Role.MODERATOR), Reader(Role.MEMBER)
    assert moderator.is_staff and moderator.is_member and not moderator.is_admin
    assert member.is_member and not member.is_staff
    assert not Reader(Role.APPLICANT).is_member
    assert Reader(Role.ADMIN).is_admin
    assert isinstance(Reader.id, sa.BindParameter) and Reader.id.key == READER_ID
    # Anything else a clause might read of a user fails instead of being baked in.
    for name in ("is_silenced", "username", "created_at"):
        with pytest.raises(AttributeError):
            getattr(member, name)


def test_one_statement_per_role_and_name(app, make):
    staff, first, second = make.user(role="moderator"), make.user(), make.user()
    with app.app_context():
        staff, first, second = (db.session.get(User, u.id) for u in (staff, first, second))
        build = message_queries._header_statement(member=True, with_ignored=False)
        name = "test.shapes.header"
        assert permissions.shaped(name, first, build) is permissions.shaped(name, second, build)
        staff_statement = permissions.shaped(name, staff, build)
        assert staff_statement is not permissions.shaped(name, first, build)
        # Staff read the office's inbox too (participants without a user).
        assert "user_id IS NULL" in str(staff_statement)
        assert "user_id IS NULL" not in str(permissions.shaped(name, first, build))
        assert permissions.reader_params(first) == {READER_ID: first.id}
        assert permissions.reader_params(None, extra=1) == {"extra": 1}


def test_every_reader_counts_their_own_notifications_at_once(app, make, client):
    first, second = make.user("erste"), make.user("zweite")

    def counts():
        with app.app_context():
            return [
                notification_services.unread_count(db.session.get(User, u.id))
                for u in (first, second)
            ]

    assert counts() == [0, 0]
    with app.app_context():
        notify(first.id, "application_approved")
        db.session.commit()
    assert counts() == [1, 0]
    with app.app_context():
        notify(second.id, "application_approved")
        notify(second.id, "something_from_a_plugin")
        db.session.commit()
    assert counts() == [1, 2]
    # The header shows each member their own number.
    login(client, second)
    body = client.get("/latest").get_data(as_text=True)
    assert re.search(r'class="count-badge">2<', body)
    other = app.test_client()
    other.environ_base.update(client.environ_base)
    login(other, first)
    body = other.get("/latest").get_data(as_text=True)
    assert re.search(r'class="count-badge">1<', body)


def _client(app, client, user):
    browser = app.test_client()
    browser.environ_base.update(client.environ_base)
    login(browser, user)
    return browser


def test_shared_list_statements_keep_each_readers_lists_their_own(app, make, client):
    """The lists' statements are built once per role: a member's mutes, a
    staff-only category and a cursor stay each reader's own."""
    from forum.notifications.models import CategoryUser, Level

    open_category = make.category("Offen", read_level="members")
    muted_category = make.category("Stumm", read_level="members")
    staff_category = make.category("Koordination", read_level="staff")
    author, coordinator = make.user(), make.user(role="moderator")
    for category, title in (
        (open_category, "Thema im offenen Bereich"),
        (muted_category, "Thema im stummen Bereich"),
        (staff_category, "Thema nur fuer das Team"),
    ):
        make.topic(coordinator if category is staff_category else author, category, title)
    muter, other, staff = make.user(), make.user(), make.user(role="moderator")
    with app.app_context():
        db.session.add(
            CategoryUser(user_id=muter.id, category_id=muted_category.id, level=int(Level.MUTED))
        )
        db.session.commit()
    pages = {
        name: _client(app, client, user).get("/latest").get_data(as_text=True)
        for name, user in (("muter", muter), ("other", other), ("staff", staff))
    }
    assert "Thema im offenen Bereich" in pages["muter"]
    assert "Thema im stummen Bereich" not in pages["muter"]
    assert "Thema im stummen Bereich" in pages["other"]
    assert "Thema nur fuer das Team" not in pages["muter"] + pages["other"]
    assert "Thema nur fuer das Team" in pages["staff"]
    assert "Thema im stummen Bereich" in pages["staff"]
