"""Flask-Login's load of the signed-in account (forum/auth/accounts.py ``load_account``)
gives the same account the ORM's ``get`` gives: every value, loaded, in the session,
changes written back, the deferred column loaded on use."""

from datetime import timedelta

import sqlalchemy as sa

from forum.auth.accounts import load_account
from forum.db import utcnow
from forum.extensions import db
from forum.users.models import User


def _values(user: User) -> dict:
    return {
        attribute.key: getattr(user, attribute.key)
        for attribute in sa.inspect(User).column_attrs
        if not attribute.deferred
    }


def test_an_account_loads_as_the_orm_loads_it(app, make):
    account = make.user("vollstaendig", role="moderator", display_name="Voll Ständig")
    with app.app_context():
        db.session.execute(
            sa.update(User)
            .where(User.id == account.id)
            .values(
                silenced_until=utcnow() + timedelta(days=2),
                avatar_key="a" * 40,
                locale="en",
                bio_raw="Über mich",
            )
        )
        db.session.commit()
    with app.app_context():
        loaded = load_account(account.id)
        state = sa.inspect(loaded)
        assert state.persistent and not state.modified
        assert loaded not in db.session.dirty
        assert db.session.get(User, account.id) is loaded  # one instance per session
        mine = _values(loaded)
    with app.app_context():
        expected = _values(db.session.get(User, account.id))
    assert mine == expected
    assert mine["role"] == "moderator" and mine["locale"] == "en"
    assert mine["silenced_until"].tzinfo is not None


def test_a_change_to_the_loaded_account_is_written(app, make):
    account = make.user("aenderbar")
    with app.app_context():
        loaded = load_account(account.id)
        assert loaded.deleted_at is None  # the deferred column, loaded on use
        loaded.display_name = "Neuer Name"
        db.session.commit()
    with app.app_context():
        assert db.session.get(User, account.id).display_name == "Neuer Name"


def test_an_account_already_in_the_session_is_that_one(app, make):
    account = make.user("schon_da")
    with app.app_context():
        known = db.session.get(User, account.id)
        known.display_name = "Ungespeichert"
        assert load_account(account.id) is known
        assert load_account(account.id + 10_000) is None
