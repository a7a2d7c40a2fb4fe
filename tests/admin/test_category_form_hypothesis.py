"""Hypothesis on the category form: any name, slug or colour gives a saved category
or the form again (400) with the input kept, never a 500, and a saved one keeps the rules."""

import re

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.admin import colours
from forum.boards.models import Category
from forum.extensions import db
from tests.conftest import login

TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=120
)
NAMES = st.one_of(TEXT, st.sampled_from(["Größe & Maß", "Über uns", "  ", "ß" * 81, "Ärger"]))
SLUGS = st.one_of(
    st.just(""), TEXT, st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)
)
COLOURS = st.one_of(
    TEXT,
    st.from_regex(r"#[0-9a-fA-F]{6}", fullmatch=True),
    st.from_regex(r"#?[0-9a-f]{3}", fullmatch=True),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=NAMES, slug=SLUGS, colour=COLOURS, kind=st.sampled_from(["discussion", "help", "x"]))
def test_category_form_never_fails(app, make, name, slug, colour, kind):
    admin = make.user(role="admin")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, admin)
    data = {
        "name": name, "slug": slug, "color": colour, "kind": kind, "parent_id": "",
        "read_level": "public", "write_level": "members", "reply_level": "members",
        "default_sort": "latest", "description": name, "topic_template": name,
    }  # fmt: skip
    with app.app_context():
        before = set(db.session.scalars(sa.select(Category.id)))
    response = client.post("/admin/categories/new", data=data)
    assert response.status_code in (302, 400), response.status_code
    with app.app_context():
        made = list(db.session.scalars(sa.select(Category).where(Category.id.not_in(before))))
        if response.status_code == 302:
            (category,) = made
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", category.slug)
            assert colours.readable_as_badge(category.color)
            assert category.name == " ".join(name.split())
        else:
            assert made == []
            html = response.get_data(as_text=True)
            assert 'class="form-error"' in html or 'aria-invalid="true"' in html
