"""Settings that bound uploads (types, size, quota) and the new-member holding rule."""

import io
import re

from PIL import Image

from forum.extensions import db
from forum.site.services import set_setting
from tests.conftest import login
from tests.uploads import pictures
from tests.uploads.conftest import upload_file


def _set(app, **values) -> None:
    with app.app_context():
        for key, value in values.items():
            set_setting(key, value)
        db.session.commit()


def _noise_jpeg(side: int) -> bytes:
    """A photo-like JPEG that does not compress well (about side*side*0.4 bytes)."""
    import random

    rng = random.Random(side)
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def test_size_limit_is_a_setting(client, make, app):
    topic = make.topic()
    login(client, make.user())
    photo = _noise_jpeg(1000)
    assert 1024 * 1024 < len(photo) < 3 * 1024 * 1024
    _set(app, UPLOAD_MAX_MB=1)
    page = upload_file(
        client,
        f"/t/{topic.id}/reply",
        photo,
        "gross.jpg",
        raw="Mein Text",
        attachment_alt="Rauschen",
    )
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "larger than 1 MB" in html and "Mein Text" in html
    _set(app, UPLOAD_MAX_MB=6)
    page = upload_file(
        client,
        f"/t/{topic.id}/reply",
        photo,
        "gross.jpg",
        raw="Mein Text",
        attachment_alt="Rauschen",
    )
    assert page.status_code == 200


def test_allowed_types_are_a_setting(client, make, app):
    topic = make.topic()
    login(client, make.user())
    _set(app, UPLOAD_TYPES="images")
    page = upload_file(client, f"/t/{topic.id}/reply", pictures.PDF_WITH_SCRIPT, "a.pdf", raw="x")
    assert page.status_code == 400 and "Only pictures" in page.get_data(as_text=True)
    assert "application/pdf" not in client.get(f"/t/{topic.id}/reply").get_data(as_text=True)
    _set(app, UPLOAD_TYPES="none")
    assert 'type="file"' not in client.get(f"/t/{topic.id}/reply").get_data(as_text=True)
    page = upload_file(
        client, f"/t/{topic.id}/reply", pictures.png(), "a.png", raw="x", attachment_alt="Bild"
    )
    assert page.status_code == 400 and "switched off" in page.get_data(as_text=True)


def test_daily_quota_for_members_not_staff(client, make, app):
    topic = make.topic()
    _set(app, UPLOADS_PER_DAY=2)
    for role, allowed in (("member", 2), ("moderator", 4)):
        login(client, make.user(role=role))
        statuses = [
            upload_file(
                client,
                f"/t/{topic.id}/reply",
                pictures.png((10 + n, 10)),
                "a.png",
                raw="x",
                attachment_alt="Bild",
            ).status_code
            for n in range(4)
        ]
        assert statuses == [200] * allowed + [400] * (4 - allowed), role
    page = upload_file(
        client,
        f"/t/{topic.id}/reply",
        pictures.png((99, 10)),
        "a.png",
        raw="x",
        attachment_alt="Bild",
    )
    assert page.status_code == 200  # the moderator again


def test_new_members_posts_with_pictures_wait_and_the_queue_shows_them(client, make, app):
    topic = make.topic()
    newcomer = make.user()
    _set(app, UPLOAD_HOLD_POSTS=2)
    login(client, newcomer)
    page = upload_file(
        client,
        f"/t/{topic.id}/reply",
        pictures.png(),
        "a.png",
        raw="Seht mal",
        attachment_alt="Ein blaues Quadrat",
        upload=None,
    )
    assert page.status_code == 302
    key = None
    login(client, make.user(role="moderator"))
    queue = client.get("/review").get_data(as_text=True)
    assert "few posts" in queue
    img = re.search(r'<img src="/uploads/([0-9a-f]{64}\.png)" alt="Ein blaues Quadrat"', queue)
    assert img is not None
    key = img.group(1)
    assert client.get(f"/uploads/{key}").status_code == 200
    # Without pictures the same member's reply is published.
    login(client, newcomer)
    response = client.post(f"/t/{topic.id}/reply", data={"raw": "Nur Text, ohne Bild."})
    assert response.status_code == 302 and "held_" not in response.location
