"""Organisations' tests read English pages; a helper builds organisations
through the real service."""

import pytest

from forum.extensions import db
from forum.organisations import services
from forum.organisations.fields import list_fields
from forum.organisations.models import Organisation
from forum.users.models import User


@pytest.fixture(autouse=True)
def _english(english):
    return english


@pytest.fixture
def make_org(app):
    """Create an organisation (with representatives): ``make_org("SV", reps=[user])``."""

    def _make(name="SV Blau-Weiß Isenbüttel", municipality="isenbuettel", reps=(), **values):
        with app.app_context():
            list_fields()
            organisation = services.create_organisation(name, municipality, **values)
            for rep in reps:
                services.add_representative(None, organisation, db.session.get(User, rep.id))
            db.session.commit()
            organisation = db.session.get(Organisation, organisation.id)
            db.session.refresh(organisation)
            db.session.expunge(organisation)
            return organisation

    return _make
