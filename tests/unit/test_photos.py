"""Query photos from strangers: clear messages for bad files, correct pixels for odd ones."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from index.errors import BadInput
from index.photos import WORK_SIDE, open_photo


def _png_header(width: int, height: int) -> bytes:
    """A tiny PNG that declares a huge size (a decompression bomb's calling card)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"hello, this is text renamed to .jpg", "not a photo"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 100, "damaged|not a photo"),
        (_png_header(40_000, 40_000), "pixels"),
    ],
)
def test_bad_files_give_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        open_photo(data)


def test_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\0" * 2048)
    with pytest.raises(BadInput, match="limit"):
        open_photo(big, max_bytes=1024)
    with pytest.raises(BadInput, match="not found"):
        open_photo(tmp_path / "missing.jpg")


def test_odd_modes_become_rgb_and_shrink() -> None:
    cmyk = Image.new("CMYK", (1200, 600), (0, 255, 255, 0))
    out = open_photo(_encode(cmyk, "JPEG"))
    assert out.mode == "RGB" and max(out.size) == WORK_SIDE
    assert out.getpixel((10, 10))[0] > 200  # red stays red

    deep = Image.fromarray(np.full((40, 40), 65535, dtype=np.uint16))
    assert open_photo(_encode(deep, "PNG")).getpixel((0, 0)) == (255, 255, 255)

    palette = Image.new("P", (30, 30), 0)
    palette.putpalette([255, 0, 0] * 256)
    transparent = _encode(palette, "PNG", transparency=0)
    assert open_photo(transparent).getpixel((5, 5)) == (255, 255, 255)  # flattened on white


def test_exif_rotation_is_honoured() -> None:
    wide = Image.new("RGB", (200, 100), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° when shown
    out = open_photo(_encode(wide, "JPEG", exif=exif.tobytes()))
    assert out.size == (100, 200)


def test_animated_gif_uses_the_first_frame() -> None:
    frames = [Image.new("RGB", (20, 20), c) for c in ((0, 200, 0), (200, 0, 0))]
    data = _encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    r, g, _ = open_photo(data).getpixel((10, 10))
    assert g > 150 and r < 50
