"""An admin makes a category stricter: search follows at once, on both backends,
without a full reindex (the outbox rewrites that category's documents only)."""

import sqlalchemy as sa

from forum.admin import categories
from forum.admin.categories import CategoryData
from forum.boards.models import Category
from forum.extensions import db
from forum.search.models import SearchOutbox
from forum.users.models import User


def _make_stricter(app, admin, category_id: int, level: str) -> None:
    with app.test_request_context():
        category = db.session.get(Category, category_id)
        data = CategoryData(name=category.name, slug=category.slug, color="3d8a5a",
                            read_level=level)  # fmt: skip
        categories.update(db.session.get(User, admin.id), category, data)


def test_stricter_read_level_leaves_guests_search_at_once(app, make, find):
    admin = make.user("verwaltung", role="admin")
    member = make.user("mitglied")
    public = make.category("Offen", slug="offen", read_level="public")
    other = make.category("Anderes", slug="anderes", read_level="public")
    author = make.user(role="moderator")
    make.topic(author, public, "Apfelernte auf der Streuobstwiese", "Wir sammeln Obst.")
    make.topic(author, other, "Apfelkuchen backen", "Mit Obst vom Markt.")
    assert sorted(find("Obst").titles) == ["Apfelernte auf der Streuobstwiese",
                                           "Apfelkuchen backen"]  # fmt: skip

    _make_stricter(app, admin, public.id, "members")
    with app.app_context():
        # Applied with the commit: nothing waits in the outbox.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox)) == 0
    # find() also checks that the index itself no longer counts the post for guests.
    guest = find("Obst")
    assert (guest.total, guest.titles) == (1, ["Apfelkuchen backen"])
    assert find("Apfelernte", member).titles == ["Apfelernte auf der Streuobstwiese"]

    _make_stricter(app, admin, public.id, "staff")
    assert find("Apfelernte", member).total == 0
    assert find("Apfelernte", admin).titles == ["Apfelernte auf der Streuobstwiese"]
