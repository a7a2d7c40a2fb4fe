"""The composer script's upload: POST /uploads.json, same checks as the form, JSON answers."""

import io
import re

from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import login
from tests.uploads import pictures
from tests.uploads.test_limits import _noise_jpeg, _set

URL = "/uploads.json"


def send(client, data: bytes, filename: str = "bild.png", headers=None, **fields):
    form = {"file": FileStorage(io.BytesIO(data), filename), **fields}
    boundary, body = encode_multipart(form)
    return client.post(
        URL,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=headers or {},
    )


def test_a_photo_comes_back_as_markdown_without_its_gps(client, make, uploads_of):
    member = make.user()
    login(client, member)
    answer = send(client, pictures.jpeg_with_gps((2000, 1000)), "urlaub.jpg", alt="Am [See]")
    assert answer.status_code == 201, answer.get_data(as_text=True)
    body = answer.get_json()
    (upload,) = uploads_of(member)
    assert body["key"] == upload.key and body["url"] == f"/uploads/{upload.key}"
    assert body["markdown"] == f"![Am (See)](upload://{upload.key})"
    assert body["is_image"] and (body["width"], body["height"]) == (1600, 800)
    served = client.get(body["url"])
    assert served.status_code == 200
    assert pictures.GPS not in Image.open(io.BytesIO(served.get_data())).getexif()


def test_a_pdf_is_a_link(client, make):
    login(client, make.user())
    body = send(client, pictures.PDF_WITH_SCRIPT, "flyer.pdf").get_json()
    pdf = r"\[flyer\.pdf\]\(upload://[0-9a-f]{64}\.pdf\) \(PDF, 1 KB\)"
    assert re.fullmatch(pdf, body["markdown"])
    assert body["is_image"] is False


def test_refusals_are_json_with_their_status(client, make, app):
    login(client, make.user())
    for data, name, status, message in [
        (pictures.SVG, "logo.svg", 415, "SVG"),
        (b"MZ\x90\x00 not a picture", "virus.jpg", 415, "not a picture"),
        (pictures.png_bomb(), "bomb.png", 413, "too many pixels"),
        (b"", "leer.png", 422, "empty"),
    ]:
        answer = send(client, data, name)
        assert answer.status_code == status, (name, answer.get_data(as_text=True))
        assert answer.is_json and message in answer.get_json()["error"], name
    assert client.post(URL, data={}).status_code == 422  # no file at all
    _set(app, UPLOAD_MAX_MB=1)
    answer = send(client, _noise_jpeg(1000), "gross.jpg")
    assert answer.status_code == 413 and "larger than 1 MB" in answer.get_json()["error"]
    answer = send(client, _noise_jpeg(1000) * 3, "riesig.jpg")  # over the request limit
    assert answer.status_code == 413 and "larger than 1 MB" in answer.get_json()["error"]
    _set(app, UPLOAD_MAX_MB=6, UPLOAD_TYPES="images")
    assert send(client, pictures.PDF_WITH_SCRIPT, "a.pdf").status_code == 415
    _set(app, UPLOAD_TYPES="none")
    assert send(client, pictures.png(), "a.png").status_code == 403


def test_the_daily_quota_is_a_429(client, make, app):
    _set(app, UPLOADS_PER_DAY=1)
    login(client, make.user())
    assert send(client, pictures.png((10, 10))).status_code == 201
    answer = send(client, pictures.png((11, 10)))
    assert answer.status_code == 429 and "limit of 1 uploads" in answer.get_json()["error"]


def test_guests_and_missing_csrf_tokens_are_refused(client, make, app, uploads_of):
    assert send(client, pictures.png()).status_code == 403
    member = make.user()
    login(client, member)
    app.config["WTF_CSRF_ENABLED"] = True
    answer = send(client, pictures.png())
    assert answer.status_code == 400 and "expired" in answer.get_json()["error"]
    page = client.get("/settings").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert send(client, pictures.png(), headers={"X-CSRFToken": token}).status_code == 201
    assert len(uploads_of(member)) == 1


def test_uploads_per_minute_are_limited_per_account(app_config, tmp_path, make):
    from forum import create_app
    from forum.extensions import db

    app = create_app(
        {**app_config, "RATELIMIT_ENABLED": True, "UPLOAD_RATE_LIMIT": "2 per minute"},
        instance_path=str(tmp_path / "limited"),
    )
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, make.user("fotografin"))
    answers = [send(client, pictures.png((40 + n, 40)), f"bild{n}.png") for n in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert "Too many attempts" in answers[2].get_json()["error"]
    # Counted per account, not per address: another member on the same address may.
    other = app.test_client()
    login(other, make.user("nachbar"))
    assert send(other, pictures.png((30, 30)), "bild.png").status_code == 201
    with app.app_context():
        db.engine.dispose()
