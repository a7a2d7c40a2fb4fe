"""A JSON body's values are text as a form's are: NUL characters dropped
(forum/api/responses.py, as forum/routing.py does for forms and queries).

PostgreSQL's text cannot hold NUL, and kept pages mark their slots with it
(forum/post_blocks.py): a title such as "\\x00outlet\\x00" held for review and
approved would otherwise fail on PostgreSQL and reach a slot on SQLite.
"""

import sqlalchemy as sa

from forum.auth import api_keys
from forum.extensions import db
from forum.moderation.models import ReviewItem


def test_nul_in_a_json_body_is_dropped(app, client, make):
    public = make.category("Ehrenamt entdecken", read_level="public")
    bernd = make.user("bernd")
    with app.app_context():
        secret = api_keys.create_key(
            description="Test", user=db.session.merge(bernd), read_only=False, created_by=None
        )[1]
    response = client.post(
        "/posts.json",
        headers={"Api-Key": secret, "Api-Username": "bernd"},
        json={
            "title": "Neues Thema \x00outlet\x00 aus der API",
            "raw": "Ein Text \x00csrf\x00 aus einem Skript.",
            "category": public.id,
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "\\u0000" not in response.get_data(as_text=True)
    with app.app_context():
        payloads = db.session.scalars(sa.select(ReviewItem.payload)).all()
        topics = db.session.execute(sa.text("select title from topics")).scalars().all()
        posts = db.session.execute(sa.text("select raw from posts")).scalars().all()
    stored = [str(payload) for payload in payloads] + topics + posts
    assert stored, "the post was neither held nor created"
    assert not any("\x00" in text for text in stored)
    assert any("Neues Thema outlet aus der API" in text for text in stored)
