"""Serving /uploads/<key>: access follows the post, nothing is ever served as a page."""

import io

import pytest
from PIL import Image

from forum.boards.models import ReadLevel
from forum.extensions import db
from forum.uploads.services import save_upload
from forum.users.models import User
from tests.conftest import login
from tests.uploads import pictures


@pytest.fixture
def upload(app):
    """Store ``data`` as ``user``'s upload; return (key, markdown)."""

    def _upload(user, data: bytes, filename: str = "datei", alt: str = "Bild"):
        with app.test_request_context(headers={"Accept-Language": "de"}):
            saved = save_upload(db.session.get(User, user.id), data, filename, alt)
            return saved.upload.key, saved.markdown

    return _upload


def test_picture_in_a_public_topic(client, make, upload):
    writer = make.user()
    key, markdown = upload(writer, pictures.jpeg_with_gps())
    make.topic(author=writer, category=make.category(read_level=ReadLevel.PUBLIC), raw=markdown)

    response = client.get(f"/uploads/{key}")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Content-Disposition"] == "inline"
    image = Image.open(io.BytesIO(response.data))
    assert not image.getexif().get_ifd(pictures.GPS)  # served without the position
    again = client.get(f"/uploads/{key}", headers={"If-None-Match": f'"{key}"'})
    assert again.status_code == 304


def test_members_only_picture_is_404_for_guests_and_applicants(client, make, upload):
    writer = make.user()
    key, markdown = upload(writer, pictures.png())
    make.topic(author=writer, category=make.category(read_level=ReadLevel.MEMBERS), raw=markdown)

    assert client.get(f"/uploads/{key}").status_code == 404
    login(client, make.user(role="applicant"))
    assert client.get(f"/uploads/{key}").status_code == 404
    login(client, make.user())
    assert client.get(f"/uploads/{key}").status_code == 200


def test_smaller_sizes_follow_the_largest(client, make, upload, app):
    writer = make.user()
    key, markdown = upload(writer, pictures.jpeg_with_gps((1000, 500)))
    make.topic(author=writer, category=make.category(read_level=ReadLevel.MEMBERS), raw=markdown)
    with app.app_context():
        from forum.uploads.services import embeds_for

        srcset = embeds_for(markdown)[key].srcset
    small = srcset.split(", ")[-1].split(" ")[0]
    assert small != f"/uploads/{key}"
    assert client.get(small).status_code == 404
    login(client, make.user())
    assert client.get(small).status_code == 200


def test_deleted_posts_uploads_stop_being_served(client, make, upload, app):
    writer = make.user()
    key, markdown = upload(writer, pictures.png())
    topic = make.topic(author=writer)
    post = make.post(topic, author=writer, raw=f"Bild: {markdown}")
    reader = make.user()
    login(client, reader)
    assert client.get(f"/uploads/{key}").status_code == 200

    login(client, writer)
    assert client.post(f"/p/{post.id}/delete").status_code in (302, 303)

    login(client, reader)
    assert client.get(f"/uploads/{key}").status_code == 404
    login(client, writer)
    assert client.get(f"/uploads/{key}").status_code == 404


def test_unused_upload_is_for_its_uploader_and_staff(client, make, upload):
    writer = make.user()
    key, _ = upload(writer, pictures.png())
    assert client.get(f"/uploads/{key}").status_code == 404
    login(client, make.user())
    assert client.get(f"/uploads/{key}").status_code == 404
    login(client, writer)
    assert client.get(f"/uploads/{key}").status_code == 200
    login(client, make.user(role="moderator"))
    assert client.get(f"/uploads/{key}").status_code == 200


def test_pdf_with_a_script_is_a_download(client, make, upload):
    writer = make.user()
    key, markdown = upload(writer, pictures.PDF_WITH_SCRIPT, "Programm <2027> für alle.pdf")
    assert key.endswith(".pdf")
    make.topic(author=writer, category=make.category(read_level=ReadLevel.PUBLIC), raw=markdown)

    response = client.get(f"/uploads/{key}")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "Programm 2027 f" in response.headers["Content-Disposition"]
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.data == pictures.PDF_WITH_SCRIPT  # stored as it came


@pytest.mark.parametrize("polyglot", [pictures.gif_html_polyglot, pictures.jpeg_html_polyglot])
def test_polyglot_is_never_served_as_html(client, make, upload, polyglot):
    writer = make.user()
    key, markdown = upload(writer, polyglot(), "page.html")
    make.topic(author=writer, category=make.category(read_level=ReadLevel.PUBLIC), raw=markdown)

    response = client.get(f"/uploads/{key}")

    assert response.headers["Content-Type"] in ("image/png", "image/jpeg")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert b"<html" not in response.data and b"<script" not in response.data


@pytest.mark.parametrize(
    "path",
    [
        "/uploads/nothing",
        "/uploads/" + "a" * 64 + ".jpg",
        "/uploads/" + "a" * 64 + ".html",
        "/uploads/../config.py",
    ],
)
def test_unknown_keys_are_404(client, path):
    assert client.get(path).status_code == 404


def test_private_message_picture_is_for_its_participants(client, make, upload, app):
    from forum.messages.services import start_conversation

    writer, recipient, outsider = make.user(), make.user(), make.user()
    key, markdown = upload(writer, pictures.png())
    with app.test_request_context():
        start_conversation(
            db.session.get(User, writer.id),
            [db.session.get(User, recipient.id)],
            "Ein Bild für dich",
            f"Schau mal: {markdown}",
        )
    login(client, outsider)
    assert client.get(f"/uploads/{key}").status_code == 404
    login(client, recipient)
    assert client.get(f"/uploads/{key}").status_code == 200


def test_a_removed_accounts_pictures_stop_being_served(client, make, upload, app):
    from forum.users.removal import DELETE_POSTS, anonymise

    writer = make.user()
    key, markdown = upload(writer, pictures.png())
    make.topic(author=writer, raw=f"Mein Bild {markdown}")
    with app.test_request_context():
        account = db.session.get(User, writer.id)
        account.avatar_key = account.avatar_small_key = key
        db.session.commit()
        anonymise(db.session.get(User, make.user(role="admin").id), account, DELETE_POSTS)
        assert account.avatar_key is None
    login(client, make.user())
    assert client.get(f"/uploads/{key}").status_code == 404


def test_nginx_sends_the_file_when_configured(client, make, upload, app):
    writer = make.user()
    key, markdown = upload(writer, pictures.png())
    make.topic(author=writer, category=make.category(read_level=ReadLevel.MEMBERS), raw=markdown)
    app.config["UPLOAD_X_ACCEL_PREFIX"] = "/protected-uploads/"

    assert client.get(f"/uploads/{key}").status_code == 404  # the check stays in the app
    login(client, make.user())
    response = client.get(f"/uploads/{key}")

    assert response.status_code == 200 and response.data == b""
    assert response.headers["X-Accel-Redirect"] == f"/protected-uploads/{key[:2]}/{key[2:4]}/{key}"
    assert response.headers["Content-Type"] == "image/png"
