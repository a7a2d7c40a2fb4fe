"""Uploading from the composer without JavaScript: the file becomes markdown, the text stays."""

import re
from pathlib import Path

import sqlalchemy as sa

from forum.boards.models import Post, Topic
from forum.extensions import db
from tests.conftest import login
from tests.uploads import pictures
from tests.uploads.conftest import upload_file

KEY = r"[0-9a-f]{64}\.(?:jpg|png|webp|gif|pdf)"


def test_new_topic_with_a_photo(client, make, app, uploads_of):
    member = make.user()
    category = make.category()
    login(client, member)

    page = upload_file(
        client,
        "/new-topic",
        pictures.jpeg_with_gps((2000, 1000)),
        "urlaub.JPG",
        category=category.id,
        title="Sommerfest im Juli",
        raw="Wir feiern!",
        attachment_alt="Flyer des Sommerfests",
    )

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    key = re.search(rf"!\[Flyer des Sommerfests\]\(upload://({KEY})\)", html).group(1)
    assert "Wir feiern!" in html  # the typed text stays, the picture after it
    assert f'src="/uploads/{key}"' in html  # the preview shows it
    (upload,) = uploads_of(member)
    assert upload.key == key and (upload.width, upload.height) == (1600, 800)

    raw = f"Wir feiern!\n\n![Flyer des Sommerfests](upload://{key})\n"
    response = client.post(
        "/new-topic", data={"category": category.id, "title": "Sommerfest im Juli", "raw": raw}
    )
    assert response.status_code == 302
    topic_page = client.get(response.location).get_data(as_text=True)
    img = re.search(r"<img [^>]*alt=\"Flyer des Sommerfests\"[^>]*>", topic_page).group(0)
    assert f'src="/uploads/{key}"' in img
    assert 'loading="lazy"' in img and 'width="1600"' in img and 'height="800"' in img
    assert re.search(
        rf'srcset="/uploads/{key} 1600w, /uploads/{KEY} 800w, /uploads/{KEY} 400w"', img
    )
    assert "sizes=" in img


def test_submitting_with_a_file_publishes_it_at_once(client, make, app):
    member = make.user()
    topic = make.topic()
    login(client, member)
    response = upload_file(
        client,
        f"/t/{topic.id}/reply",
        pictures.png(),
        "bild.png",
        raw="Hier das Bild:",
        attachment_alt="Ein blaues Quadrat",
        upload=None,
    )
    assert response.status_code == 302
    with app.app_context():
        post = db.session.scalar(
            sa.select(Post).where(Post.topic_id == topic.id).order_by(Post.id.desc())
        )
        assert post.raw.startswith("Hier das Bild:\n\n![Ein blaues Quadrat](upload://")
        assert '<img src="/uploads/' in post.cooked


def test_a_refused_file_keeps_the_typed_text(client, make):
    member = make.user()
    topic = make.topic()
    login(client, member)
    typed = "Ein langer Text, den ich nicht noch einmal schreiben möchte."
    for data, name, message in [
        (pictures.SVG, "logo.svg", "SVG images are not accepted"),
        (b"MZ\x90\x00 not a picture", "virus.jpg", "not a picture we can read"),
        (pictures.png_bomb(), "bomb.png", "too many pixels"),
    ]:
        page = upload_file(
            client, f"/t/{topic.id}/reply", data, name, raw=typed, attachment_alt="Bild"
        )
        assert page.status_code == 400
        html = page.get_data(as_text=True)
        assert message in html and typed in html, re.findall(r"field-error.{0,300}", html, re.S)


def test_a_picture_needs_a_description(client, make, uploads_of):
    member = make.user()
    topic = make.topic()
    login(client, member)
    page = upload_file(client, f"/t/{topic.id}/reply", pictures.png(), "a.png", raw="Text")
    assert page.status_code == 400
    assert "Please describe the picture" in page.get_data(as_text=True)
    assert uploads_of(member) == []


def test_wrong_extension_is_judged_by_content(client, make, uploads_of):
    member = make.user()
    topic = make.topic()
    login(client, member)
    # A PNG called .pdf is a picture; a PDF called .jpg is a PDF.
    page = upload_file(
        client,
        f"/t/{topic.id}/reply",
        pictures.png(),
        "flyer.pdf",
        raw="x",
        attachment_alt="Ein Bild",
    )
    assert re.search(r"!\[Ein Bild\]\(upload://[0-9a-f]{64}\.png\)", page.get_data(as_text=True))
    page = upload_file(
        client, f"/t/{topic.id}/reply", pictures.PDF_WITH_SCRIPT, "foto.jpg", raw="x"
    )
    assert re.search(
        r"\[foto\.jpg\.pdf\]\(upload://[0-9a-f]{64}\.pdf\) \(PDF, 1 KB\)",
        page.get_data(as_text=True),
    )
    assert [u.content_type for u in uploads_of(member)] == ["image/png", "application/pdf"]


def test_same_file_is_stored_once(client, make, app, uploads_of):
    member = make.user()
    topic = make.topic()
    login(client, member)
    for _ in range(2):
        upload_file(
            client, f"/t/{topic.id}/reply", pictures.png(), "a.png", raw="x", attachment_alt="Bild"
        )
    assert len(uploads_of(member)) == 1
    files = [p for p in Path(app.instance_path, "uploads").rglob("*") if p.is_file()]
    assert len(files) == 1  # a 64x48 picture has no smaller sizes


def test_edit_adds_a_picture_and_links_the_post(client, make, app, links, uploads_of):
    member = make.user()
    topic = make.topic(author=member)
    login(client, member)
    with app.app_context():
        post = db.session.scalar(sa.select(Post).where(Post.topic_id == topic.id))
        post_id, title = post.id, db.session.get(Topic, topic.id).title
    page = upload_file(
        client,
        f"/p/{post_id}/edit",
        pictures.png(),
        "a.png",
        raw="Neuer Text",
        title=title,
        attachment_alt="Bild",
    )
    raw = re.search(r"<textarea[^>]*>\s*(.*?)</textarea>", page.get_data(as_text=True), re.S).group(
        1
    )
    raw = raw.replace("&#34;", '"').replace("&amp;", "&")
    response = client.post(f"/p/{post_id}/edit", data={"raw": raw, "title": title})
    assert response.status_code == 302
    (upload,) = uploads_of(member)
    assert links(post_id) == {upload.id}
    # Taking the picture out of the text ends the link.
    client.post(f"/p/{post_id}/edit", data={"raw": "Ohne Bild jetzt.", "title": title})
    assert links(post_id) == set()
