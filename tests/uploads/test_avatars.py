"""Uploaded avatars: square, two sizes, shown where avatars are, removable; letters by default."""

import io
import re

from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import login
from tests.uploads import pictures


def _send_avatar(client, data: bytes, filename: str = "ich.jpg"):
    boundary, body = encode_multipart({"avatar": FileStorage(io.BytesIO(data), filename)})
    return client.post(
        "/settings/avatar", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_upload_show_and_remove_an_avatar(client, make):
    member = make.user("anke")
    topic = make.topic(author=member)
    login(client, member)
    assert "/user_avatar/anke/48.svg" in client.get(
        f"/t/x/{topic.id}?page=1", follow_redirects=True
    ).get_data(True)

    response = _send_avatar(client, pictures.jpeg_with_gps((600, 300)))
    assert response.status_code == 302

    settings = client.get("/settings").get_data(as_text=True)
    large = re.search(r'src="/uploads/([0-9a-f]{64}\.jpg)" alt="" width="120"', settings).group(1)
    picture = client.get(f"/uploads/{large}")
    image = Image.open(io.BytesIO(picture.data))
    assert image.size == (240, 240) and not image.getexif()
    page = client.get(f"/t/x/{topic.id}?page=1", follow_redirects=True).get_data(as_text=True)
    small = re.search(r'src="/uploads/([0-9a-f]{64}\.jpg)" alt="" width="48"', page).group(1)
    assert small != large
    client.get("/logout")
    guest = client.get(f"/uploads/{small}")  # avatars are for everybody
    assert guest.status_code == 200 and Image.open(io.BytesIO(guest.data)).size == (64, 64)
    assert "public" in guest.headers["Cache-Control"]
    assert f"/uploads/{large}" in client.get("/u/anke").get_data(as_text=True)

    login(client, member)
    assert client.post("/settings/avatar/remove").status_code == 302
    assert "/user_avatar/anke/120.svg" in client.get("/settings").get_data(as_text=True)


def test_an_svg_avatar_is_refused(client, make):
    login(client, make.user())
    response = _send_avatar(client, pictures.SVG, "ich.svg")
    assert response.status_code == 400
    assert "SVG images are not accepted" in response.get_data(as_text=True)
    response = _send_avatar(client, b"", "")
    assert response.status_code == 400
