"""Open photos safely: bounded bytes and pixels, EXIF rotation, one RGB frame.

Query photos come from strangers, so every photo goes through ``open_photo``: a
file that is too large, not an image, or a decompression bomb gives ``BadInput``
with a message for the shopper, never a traceback or a blown memory budget.
Transparency is flattened on white, which is how shop packshots are shot.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import BadInput

MB = 1024 * 1024
MAX_BYTES = 20 * MB
MAX_PIXELS = 40_000_000
WORK_SIDE = 512


def open_photo(
    source: Path | bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> Image.Image:
    """An RGB image no larger than ``WORK_SIDE`` on its longest side."""
    data = _read_bounded(source, max_bytes)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise BadInput(
                    f"the photo is {width} x {height} pixels; the limit is "
                    f"{max_pixels / 1e6:.0f} megapixels"
                )
            image.draft("RGB", (WORK_SIDE * 2, WORK_SIDE * 2))
            image.seek(0)
            image.load()
            # Rotating and converting run codecs too (EXIF parsing, mode conversions),
            # so a file they cannot handle is the shopper's bad photo, not a crash.
            upright: Image.Image = ImageOps.exif_transpose(image) or image
            rgb = _to_rgb(upright)
    except BadInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadInput(
            f"the photo has too many pixels; the limit is {max_pixels / 1e6:.0f} megapixels"
        ) from None
    except UnidentifiedImageError:
        raise BadInput("that file is not a photo we can read (JPEG, PNG, WebP or GIF)") from None
    except (OSError, ValueError, SyntaxError) as error:
        raise BadInput(f"the photo is damaged and cannot be read ({error})") from None
    rgb.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BILINEAR)
    return rgb


def _read_bounded(source: Path | bytes, max_bytes: int) -> bytes:
    """The photo's bytes, never more than ``max_bytes`` of them read.

    The size on disk refuses a large file unread; the read itself is bounded too,
    because a pipe or a device (``--image <(...)``, ``/dev/zero``) reports no size.
    """
    if isinstance(source, bytes):
        data = source
    else:
        try:
            size = source.stat().st_size
        except OSError:
            raise BadInput(f"photo not found: {source}") from None
        if size > max_bytes:
            raise BadInput(_too_big(size, max_bytes))
        try:
            with source.open("rb") as file:
                data = file.read(max_bytes + 1)
        except OSError as error:
            raise BadInput(f"the photo file cannot be read ({error.strerror or error})") from None
    if not data:
        raise BadInput("the photo is empty (0 bytes)")
    if len(data) > max_bytes:
        # From a path only a stream gets here: its size is unknown past what was read.
        raise BadInput(_too_big(len(data) if isinstance(source, bytes) else None, max_bytes))
    return data


def _too_big(size: int | None, limit: int) -> str:
    """The refusal, in MB of 2**20 bytes: those of SHOP_MAX_UPLOAD_MB and the upload widget."""
    if size is None:
        return f"the photo is over the limit of {limit / MB:.0f} MB"
    return f"the photo is {size / MB:.1f} MB; the limit is {limit / MB:.0f} MB"


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16-bit to 8-bit by the top byte; point() takes only 32-bit "I", not every
        # 16-bit byte order (big-endian TIFFs are "I;16B").
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return background
    return image.convert("RGB")
