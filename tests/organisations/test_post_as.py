"""A representative posts a topic "as" the organisation: the topic names it,
the profile lists it among its announcements; nobody else may."""

import sqlalchemy as sa

from forum.boards.models import CategoryKind, ReadLevel, Topic
from forum.extensions import db
from forum.users.models import User


def test_a_representative_posts_as_the_organisation(app, client, make, make_org, login_as):
    rep = make.user("petra")
    org = make_org(reps=[rep])
    vereine = make.category("Vereine", kind=CategoryKind.ORGANISATIONS, read_level=ReadLevel.PUBLIC)
    general = make.category("Allgemeines", read_level=ReadLevel.PUBLIC)
    with app.app_context():  # not a new member, whose first topic would wait for review
        db.session.get(User, rep.id).published_post_count = 3
        db.session.commit()
    login_as(rep)
    composer = client.get(f"/new-topic?category={vereine.id}").get_data(as_text=True)
    assert 'name="plugin.organisation"' in composer and "SV Blau-Weiß Isenbüttel" in composer
    topic = {"title": "Sommerfest am Sportplatz", "raw": "Alle sind eingeladen, kommt vorbei!",
             "submit": "y", "plugin.organisation": str(org.id)}  # fmt: skip
    refused = client.post("/new-topic", data={**topic, "category": general.id})
    assert "You cannot post as this organisation here." in refused.get_data(as_text=True)
    response = client.post("/new-topic", data={**topic, "category": vereine.id})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Topic.organisation_id)) == org.id
    page = client.get(response.location).get_data(as_text=True)
    assert "Posted for" in page and "/o/sv-blau-weiss-isenbuettel" in page
    client.post("/logout")
    profile = client.get("/o/sv-blau-weiss-isenbuettel").get_data(as_text=True)
    assert "Sommerfest am Sportplatz" in profile


def test_others_cannot_post_as_it(app, client, make, make_org, login_as):
    org = make_org(reps=[make.user()])
    vereine = make.category("Vereine", kind=CategoryKind.ORGANISATIONS, read_level=ReadLevel.PUBLIC)
    login_as(make.user())
    composer = client.get(f"/new-topic?category={vereine.id}").get_data(as_text=True)
    assert "plugin.organisation" not in composer
    response = client.post("/new-topic", data={
        "title": "Ich bin nicht der Verein", "raw": "Ein Text mit genug Zeichen.",
        "submit": "y", "category": vereine.id, "plugin.organisation": str(org.id)})  # fmt: skip
    assert "You cannot post as this organisation here." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Topic)) == 0
