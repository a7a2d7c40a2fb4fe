"""Search finds what a role may read, and nothing else; a suspended member
cannot log in to see more. (The matrix checks that nothing leaks; these check
that what may be found is found.)"""

from tests.access import world as content
from tests.access.test_matrix import _searchable
from tests.access.world import (
    DELETED_POST,
    DELETED_TOPIC,
    HELD_REPLY,
    HELD_TOPIC,
    HIDDEN_EARLIER,
    HIDDEN_POST,
    MEMBERS_CATEGORY,
    MEMBERS_HELP,
    MEMBERS_ORG,
    MEMBERS_TOPIC,
    OFFICE_MESSAGE,
    PRIVATE_MESSAGE,
    STAFF_CATEGORY,
    STAFF_MOVED,
    STAFF_TOPIC,
)
from tests.conftest import login

# Deleted, hidden and held posts are found by nobody, staff included: search
# shows posts in their place in a topic, and there they are not (yet) posts.
# Personal messages are indexed with the read level "private", which no searcher
# has: not found even by their participants (Whoosh and PostgreSQL alike).
NEVER_FOUND = {
    DELETED_POST, DELETED_TOPIC, HELD_REPLY, HELD_TOPIC, HIDDEN_EARLIER, HIDDEN_POST,
    PRIVATE_MESSAGE, OFFICE_MESSAGE,
}  # fmt: skip
# Organisations matching the words come in a block above the topics: the one shown
# to members only is found by members, never by guests.
FOUND = {
    "guest": set(),
    "member": {MEMBERS_TOPIC, MEMBERS_HELP, MEMBERS_ORG},
    "author": {MEMBERS_TOPIC, MEMBERS_HELP, MEMBERS_ORG},
    "moderator": {MEMBERS_TOPIC, MEMBERS_HELP, MEMBERS_ORG, STAFF_TOPIC, STAFF_MOVED},
}


def test_search_finds_what_the_role_may_read_and_nothing_else(app, make):
    world = content.build(app, make)
    for role, expected in FOUND.items():
        client = app.test_client()
        if role != "guest":
            login(client, world.accounts[role], content.PASSWORD)
        body = _searchable(client.get("/search?q=GEHEIM"))
        found = {marker for marker in content.MARKERS if marker.text in body}
        # A category's name comes with its topics; it is not searched for.
        assert found - {MEMBERS_CATEGORY, STAFF_CATEGORY} == expected, role
        assert not found & NEVER_FOUND, role


def test_suspended_member_cannot_log_in(app, make):
    world = content.build(app, make)
    content.restrict(app, world)
    members = next(s for s in world.subjects if s.name == "members").values
    client = app.test_client()
    response = client.post("/login", data={"login": "gesperrt", "password": content.PASSWORD})
    assert response.status_code == 403
    page = client.get(f"/c/{members['category_slug']}/{members['category_id']}")
    assert page.status_code == 404
    assert MEMBERS_TOPIC.text not in _searchable(page)
