"""The one permission decision, asked directly: who reads a conversation."""

import sqlalchemy as sa

from forum import permissions
from forum.boards.models import Category, Post, Topic
from forum.extensions import db
from forum.messages import services
from forum.users.models import User


def test_who_reads_a_conversation(app, make, members):
    anke, lena, mehmet = members
    moderator = make.user("moderatorin", role="moderator")
    with app.test_request_context():
        get = db.session.get
        private = services.start_conversation(
            get(User, anke.id), [get(User, lena.id)], "Privat", "Hallo"
        )
        office = services.start_conversation(
            get(User, anke.id), [], "Frage ans Büro", "Hallo", to_office=True
        )
        post = db.session.scalar(sa.select(Post).where(Post.topic_id == private.id))
        readers = {
            name: {
                topic.title: [
                    permissions.allowed(get(User, person.id) if person else None, action, obj)
                    for action, obj in (("topic.read", topic), ("topic.reply", topic))
                ]
                for topic in (private, office)
            }
            for name, person in (
                ("anke", anke),
                ("lena", lena),
                ("mehmet", mehmet),
                ("moderatorin", moderator),
                ("guest", None),
            )
        }
        assert readers["anke"] == {"Privat": [True, True], "Frage ans Büro": [True, True]}
        assert readers["lena"] == {"Privat": [True, True], "Frage ans Büro": [False, False]}
        assert readers["mehmet"] == {"Privat": [False, False], "Frage ans Büro": [False, False]}
        assert readers["moderatorin"] == {"Privat": [False, False], "Frage ans Büro": [True, True]}
        assert readers["guest"] == {"Privat": [False, False], "Frage ans Büro": [False, False]}
        assert not permissions.allowed(get(User, moderator.id), "post.read", post)
        assert not permissions.allowed(get(User, moderator.id), "topic.moderate", office)
        # No list clause lets one through, not even for its participants or staff.
        for person in (anke, lena, moderator):
            account = get(User, person.id)
            listed = db.session.scalars(
                sa.select(Topic.id).join(Category).where(permissions.visible_topics_clause(account))
            ).all()
            findable = db.session.scalars(
                sa.select(Post.id)
                .join(Topic)
                .join(Category)
                .where(permissions.findable_posts_clause(account))
            ).all()
            assert private.id not in listed and office.id not in listed
            assert post.id not in findable
        mine = db.session.scalars(
            sa.select(Topic.id).where(permissions.private_topics_clause(get(User, lena.id)))
        ).all()
        assert mine == [private.id]
