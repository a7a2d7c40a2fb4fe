"""Real files made with Pillow for the upload tests."""

import io
import struct
import zlib

from PIL import Image

GPS = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(size: tuple[int, int] = (400, 200), orientation: int = 1) -> bytes:
    """Return a JPEG whose EXIF holds a GPS position, a camera owner and ``orientation``."""
    image = Image.new("RGB", size, (200, 30, 30))
    # A dark left half, to see where the picture's left went after rotating.
    image.paste((0, 0, 0), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x013B] = "Anke Mustermann"  # Artist
    exif[GPS] = {1: "N", 2: (52.0, 25.0, 41.0), 3: "E", 4: (10.0, 32.0, 48.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"secret comment")
    return out.getvalue()


def png(size: tuple[int, int] = (64, 48), mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 120, 200, 128) if mode == "RGBA" else (10, 120, 200)).save(
        out, "PNG"
    )
    return out.getvalue()


def animated_gif(frames: int = 5, side: int = 50) -> bytes:
    images = [Image.new("RGB", (side, side), (i * 40 % 256, 0, 100)) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=80, loop=0)
    return out.getvalue()


def png_bomb(width: int = 10_000, height: int = 10_000) -> bytes:
    """Return a tiny PNG whose header claims ``width`` x ``height`` (100 megapixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * (width + 1) * 16, 9)  # a few rows; the rest is missing
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def gif_html_polyglot() -> bytes:
    """Return a GIF that a browser sniffing for HTML would run as a page."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 0)).save(out, "GIF", comment=b"<script>alert(1)</script>")
    return out.getvalue() + b"<html><script>alert(document.cookie)</script></html>"


def jpeg_html_polyglot() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 0)).save(out, "JPEG")
    return out.getvalue() + b"<html><body><script>alert(document.cookie)</script></body></html>"


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)

PDF_WITH_SCRIPT = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"3 0 obj << /S /JavaScript /JS (app.alert('hello')) >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
