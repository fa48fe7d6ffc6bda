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

MAX_BYTES = 20 * 1024 * 1024
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
    upright: Image.Image = ImageOps.exif_transpose(image) or image
    rgb = _to_rgb(upright)
    rgb.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BILINEAR)
    return rgb


def _read_bounded(source: Path | bytes, max_bytes: int) -> bytes:
    if isinstance(source, bytes):
        data = source
    else:
        try:
            size = source.stat().st_size
        except OSError:
            raise BadInput(f"photo not found: {source}") from None
        if size > max_bytes:
            raise BadInput(_too_big(size, max_bytes))
        data = source.read_bytes()
    if not data:
        raise BadInput("the photo is empty (0 bytes)")
    if len(data) > max_bytes:
        raise BadInput(_too_big(len(data), max_bytes))
    return data


def _too_big(size: int, limit: int) -> str:
    return f"the photo is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB"


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda value: value / 256).convert("L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return background
    return image.convert("RGB")
