"""German demo content: a small, lived-in volunteering network to try the forum out.

``load_demo()`` builds everything through the real services (permissions,
counters and cooking included) and does nothing when a category exists, so
``make run`` may call it on every start. All demo accounts share one password,
printed by ``make run``: this is local demo data, never a deployment.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from forum.auth.accounts import create_user
from forum.boards import queries
from forum.boards.models import Category, Topic
from forum.boards.services import create_category, create_post, create_topic, toggle_like
from forum.db import utcnow
from forum.demo.content import APPLICATION, CATEGORIES, TOPICS, USERS
from forum.demo.organisations import load_organisations
from forum.extensions import db
from forum.markdown import quote_markdown
from forum.membership.applications import submit_application
from forum.membership.services import build_answers, create_question
from forum.moderation.actions import set_pinned
from forum.site.services import ensure_text
from forum.urls import topic_url
from forum.users.models import User

DEMO_PASSWORD = "ehrenamt-demo"  # noqa: S105 (documented demo password)


def load_demo() -> bool:
    """Create the demo content; do nothing and return False if any category exists."""
    if db.session.scalar(sa.select(Category.id).limit(1)) is not None:
        return False
    users = {
        spec.username: create_user(
            spec.username,
            f"{spec.username}@example.org",
            DEMO_PASSWORD,
            role=spec.role,
            confirmed=True,
            display_name=spec.name,
            locale="de",
        )
        for spec in USERS
    }
    categories: dict[str, Category] = {}
    for spec in CATEGORIES:
        categories[spec.slug] = create_category(
            spec.name,
            slug=spec.slug,
            description=spec.description,
            color=spec.color,
            kind=spec.kind,
            read_level=spec.read_level,
            write_level=spec.write_level,
            parent=categories[spec.parent] if spec.parent else None,
        )
    now = utcnow()
    # Everything is written in the order it "happened", so counters and the
    # last-activity columns come out as if real people had posted over weeks.
    events: list[tuple[datetime, int, int]] = []
    for topic_index, spec in enumerate(TOPICS):
        started = now - timedelta(days=spec.days_ago)
        events.append((started, topic_index, 0))
        events += [
            (started + timedelta(hours=reply.hours), topic_index, number)
            for number, reply in enumerate(spec.replies, start=1)
        ]
    events.sort()
    topic_ids: dict[int, int] = {}
    likes: list[tuple[int, tuple[str, ...]]] = []
    for when, topic_index, reply_number in events:
        spec = TOPICS[topic_index]
        if reply_number == 0:
            help_kind, municipality, help_status = spec.help or (None, None, None)
            topic = create_topic(
                users[spec.author],
                categories[spec.category],
                spec.title,
                spec.raw,
                help_kind=help_kind,
                municipality=municipality,
                help_status=help_status,
                created_at=when,
            )
            topic_ids[topic_index] = topic.id
            first_post = queries.get_post_by_number(topic, 1)
            likes.append((first_post.id, spec.likes))
            if spec.pinned_globally:
                set_pinned(users["koordination"], topic, True, globally=True)
            continue
        reply = spec.replies[reply_number - 1]
        topic = queries.get_topic(topic_ids[topic_index])
        raw = reply.raw
        if reply.quote:
            raw = _quote(topic, reply.quote) + raw
        post = create_post(
            users[reply.author],
            topic,
            raw,
            reply_to_post_number=reply.reply_to,
            created_at=when,
        )
        likes.append((post.id, reply.likes))
    for post_id, likers in likes:
        for username in likers:
            toggle_like(users[username], queries.get_post(post_id))
    load_organisations(users)
    _apply_for_membership(users)
    return True


def _apply_for_membership(users: dict[str, User]) -> None:
    """Set up the join questions and leave one join request in the review queue."""
    questions = [
        create_question(users["koordination"], question, required)
        for question, required, _answer in APPLICATION.questions
    ]
    answers = {
        question.id: answer
        for question, (_text, _required, answer) in zip(
            questions, APPLICATION.questions, strict=True
        )
    }
    netiquette = ensure_text("netiquette")
    submit_application(
        users[APPLICATION.applicant], build_answers(questions, answers), netiquette.version
    )


def _quote(topic: Topic, post_number: int) -> str:
    post = queries.get_post_by_number(topic, post_number)
    first_paragraph = post.raw.split("\n\n", 1)[0]
    # Links inside posts are relative, so any request context builds the right one.
    with current_app.test_request_context():
        url = topic_url(topic, post_number)
    return quote_markdown(first_paragraph, post.user.username, url)


def existing_demo_accounts() -> list[tuple[str, str, str]]:
    """Return (username, role, name) of the demo accounts still present."""
    present = dict(
        db.session.execute(
            sa.select(User.username, User.role).where(
                User.username.in_([spec.username for spec in USERS])
            )
        ).all()
    )
    return [
        (spec.username, str(present[spec.username]), spec.name)
        for spec in USERS
        if spec.username in present
    ]
