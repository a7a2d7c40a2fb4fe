"""The image pipeline: every uploaded picture passes through here.

An image is judged by its content, never by its name or declared type: Pillow
opens it with only the decoders we accept (JPEG, PNG, WebP, GIF, and HEIC/HEIF
when pillow-heif is installed), verifies it and decodes it fully. Anything else
(SVG, HTML, PDF, a truncated or hostile file) is an ``ImageRejected``.

The decoded picture is turned upright by its EXIF orientation, converted to
sRGB, scaled down and encoded anew. Only pixels survive: EXIF (GPS, camera,
owner), XMP, IPTC, comments and colour profiles are all dropped. Animated GIFs
keep their frames (within ``MAX_FRAMES`` and a pixel budget); any other
animation keeps its first frame.

Use it from any feature (post images, avatars, organisation logos)::

    from forum.uploads.images import ImageRejected, process_image

    try:
        logo = process_image(data, max_side=256, square=True)
    except ImageRejected as rejected:
        form.logo.errors.append(rejected.message)
    else:
        key = storage.store(logo.data, logo.content_type)

No Flask app is needed, except for the translated ``message``.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

if TYPE_CHECKING:
    from PIL import Image

#: HEIC from phones, if the maintained decoder (the ``heic`` extra) is installed.
HEIF = importlib.util.find_spec("pillow_heif") is not None

#: Pillow format names we decode; every other decoder stays unused.
ACCEPTED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "GIF", *(("HEIF",) if HEIF else ()))
#: The largest picture we decode (width x height); a 100-megapixel bomb is refused.
MAX_PIXELS = 50_000_000
#: Frames of an animated GIF, and all its frames' pixels together.
MAX_FRAMES = 200
MAX_ANIMATION_PIXELS = 60_000_000
#: JPEG/WebP quality of re-encoded pictures.
QUALITY = 85

CONTENT_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}

_REASONS = {
    "empty": _l("The file is empty."),
    "svg": _l("SVG images are not accepted. Please upload a JPEG, PNG, WebP or GIF picture."),
    "unreadable": _l(
        "This file is not a picture we can read. Please upload a JPEG, PNG, WebP or GIF picture."
    ),
    "too_large": _l("The picture has too many pixels. Please make it smaller and try again."),
    "too_many_frames": _l("The animation is too long. Please shorten it and try again."),
}


class ImageRejected(ValueError):
    """The upload is no picture we accept; ``reason`` is a code, ``message`` for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self) -> str:
        """The translated explanation (needs an app context for the language)."""
        return str(_REASONS.get(self.reason, _REASONS["unreadable"]))


@functools.cache
def _pillow() -> ModuleType:
    """Pillow and the HEIC decoder, loaded at the first picture rather than at start.

    Together they take ~9 MB of every worker's memory (libheif above all), and
    most requests never touch a picture.
    """
    import PIL.Image
    import PIL.ImageCms
    import PIL.ImageOps
    import PIL.ImageSequence

    if HEIF:
        import pillow_heif

        pillow_heif.register_heif_opener()
    return PIL


@dataclass(frozen=True)
class ProcessedImage:
    """A cleaned picture: encoded bytes without metadata, and its size in pixels."""

    data: bytes
    content_type: str
    width: int
    height: int


@dataclass
class _Decoded:
    format: str
    frames: list[Image.Image]
    durations: list[int]
    loop: int


