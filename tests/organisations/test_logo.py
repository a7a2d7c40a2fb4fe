"""A representative uploads the organisation's logo on the profile form: square,
re-encoded without metadata, shown on the card, the profile and beside topics
posted as it; a bad file keeps the typed form; the cleanup keeps logos in use."""

import io
import re
from datetime import timedelta

import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from forum.boards.models import CategoryKind, ReadLevel
from forum.db import utcnow
from forum.extensions import db
from forum.organisations.models import Organisation
from forum.uploads.models import Upload
from forum.users.models import User
from tests.uploads import pictures

EDIT = "/o/sv-blau-weiss-isenbuettel/bearbeiten"
PROFILE = {"name": "SV Blau-Weiß Isenbüttel", "municipality": "isenbuettel"}


def _send(client, data: bytes | None, **fields):
    form = MultiDict({**PROFILE, **fields})
    if data is not None:
        form.add("logo", FileStorage(io.BytesIO(data), "logo.jpg"))
    boundary, body = encode_multipart(form)
    return client.post(EDIT, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _logo_key(app) -> str | None:
    with app.app_context():
        return db.session.scalar(sa.select(Organisation.logo_key))


def test_a_representative_uploads_a_logo_shown_everywhere(app, client, make, make_org, login_as):
    rep = make.user("petra")
    org = make_org(reps=[rep])
    login_as(rep)
    response = _send(client, pictures.jpeg_with_gps((600, 300)), short_line="Fußball")
    assert response.status_code == 302, response.get_data(as_text=True)
    key = _logo_key(app)
    assert key and key.endswith(".jpg")
    image = Image.open(io.BytesIO(client.get(f"/uploads/{key}").data))
    assert image.size == (256, 256) and not image.getexif()

    # A topic posted as the organisation shows its logo beside the author.
    vereine = make.category("Vereine", kind=CategoryKind.ORGANISATIONS, read_level=ReadLevel.PUBLIC)
    with app.app_context():
        db.session.get(User, rep.id).published_post_count = 3
        db.session.commit()
    posted = client.post("/new-topic", data={
        "title": "Sommerfest am Sportplatz", "raw": "Alle sind eingeladen, kommt vorbei!",
        "submit": "y", "category": vereine.id, "plugin.organisation": str(org.id)})  # fmt: skip
    assert posted.status_code == 302
    assert f'src="/uploads/{key}"' in client.get(posted.location).get_data(as_text=True)

    client.post("/logout")
    assert f'src="/uploads/{key}"' in client.get("/organisationen").get_data(as_text=True)
    assert f'src="/uploads/{key}"' in client.get("/o/sv-blau-weiss-isenbuettel").get_data(True)
    assert client.get(f"/uploads/{key}").status_code == 200  # logos are for everybody


def test_a_bad_file_keeps_the_typed_form(app, client, make, make_org, login_as):
    rep = make.user("petra")
    make_org(reps=[rep])
    login_as(rep)
    response = _send(client, b"<svg onload=alert(1)></svg>", short_line="Mein getippter Satz")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="logo-error"' in page and "Mein getippter Satz" in page
    assert _logo_key(app) is None
    with app.app_context():
        assert db.session.scalar(sa.select(Organisation.short_line)) == ""


def test_the_error_is_german(app, client, make, make_org, login_as):
    rep = make.user("petra")
    make_org(reps=[rep])
    login_as(rep)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    page = _send(client, b"kein Bild").get_data(as_text=True)
    error = re.search(r'id="logo-error" role="alert">\s*<ul><li>([^<]+)<', page).group(1)
    assert "Bild" in error or "Datei" in error, error


def test_the_logo_is_removed_and_the_cleanup_keeps_only_logos_in_use(
    app, client, make, make_org, login_as, runner
):
    rep = make.user("petra")
    make_org(reps=[rep])
    login_as(rep)
    _send(client, pictures.png((300, 300), "RGB"))
    first = _logo_key(app)
    _send(client, pictures.jpeg_with_gps((400, 400)))
    second = _logo_key(app)
    assert first != second
    with app.app_context():
        db.session.execute(sa.update(Upload).values(created_at=utcnow() - timedelta(hours=100)))
        db.session.commit()
    result = runner.invoke(args=["uploads", "cleanup"])
    assert "Removed 1 unused upload(s)" in result.output, result.output
    assert client.get(f"/uploads/{second}").status_code == 200
    assert client.get(f"/uploads/{first}").status_code == 404

    _send(client, None, remove_logo="y")
    assert _logo_key(app) is None
    assert "/uploads/" not in client.get("/o/sv-blau-weiss-isenbuettel").get_data(as_text=True)


def test_others_cannot_upload_a_logo(app, client, make, make_org, login_as):
    make_org(reps=[make.user()])
    login_as(make.user())
    assert _send(client, pictures.png()).status_code == 403
    assert _logo_key(app) is None
