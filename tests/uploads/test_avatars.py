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


def test_the_api_and_mention_suggestions_give_the_uploaded_avatar(client, make):
    member = make.user("anke")
    login(client, make.user("bernd"))
    assert client.get("/u/anke.json").get_json()["user"]["avatar_template"] == (
        "/user_avatar/anke/{size}.svg"
    )
    login(client, member)
    assert _send_avatar(client, pictures.jpeg_with_gps((600, 300))).status_code == 302
    login(client, make.user("carla"))
    template = client.get("/u/anke.json").get_json()["user"]["avatar_template"]
    large = re.fullmatch(r"/user_avatar/anke/\{size\}/([0-9a-f]{64}\.jpg)", template).group(1)
    # Discourse's sizes map to the two stored ones: 64 pixels up to 64, else 240.
    for size, side in ((25, 64), (64, 64), (120, 240), (240, 240), (360, 240)):
        answer = client.get(template.replace("{size}", str(size)))
        assert answer.status_code == 200, size
        assert Image.open(io.BytesIO(answer.data)).size == (side, side), size
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    (suggestion,) = client.get("/u/search.json?term=ank").get_json()["users"]
    small = re.fullmatch(r"/user_avatar/anke/32/([0-9a-f]{64}\.jpg)", suggestion["avatar"])
    assert small.group(1) == large
    assert Image.open(io.BytesIO(client.get(suggestion["avatar"]).data)).size == (64, 64)
    # An avatar that is not (or no longer) the member's, a wrong size: 404.
    assert client.get(f"/user_avatar/bernd/64/{large}").status_code == 404
    assert client.get(f"/user_avatar/anke/0/{large}").status_code == 404
    login(client, member)
    client.post("/settings/avatar/remove")
    assert client.get(f"/user_avatar/anke/64/{large}").status_code == 404