def looks_like_svg(data: bytes) -> bool:
    """Tell whether ``data`` starts like an XML or SVG document (for a clearer refusal)."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head


def _open(data: bytes) -> Image.Image:
    pil = _pillow()
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; we refuse.
        warnings.simplefilter("error", pil.Image.DecompressionBombWarning)
        image = pil.Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
        if image.width * image.height > MAX_PIXELS or min(image.size) < 1:
            raise ImageRejected("too_large")
        image.verify()
        # verify() leaves the image unusable: open again to decode.
        image = pil.Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
        image.load()
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    pil = _pillow()
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        profile = pil.ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return pil.ImageCms.profileToProfile(
            image, profile, pil.ImageCms.createProfile("sRGB"), outputMode=image.mode
        )
    except (pil.ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: keep the pixels as they are


def _clean_mode(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    has_alpha = image.mode in ("P", "PA") and "transparency" in image.info
    return image.convert("RGBA" if has_alpha or "A" in image.mode else "RGB")


def _decode(data: bytes) -> _Decoded:
    pil = _pillow()
    if not data:
        raise ImageRejected("empty")
    if looks_like_svg(data):
        raise ImageRejected("svg")
    try:
        image = _open(data)
        image_format = str(image.format)
        if image_format == "GIF" and getattr(image, "n_frames", 1) > 1:
            count = image.n_frames
            if count > MAX_FRAMES:
                raise ImageRejected("too_many_frames")
            if count * image.width * image.height > MAX_ANIMATION_PIXELS:
                raise ImageRejected("too_large")
            frames, durations = [], []
            for frame in pil.ImageSequence.Iterator(image):
                durations.append(int(frame.info.get("duration", 100)))
                frames.append(frame.convert("RGBA"))
            return _Decoded("GIF", frames, durations, int(image.info.get("loop", 0)))
        upright = pil.ImageOps.exif_transpose(image) or image
        upright.info = dict(image.info)
        single = _clean_mode(_to_srgb(_clean_mode(upright)))
        return _Decoded(image_format, [single], [], 0)
    except ImageRejected:
        raise
    except (pil.Image.DecompressionBombError, pil.Image.DecompressionBombWarning) as error:
        raise ImageRejected("too_large") from error
    except Exception as error:  # any decoder failure means "not a picture"
        raise ImageRejected("unreadable") from error


def _fit(image: Image.Image, max_side: int, square: bool) -> Image.Image:
    pil = _pillow()
    if square:
        side = min(max_side, *image.size)
        return pil.ImageOps.fit(image, (side, side), pil.Image.Resampling.LANCZOS)
    if max(image.size) <= max_side:
        return image.copy()
    fitted = image.copy()
    fitted.thumbnail((max_side, max_side), pil.Image.Resampling.LANCZOS)
    return fitted


def _encode(decoded: _Decoded, max_side: int, square: bool) -> ProcessedImage:
    out = io.BytesIO()
    if len(decoded.frames) > 1:
        frames = [_fit(frame, max_side, square) for frame in decoded.frames]
        frames[0].save(
            out,
            "GIF",
            save_all=True,
            append_images=frames[1:],
            duration=decoded.durations,
            loop=decoded.loop,
            disposal=2,
        )
        width, height = frames[0].size
        return ProcessedImage(out.getvalue(), "image/gif", width, height)
    image = _fit(decoded.frames[0], max_side, square)
    image.info = {}  # nothing of the original's metadata may reach the encoder
    transparent = image.mode in ("RGBA", "LA")
    if decoded.format == "WEBP":
        image.save(out, "WEBP", quality=QUALITY, method=4)
        content_type = "image/webp"
    elif decoded.format in ("PNG", "GIF") or transparent:
        image.save(out, "PNG", optimize=True)
        content_type = "image/png"
    else:  # JPEG, HEIC
        image.convert("RGB").save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
        content_type = "image/jpeg"
    return ProcessedImage(out.getvalue(), content_type, image.width, image.height)


def process_image(data: bytes, *, max_side: int, square: bool = False) -> ProcessedImage:
    """Return the picture in ``data`` cleaned, upright and at most ``max_side`` pixels wide/high.

    ``square`` crops the middle square first (avatars, logos). Raises
    ``ImageRejected`` for anything that is not a picture we accept.
    """
    return _encode(_decode(data), max_side, square)


def process_image_sizes(
    data: bytes, *, sides: Sequence[int], square: bool = False
) -> list[ProcessedImage]:
    """Return the picture at each of ``sides`` (largest first), decoding it only once.

    Sizes the original is too small for are left out, except the largest, so
    the list is never empty and has no two pictures of the same size.
    """
    decoded = _decode(data)
    results: list[ProcessedImage] = []
    for side in sorted(set(sides), reverse=True):
        image = _encode(decoded, side, square)
        if results and (image.width, image.height) == (results[-1].width, results[-1].height):
            continue
        results.append(image)
    return results
