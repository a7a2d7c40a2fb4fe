"""Recipient lists are open-ended input: whatever is typed into "To", a message
either reaches exactly the named members who may receive it, or nobody."""

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.boards.models import Topic
from forum.extensions import db
from forum.messages.models import MessageParticipant
from forum.users.models import User
from tests.messages.conftest import send

#: Who exists: members who may be messaged, and accounts that may not.
RECEIVING = ("lena", "mehmet", "koordination")
REFUSING = ("bewerber", "anke")  # an applicant; the writer herself

names = st.sampled_from(RECEIVING + REFUSING) | st.text(max_size=12)
spelled = st.tuples(names, st.sampled_from(["", "@", " "]), st.booleans()).map(
    lambda t: t[1] + (t[0].upper() if t[2] else t[0])
)
separators = st.sampled_from([",", ", ", ";", "\n", " ,,"])


@st.composite
def recipient_lists(draw):
    chosen = draw(st.lists(spelled, max_size=6))
    text = ""
    for name in chosen:
        text += name + draw(separators)
    return text, draw(st.booleans())


def _named(text: str) -> list[str]:
    cleaned = text.replace(";", ",").replace("\n", ",")
    return [n.strip().lstrip("@").lower() for n in cleaned.split(",") if n.strip().lstrip("@")]


def test_a_message_reaches_exactly_the_named_members_or_nobody(app, make, members, as_user):
    make.user("bewerber", role="applicant")
    make.user("koordination", role="moderator")
    browser = as_user(members[0])
    with app.app_context():
        ids = {u.username_lower: u.id for u in db.session.scalars(sa.select(User))}

    @settings(
        max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(recipient_lists())
    def run(drawn):
        text, office = drawn
        with app.app_context():
            before = db.session.scalar(sa.select(sa.func.max(Topic.id))) or 0
        response = send(browser, to=text, office=office)
        assert response.status_code in (302, 400), response.status_code
        named = set(_named(text))
        with app.app_context():
            new = list(db.session.scalars(sa.select(Topic).where(Topic.id > before)))
            if response.status_code == 400:
                assert new == []
                return
            assert len(new) == 1
            people = set(
                db.session.scalars(
                    sa.select(MessageParticipant.user_id).where(
                        MessageParticipant.topic_id == new[0].id
                    )
                )
            )
        wanted = {ids[name] for name in named if name != "anke"} | {ids["anke"]}
        assert people == wanted | ({None} if office else set())
        # Only accounts that may receive messages were named.
        assert named <= set(RECEIVING) | {"anke"}
        assert office or named - {"anke"}

    run()
