"""A display name over the limit is an error next to the field, never cut silently."""

import re

import sqlalchemy as sa

from forum.extensions import db
from forum.users.models import User


def test_a_too_long_display_name_is_refused_and_kept(app, client, make, login_as):
    login_as(make.user("dora", display_name="Dora"))
    page = client.get("/settings").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="display_name"[^>]*>', page).group(0)
    # No maxlength: a browser would cut a pasted name without a word.
    assert "maxlength" not in field
    typed = "Dorothea " * 9 + "Musterfrau"  # 91 characters
    response = client.post("/settings", data={"display_name": typed, "bio": "", "language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "A display name has at most 80 characters; this one has 91." in html
    assert f'value="{typed}"' in html
    assert 'aria-invalid="true"' in html
    with app.app_context():
        assert (
            db.session.scalar(sa.select(User.display_name).where(User.username == "dora")) == "Dora"
        )
