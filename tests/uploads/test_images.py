"""The image pipeline with real files: metadata gone, upright, bombs and non-pictures refused."""

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from forum.uploads.images import (
    ImageRejected,
    ProcessedImage,
    process_image,
    process_image_sizes,
)
from tests.uploads import pictures


def opened(image: ProcessedImage) -> Image.Image:
    return Image.open(io.BytesIO(image.data))


def test_gps_and_every_other_metadata_is_dropped():
    original = pictures.jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(pictures.GPS)

    cleaned = process_image(original, max_side=1600)

    result = opened(cleaned)
    assert result.format == "JPEG" and cleaned.content_type == "image/jpeg"
    assert not result.getexif()
    assert not result.getexif().get_ifd(pictures.GPS)
    assert "exif" not in result.info and "comment" not in result.info
    assert b"Mustermann" not in cleaned.data and b"secret" not in cleaned.data


def test_turned_upright_by_the_orientation():
    # Orientation 6: the camera was turned; the picture is shown rotated 90° clockwise.
    cleaned = process_image(pictures.jpeg_with_gps((400, 200), orientation=6), max_side=1600)

    assert (cleaned.width, cleaned.height) == (200, 400)
    result = opened(cleaned).convert("RGB")
    # The dark left half is now at the top.
    assert sum(result.getpixel((100, 50))) < 60
    assert result.getpixel((100, 350))[0] > 150


def test_scaled_down_and_cropped_square():
    photo = pictures.jpeg_with_gps((400, 200))
    assert (process_image(photo, max_side=100).width, 50) == (100, 50)
    square = process_image(photo, max_side=120, square=True)
    assert (square.width, square.height) == (120, 120)
    small = process_image(pictures.png((64, 48)), max_side=1600)
    assert (small.width, small.height) == (64, 48)  # never enlarged
    assert small.content_type == "image/png" and opened(small).mode == "RGBA"


def test_several_sizes_from_one_decoding():
    sizes = process_image_sizes(pictures.jpeg_with_gps((1000, 500)), sides=(400, 1600, 800))
    assert [(s.width, s.height) for s in sizes] == [(1000, 500), (800, 400), (400, 200)]
    assert len(process_image_sizes(pictures.png((50, 50)), sides=(400, 200))) == 1


def test_animated_gif_keeps_its_frames():
    cleaned = process_image(pictures.animated_gif(frames=5, side=60), max_side=30)
    result = opened(cleaned)
    assert cleaned.content_type == "image/gif"
    assert result.n_frames == 5 and result.size == (30, 30)


def test_too_long_animation_refused(monkeypatch):
    monkeypatch.setattr("forum.uploads.images.MAX_FRAMES", 3)
    with pytest.raises(ImageRejected) as rejected:
        process_image(pictures.animated_gif(frames=5), max_side=30)
    assert rejected.value.reason == "too_many_frames"


def test_decompression_bomb_refused():
    bomb = pictures.png_bomb(10_000, 10_000)
    assert len(bomb) < 2000
    with pytest.raises(ImageRejected) as rejected:
        process_image(bomb, max_side=1600)
    assert rejected.value.reason == "too_large"
    # Past Pillow's own hard limit too.
    with pytest.raises(ImageRejected):
        process_image(pictures.png_bomb(20_000, 20_000), max_side=1600)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (pictures.SVG, "svg"),
        (b"  <svg xmlns='http://www.w3.org/2000/svg'/>", "svg"),
        (pictures.PDF_WITH_SCRIPT, "unreadable"),
        (b"<html><script>alert(1)</script></html>", "unreadable"),
        (b"", "empty"),
        (pictures.jpeg_with_gps()[:300], "unreadable"),
    ],
)
def test_non_pictures_refused(data, reason):
    with pytest.raises(ImageRejected) as rejected:
        process_image(data, max_side=100)
    assert rejected.value.reason == reason


def test_refusal_message_is_translated(app):
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert "SVG-Bilder" in ImageRejected("svg").message
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "SVG images" in ImageRejected("svg").message


@pytest.mark.parametrize("polyglot", [pictures.gif_html_polyglot, pictures.jpeg_html_polyglot])
def test_polyglot_comes_out_as_a_plain_picture(polyglot):
    cleaned = process_image(polyglot(), max_side=100)
    assert b"<script" not in cleaned.data and b"<html" not in cleaned.data
    assert opened(cleaned).format in ("PNG", "JPEG")


MAGIC = [b"", b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"RIFF\0\0\0\0WEBP", b"<svg"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MAGIC), st.binary(max_size=600))
def test_random_bytes_are_refused_or_a_good_picture(magic, tail):
    try:
        image = process_image(magic + tail, max_side=64)
    except ImageRejected as rejected:
        assert rejected.reason in ("empty", "svg", "unreadable", "too_large", "too_many_frames")
    else:
        assert opened(image).size == (image.width, image.height)
        assert max(image.width, image.height) <= 64


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 300),
    st.integers(1, 300),
    st.sampled_from(["JPEG", "PNG", "WEBP", "GIF"]),
    st.binary(max_size=40),
)
def test_real_pictures_with_damage_never_crash(width, height, fmt, garbage):
    out = io.BytesIO()
    Image.new("RGB", (width, height), (1, 2, 3)).save(out, fmt)
    data = out.getvalue()
    cut = len(data) - len(garbage)
    for variant in (data, data[:cut] + garbage):
        try:
            image = process_image(variant, max_side=100)
        except ImageRejected:
            continue
        assert max(image.width, image.height) <= 100
