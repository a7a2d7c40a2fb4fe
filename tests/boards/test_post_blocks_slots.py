"""The kept post blocks' slots (NUL-delimited markers for the reader's token and
the plugins' outlets, forum/post_blocks.py) cannot be reached from what people
write: a reply holding a marker's text shows as text, never as a reader's
token or a plugin's output (the request drops NUL from forms, the Markdown
renderer replaces it)."""

import uuid

import pytest

from tests.conftest import login

pytestmark = pytest.mark.usefixtures("english")

MARKERS = ("\x00csrf\x00", "\x00outlet\x00", "\x00below\x00", "\x00level-csrf\x00")


@pytest.mark.parametrize("marker", MARKERS)
def test_a_marker_in_a_reply_stays_text(app, client, make, places, member, marker):
    author = make.user("verfasserin", display_name="Vera Fasser")
    topic = make.topic(author, category=places.members, raw="Der erste Beitrag.")
    login(client, member)
    response = client.post(
        f"/t/{topic.id}/reply",
        data={"raw": f"Antwort mit {marker} darin.", "submission_key": uuid.uuid4().hex},
    )
    assert response.status_code == 302
    for _ in range(2):  # rendered, then from the kept blocks
        response = client.get(f"/t/{topic.slug}/{topic.id}")
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "\x00" not in html
        assert "darin." in html
        name = marker.strip("\x00")
        assert f"Antwort mit {name} darin." in html or f"Antwort mit \ufffd{name}" in html
