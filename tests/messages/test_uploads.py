"""Pictures in personal messages: the composer takes them, only participants see them."""

import re

import sqlalchemy as sa

from forum.boards.models import Post
from forum.extensions import db
from tests.uploads import pictures
from tests.uploads.conftest import upload_file

KEY = r"[0-9a-f]{64}\.(?:jpg|png|webp|gif)"


def _last_post(app, topic_id: int) -> Post:
    with app.app_context():
        post = db.session.scalar(
            sa.select(Post).where(Post.topic_id == topic_id).order_by(Post.id.desc())
        )
        db.session.expunge(post)
        return post


def test_a_picture_in_a_message_is_for_its_participants_only(app, client, members, as_user):
    anke, lena, mehmet = members
    writer = as_user(anke)
    # "Upload" shows the form again with the picture in the text (without JavaScript).
    page = upload_file(
        writer,
        "/messages/new",
        pictures.jpeg_with_gps((800, 400)),
        "foto.jpg",
        to="lena",
        title="Fotos vom Fest",
        raw="Schau mal:",
        attachment_alt="Die Bühne beim Sommerfest",
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    raw = re.search(r"<textarea[^>]*>\s*(.*?)</textarea>", html, re.S).group(1)
    key = re.search(rf"!\[Die Bühne beim Sommerfest\]\(upload://({KEY})\)", raw).group(1)
    assert 'enctype="multipart/form-data"' in html and "/static/js/upload.js" in html
    response = writer.post(
        "/messages/new",
        data={"to": "lena", "title": "Fotos vom Fest", "raw": raw, "submit": "y"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    topic_id = int(re.search(r"/(\d+)$", response.location).group(1))
    assert f'src="/uploads/{key}"' in _last_post(app, topic_id).cooked

    assert as_user(lena).get(f"/uploads/{key}").status_code == 200
    assert writer.get(f"/uploads/{key}").status_code == 200
    assert as_user(mehmet).get(f"/uploads/{key}").status_code == 404  # not a participant
    assert client.get(f"/uploads/{key}").status_code == 404  # a guest

    # A reply in the conversation with a picture sent at once: the same rule.
    reader = as_user(lena)
    answer = upload_file(
        reader,
        f"/t/{topic_id}/reply",
        pictures.png((300, 200)),
        "antwort.png",
        raw="Danke!",
        attachment_alt="Ein blaues Rechteck",
        upload=None,
    )
    assert answer.status_code == 302
    reply_key = re.search(rf'src="/uploads/({KEY})"', _last_post(app, topic_id).cooked).group(1)
    assert writer.get(f"/uploads/{reply_key}").status_code == 200
    assert as_user(mehmet).get(f"/uploads/{reply_key}").status_code == 404


def test_a_refused_picture_keeps_the_message(members, as_user):
    anke, _lena, _mehmet = members
    page = upload_file(
        as_user(anke),
        "/messages/new",
        pictures.SVG,
        "logo.svg",
        to="lena",
        title="Logo",
        raw="Ein Text, der bleibt.",
        attachment_alt="Logo",
    )
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "SVG images are not accepted" in html and "Ein Text, der bleibt." in html
