"""The demo shows the volunteering exchange at once: organisations across the
county, one for members only, opportunities with interest, a training offer."""

import sqlalchemy as sa

from forum.demo import DEMO_PASSWORD, load_demo
from forum.extensions import db
from forum.organisations.models import (
    Interest,
    Opportunity,
    OpportunityKind,
    Organisation,
    Representative,
)
from forum.users.models import User
from tests.conftest import login


def test_the_demo_has_organisations_opportunities_and_interest(app, client):
    with app.app_context():
        load_demo()
        organisations = list(db.session.scalars(sa.select(Organisation)))
        assert len(organisations) >= 5
        assert len({o.municipality for o in organisations}) >= 5
        assert any(o.verified_at for o in organisations)
        assert sum(o.members_only for o in organisations) == 1
        sv = db.session.scalar(sa.select(Organisation).filter_by(name="SV Blau-Weiß Isenbüttel"))
        assert db.session.scalar(sa.select(Representative).filter_by(organisation_id=sv.id)) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Interest)) >= 3
        assert all(i.topic_id for i in db.session.scalars(sa.select(Interest)))
        kinds = set(db.session.scalars(sa.select(Opportunity.kind)))
        assert OpportunityKind.TRAINING in kinds
        petra = db.session.scalar(sa.select(User).filter_by(username="petra.lange"))
        db.session.expunge(petra)
    page = client.get("/organisationen").get_data(as_text=True)
    assert "SV Blau-Weiß Isenbüttel" in page and "Willkommensnetz" not in page
    assert "Erste-Hilfe-Grundkurs" in client.get("/engagement").get_data(as_text=True)
    login(client, petra, DEMO_PASSWORD)
    # A club's introduction in the members' category is among its announcements.
    page = client.get("/o/sv-blau-weiss-isenbuettel").get_data(as_text=True)
    assert "Vorstellung: SV Blau-Weiß Isenbüttel" in page.split("org-announcements", 1)[1]
    page = client.get("/o/gifhorner-tafel").get_data(as_text=True)
    assert "1 Person hat Interesse gezeigt." in page
