"""The one implementation of renewable personal feed tokens (forum/api/feed_keys.py),
used by the forum's feeds and the events plugin's calendar feed."""

from datetime import timedelta

from itsdangerous import URLSafeSerializer

from forum.api import feed_keys
from forum.api.models import FeedKey
from forum.db import utcnow
from forum.extensions import db
from forum.users.models import Role, User


def test_tokens_are_renewed_kept_apart_and_end_with_membership(app, make):
    member = make.user("carla")
    other_kind = feed_keys.FeedKeys(FeedKey, "another-feed")
    with app.test_request_context():
        user = db.session.get(User, member.id)
        first = feed_keys.feed_token(user)
        assert feed_keys.feed_user(first) == user
        # The same member and generation under another salt opens nothing here.
        assert feed_keys.feed_user(other_kind.token(user)) is None
        second = feed_keys.renew_feed_token(user)
        assert second != first and feed_keys.feed_user(first) is None
        assert feed_keys.feed_user(second) == user
        for forged in ("kaputt", URLSafeSerializer("falsch", salt="forum-feed").dumps([1, 1])):
            assert feed_keys.feed_user(forged) is None
        user.suspended_until = utcnow() + timedelta(days=1)
        db.session.commit()
        assert feed_keys.feed_user(second) is None
        user.suspended_until = None
        user.role = Role.APPLICANT
        db.session.commit()
        assert feed_keys.feed_user(second) is None


def test_plain_first_tokens_keep_the_old_form(app, make):
    member = make.user("dora")
    legacy = feed_keys.FeedKeys(FeedKey, "legacy-feed", plain_first=True)
    with app.test_request_context():
        user = db.session.get(User, member.id)
        old = URLSafeSerializer(app.config["SECRET_KEY"], salt="legacy-feed").dumps(user.id)
        assert legacy.token(user) == old and legacy.user(old) == user
        renewed = legacy.renew(user)
        assert legacy.user(old) is None and legacy.user(renewed) == user
