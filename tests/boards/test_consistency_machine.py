"""Random sequences of writes through the real services keep every counter
and the search index true.

A Hypothesis state machine creates topics and replies, deletes and restores
posts and topics, moves topics, hides and unhides posts through flags, likes
and unlikes; after every step ``flask --app forum check`` must find no drift,
no counter may be negative, and once the search outbox is applied the index
holds every post and finds exactly what each reader may find.
"""

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from forum import permissions
from forum.auth.accounts import create_user
from forum.boards import consistency, services
from forum.boards.models import Category, Post, Topic
from forum.extensions import db
from forum.moderation import actions
from forum.moderation import services as moderation
from forum.moderation.models import ReviewItem
from forum.search import outbox
from forum.search import services as search
from forum.users.models import Role, User
from tests.conftest import _empty_all_tables

SETTINGS = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

COUNTERS = {
    Topic: ("posts_count", "highest_post_number", "like_count"),
    Category: ("topic_count", "post_count"),
    User: ("topic_count", "post_count", "published_post_count", "likes_given", "likes_received"),
    Post: ("like_count", "reply_count"),
}


class Counters(RuleBasedStateMachine):
    """Writes as members and a moderator would make them, in any order."""

    @initialize()
    def people_and_places(self) -> None:
        db.session.remove()
        _empty_all_tables()
        # The index starts empty too: the last example's documents would stay
        # (and on SQLite their post ids come back for new posts).
        search.reindex()
        self.moderator = self._user("koordination", Role.MODERATOR).id
        self.members = [self._user(name, Role.MEMBER).id for name in ("anna", "ben", "cem")]
        # A newcomer's first post waits for review (HOLD_FIRST_POSTS = 1).
        self.newcomer = self._user("neu", Role.MEMBER).id
        self.categories = [
            services.create_category(name).id for name in ("Allgemeines", "Fahrdienste")
        ]

    def _user(self, name: str, role: Role) -> User:
        return create_user(name, f"{name}@example.org", "correct horse battery", role=role)

    # --- Choosing what to act on ------------------------------------------------------

    def _get(self, model, key):
        return db.session.get(model, key)

    def _topics(self, *, deleted: bool | None = None) -> list[int]:
        query = sa.select(Topic.id).order_by(Topic.id)
        if deleted is not None:
            query = query.where(
                Topic.deleted_at.is_not(None) if deleted else Topic.deleted_at.is_(None)
            )
        return list(db.session.scalars(query))

    def _posts(self, *conditions) -> list[int]:
        return list(db.session.scalars(sa.select(Post.id).where(*conditions).order_by(Post.id)))

    def _has_topics(self) -> bool:
        return bool(self._topics(deleted=False))

    # --- Writing ----------------------------------------------------------------------

    @rule(data=st.data())
    def create_topic(self, data) -> None:
        author = data.draw(st.sampled_from([*self.members, self.moderator]), label="author")
        category = data.draw(st.sampled_from(self.categories), label="category")
        services.create_topic(
            self._get(User, author), self._get(Category, category), "Ein Thema", "Ein Anfang."
        )

    @precondition(_has_topics)
    @rule(data=st.data())
    def reply(self, data) -> None:
        topic = self._get(Topic, data.draw(st.sampled_from(self._topics(deleted=False))))
        author = data.draw(st.sampled_from([*self.members, self.moderator]), label="author")
        numbers = [None, *range(1, topic.highest_post_number + 1)]
        answering = data.draw(st.sampled_from(numbers), label="reply_to_post_number")
        services.create_post(
            self._get(User, author), topic, "Eine Antwort.", reply_to_post_number=answering
        )

    @precondition(_has_topics)
    @rule(data=st.data())
    def newcomer_replies(self, data) -> None:
        """A held reply approved by the moderator, or published at once later on."""
        topic = self._get(Topic, data.draw(st.sampled_from(self._topics(deleted=False))))
        result = services.submit_post(self._get(User, self.newcomer), topic, "Meine erste Antwort.")
        if isinstance(result, ReviewItem):
            moderation.approve_held_post(self._get(User, self.moderator), result)

    def _has_replies(self) -> bool:
        return bool(self._posts(Post.deleted_at.is_(None), Post.post_number > 1))

    def _has_deleted_replies(self) -> bool:
        return bool(self._posts(Post.deleted_at.is_not(None), Post.post_number > 1))

    def _has_deleted_topics(self) -> bool:
        return bool(self._topics(deleted=True))

    @precondition(_has_replies)
    @rule(data=st.data())
    def delete_post(self, data) -> None:
        """Delete a reply (also inside a deleted topic): by its author, staff or flags."""
        candidates = self._posts(Post.deleted_at.is_(None), Post.post_number > 1)
        post = self._get(Post, data.draw(st.sampled_from(candidates), label="post"))
        way = data.draw(st.sampled_from(["author", "moderator", "flags"]), label="way")
        author = self._get(User, post.user_id)
        if way == "author" and permissions.can_delete_post(author, post):
            services.delete_post(author, post)
        elif way == "flags" and self._flagger(post) is not None:
            item = self._flag(post)
            moderation.resolve_flags(self._get(User, self.moderator), item, "agree_delete")
        else:
            services.delete_post(self._get(User, self.moderator), post)

    @precondition(_has_deleted_replies)
    @rule(data=st.data())
    def restore_post(self, data) -> None:
        """Restore a deleted reply (also inside a deleted topic)."""
        candidates = self._posts(Post.deleted_at.is_not(None), Post.post_number > 1)
        post = self._get(Post, data.draw(st.sampled_from(candidates), label="post"))
        services.restore_post(self._get(User, self.moderator), post)

    @precondition(_has_topics)
    @rule(data=st.data())
    def delete_topic(self, data) -> None:
        """Delete a topic's first post, which deletes the topic: by its author or staff."""
        topic = data.draw(st.sampled_from(self._topics(deleted=False)), label="topic")
        first = self._get(Post, self._posts(Post.topic_id == topic, Post.post_number == 1)[0])
        by_author = data.draw(st.booleans(), label="by author")
        actor = self._get(User, first.user_id if by_author else self.moderator)
        services.delete_post(actor, first)

    @precondition(_has_deleted_topics)
    @rule(data=st.data())
    def restore_topic(self, data) -> None:
        topic = data.draw(st.sampled_from(self._topics(deleted=True)), label="topic")
        first = self._posts(Post.topic_id == topic, Post.post_number == 1)[0]
        services.restore_post(self._get(User, self.moderator), self._get(Post, first))

    @precondition(lambda self: bool(self._topics()))
    @rule(data=st.data())
    def move_topic(self, data) -> None:
        """Move any topic, deleted ones too, to the other category."""
        topic = self._get(Topic, data.draw(st.sampled_from(self._topics()), label="topic"))
        (target,) = (c for c in self.categories if c != topic.category_id)
        actions.move_topic(self._get(User, self.moderator), topic, self._get(Category, target))

    def _flagger(self, post: Post) -> User | None:
        for member in self.members:
            user = self._get(User, member)
            if permissions.can_flag_post(user, post):
                return user
        return None

    def _flag(self, post: Post) -> ReviewItem:
        return moderation.flag_post(self._flagger(post), post, "spam")

    @rule(data=st.data(), agree=st.booleans())
    def hide_post(self, data, agree) -> None:
        """A member flags a visible post; the moderator hides it (or disagrees)."""
        posts = [
            self._get(Post, key)
            for key in self._posts(Post.deleted_at.is_(None), Post.hidden_at.is_(None))
        ]
        flaggable = [post.id for post in posts if self._flagger(post) is not None]
        if not flaggable:
            return
        post = self._get(Post, data.draw(st.sampled_from(flaggable), label="post"))
        decision = "agree_hide" if agree else "disagree"
        moderation.resolve_flags(self._get(User, self.moderator), self._flag(post), decision)

    @rule(data=st.data())
    def unhide_post(self, data) -> None:
        """Flagged again, the moderator disagrees: the post shows again."""
        posts = [
            self._get(Post, key)
            for key in self._posts(Post.deleted_at.is_(None), Post.hidden_at.is_not(None))
        ]
        flaggable = [post.id for post in posts if self._flagger(post) is not None]
        if not flaggable:
            return
        post = self._get(Post, data.draw(st.sampled_from(flaggable), label="post"))
        moderation.resolve_flags(self._get(User, self.moderator), self._flag(post), "disagree")

    @rule(data=st.data())
    def toggle_like(self, data) -> None:
        """Like a post, or take a like back, where the permissions allow it."""
        people = [self._get(User, key) for key in [*self.members, self.moderator]]
        pairs = [
            (user.id, post.id)
            for post in (self._get(Post, key) for key in self._posts())
            for user in people
            if permissions.can_like_post(user, post)
        ]
        if not pairs:
            return
        user, post = data.draw(st.sampled_from(pairs), label="user, post")
        services.toggle_like(self._get(User, user), self._get(Post, post))

    # --- After every step -------------------------------------------------------------

    @invariant()
    def counters_are_true(self) -> None:
        db.session.expire_all()
        assert consistency.find_drift() == []

    @invariant()
    def index_agrees_with_the_posts(self) -> None:
        # In a request the outbox is applied after the response; here, now.
        outbox.process_outbox()
        db.session.expire_all()
        status = search.index_status()
        assert status.in_step, status
        # Every post carries its word: its topic is found exactly when a post
        # of it with that word is findable (deleted and hidden ones are not).
        for reader in (None, self._get(User, self.moderator)):
            for word, first in (("Anfang", True), ("Antwort", False)):
                number = Post.post_number == 1 if first else Post.post_number > 1
                findable = set(
                    db.session.scalars(
                        sa.select(Topic.id)
                        .join(Post.topic)
                        .join(Topic.category)
                        .where(number, permissions.findable_posts_clause(reader))
                    )
                )
                page = search.search(reader, word)
                found = {result.topic.id for result in page.results}
                assert (page.total, found) == (len(findable), findable), (reader, word)

    @invariant()
    def nothing_is_negative(self) -> None:
        for model, columns in COUNTERS.items():
            lowest = db.session.execute(
                sa.select(*(sa.func.min(getattr(model, c)) for c in columns))
            ).one()
            for column, value in zip(columns, lowest, strict=True):
                assert value is None or value >= 0, f"{model.__tablename__}.{column} = {value}"


@pytest.fixture
def app_config(app_config, database_url):
    # The machine decides who is held for review: only the newcomer, by its first post.
    app_config["HOLD_FIRST_POSTS"] = 1
    # Every topic of an example on one page of results.
    app_config["SEARCH_PER_PAGE"] = 100
    # Whoosh on SQLite, the PostgreSQL backend on PostgreSQL.
    if database_url.startswith("postgresql"):
        app_config["SEARCH_BACKEND"] = "postgres"
    return app_config


def test_random_writes_keep_every_counter_true(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        run_state_machine_as_test(Counters, settings=SETTINGS)
