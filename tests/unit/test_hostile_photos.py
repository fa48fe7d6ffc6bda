"""Hostile photos at ``open_photo`` (issue 8): bounded memory and reads, the right pixels.

``test_photos.py`` covers the common bad files and odd modes; these are the cases it
leaves out: how much a bomb and a huge file may cost, streams without a size, the
direction of an EXIF turn, animated WebP and APNG, and mangled files of each format.
"""

from __future__ import annotations

import io
import json
import os
import random
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from index.errors import BadInput
from index.photos import MB, WORK_SIDE, open_photo

ROOT = Path(__file__).resolve().parents[2]
RED, GREEN, BLUE = (220, 20, 20), (20, 180, 20), (20, 20, 220)


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def bomb_png(width: int = 40_000, height: int = 40_000) -> bytes:
    """A real 1-bit PNG of 8 x 8 pixels whose header is patched to declare ``width x height``.

    40000 x 40000 is 1.6 gigapixels (1.6 GB decoded) in under 100 bytes.
    """
    png = encode(Image.new("1", (8, 8)), "PNG")
    start = 8 + 4  # the signature, then IHDR's length; IHDR's type and data follow
    ihdr = png[start + 4 : start + 17]
    patched = struct.pack(">II", width, height) + ihdr[8:]
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + patched))
    return png[: start + 4] + patched + crc + png[start + 21 :]


# -- bounded memory and reads -----------------------------------------------------------

# Run in a child whose address space is capped a little above what it uses: decoding a
# bomb's pixels would need gigabytes and end in MemoryError instead of BadInput.
_CAPPED = """
import json, resource, sys
from pathlib import Path
from index.errors import BadInput
from index.photos import open_photo

def vm_bytes():
    for line in open("/proc/self/status"):
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024

headroom = int(sys.argv[1])
limit = vm_bytes() + headroom
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
outcome = {}
for name in sys.argv[2:]:
    try:
        outcome[name] = "opened %s" % (open_photo(Path(name)).size,)
    except BadInput as error:
        outcome[name] = "refused: %s" % error
    except MemoryError:
        outcome[name] = "MemoryError"
print(json.dumps(outcome))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and RLIMIT_AS")
def test_a_bomb_is_refused_within_a_small_memory_cap(tmp_path: Path) -> None:
    bombs = {
        "bomb-1bit.png": bomb_png(),  # past Pillow's own limit: refused at open
        "bomb-49mp.png": bomb_png(7_000, 7_000),  # under Pillow's limit, over ours (40 MP)
    }
    for name, data in bombs.items():
        (tmp_path / name).write_bytes(data)
        assert len(data) < 200
    fine = tmp_path / "fine.jpg"  # the control: a real photo opens under the same cap
    fine.write_bytes(encode(Image.new("RGB", (3000, 2000), RED), "JPEG"))
    headroom = 96 * MB  # 49 MP of RGBA is 196 MB; 1.6 gigapixels far more
    paths = [str(tmp_path / name) for name in (*bombs, "fine.jpg")]
    child = subprocess.run(
        [sys.executable, "-c", _CAPPED, str(headroom), *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    outcome = json.loads(child.stdout)
    for name in bombs:
        assert outcome[str(tmp_path / name)].startswith("refused: the photo"), outcome
        assert "40 megapixels" in outcome[str(tmp_path / name)]
    assert outcome[str(fine)] == f"opened {(WORK_SIDE, WORK_SIDE * 2 // 3)}"


_opened: list[str] = []
_watched: set[str] = set()


def _record_opens(event: str, args: tuple[object, ...]) -> None:
    path = args[0] if event == "open" and _watched else None
    if isinstance(path, str | os.PathLike) and os.fspath(path) in _watched:
        _opened.append(os.fspath(path))


sys.addaudithook(_record_opens)  # audit hooks stay for the process; this one only reads


def test_a_50_mb_file_is_refused_without_being_opened(tmp_path: Path) -> None:
    big = tmp_path / "holiday.jpg"
    with big.open("wb") as file:
        file.truncate(50 * MB)  # sparse: 50 MB on paper, nothing on disk
    _watched.add(str(big))
    try:
        with pytest.raises(BadInput, match=r"50\.0 MB; the limit is 20 MB"):
            open_photo(big)
        assert _opened == []
        # The control: with a limit above its size the file is opened and read, and the
        # hook sees it; so the refusal above came before any read.
        with pytest.raises(BadInput, match="not a photo"):
            open_photo(big, max_bytes=60 * MB)
        assert _opened == [str(big)]
    finally:
        _watched.clear()
        _opened.clear()


def test_a_stream_without_a_size_is_read_no_further_than_the_limit(tmp_path: Path) -> None:
    # A pipe (``--image <(...)``) or a device reports size 0: only the read can bound it.
    pipe = tmp_path / "photo.jpg"
    os.mkfifo(pipe)
    written = [0]

    def feed() -> None:
        try:
            with pipe.open("wb", buffering=0) as stream:
                for _ in range(256):  # 16 MB offered
                    written[0] += stream.write(b"\0" * 65_536)
        except BrokenPipeError:
            pass  # the reader stopped: what this test wants

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    with pytest.raises(BadInput, match="over the limit"):
        open_photo(pipe, max_bytes=100_000)
    writer.join(timeout=10)
    assert not writer.is_alive()
    assert written[0] < 1 * MB  # the limit, plus what the pipe's buffer held


def test_a_folder_given_as_a_photo_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="cannot be read"):
        open_photo(tmp_path)


# -- the right pixels ---------------------------------------------------------------------


def _halves(left: tuple[int, int, int], right: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGB", (200, 100), left)
    image.paste(right, (100, 0, 200, 100))
    return image


def _is(pixel: tuple[int, ...], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel, colour, strict=True))


@pytest.mark.parametrize(
    ("orientation", "size", "red_at", "blue_at"),
    [
        # Stored red left, blue right; where each half must be once the photo is upright.
        (3, (200, 100), (190, 50), (10, 50)),  # turned 180°
        (6, (100, 200), (50, 10), (50, 190)),  # turned 90° clockwise: left goes to the top
        (8, (100, 200), (50, 190), (50, 10)),  # turned 90° anticlockwise: left to the bottom
    ],
)
def test_exif_orientation_turns_the_pixels_the_right_way(
    orientation: int, size: tuple[int, int], red_at: tuple[int, int], blue_at: tuple[int, int]
) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = open_photo(encode(_halves(RED, BLUE), "JPEG", exif=exif.tobytes(), quality=95))
    assert out.size == size
    assert _is(out.getpixel(red_at), RED) and _is(out.getpixel(blue_at), BLUE)


@pytest.mark.parametrize(
    ("fmt", "options"),
    [("WEBP", {"lossless": True}), ("PNG", {})],  # animated WebP; APNG
)
def test_an_animation_is_read_as_its_first_frame(fmt: str, options: dict[str, object]) -> None:
    frames = [Image.new("RGB", (40, 30), colour) for colour in (BLUE, RED, GREEN)]
    data = encode(frames[0], fmt, save_all=True, append_images=frames[1:], **options)
    assert Image.open(io.BytesIO(data)).n_frames == 3
    out = open_photo(data)
    assert out.size == (40, 30) and _is(out.getpixel((20, 15)), BLUE)


def test_a_big_endian_16_bit_tiff_keeps_its_levels() -> None:
    # Pillow reads it as mode I;16B, which ``point`` refused before the fix.
    levels = np.array([[0, 32_768], [65_535, 65_535]], dtype=">u2")
    deep = Image.frombytes("I;16B", (2, 2), levels.tobytes())
    out = open_photo(encode(deep, "TIFF"))
    assert [out.getpixel(xy)[0] for xy in ((0, 0), (1, 0), (0, 1))] == [0, 128, 255]


# -- mangled files ----------------------------------------------------------------------


def _seeds() -> dict[str, bytes]:
    picture = _halves(RED, BLUE)
    exif = Image.Exif()
    exif[0x0112] = 6
    frames = [picture, _halves(BLUE, RED)]
    return {
        "jpeg": encode(picture, "JPEG", exif=exif.tobytes()),
        "png": encode(picture.convert("P"), "PNG", transparency=0),
        "gif": encode(frames[0], "GIF", save_all=True, append_images=frames[1:]),
        "webp": encode(frames[0], "WEBP", save_all=True, append_images=frames[1:]),
    }


@pytest.mark.filterwarnings("ignore:(Corrupt EXIF|Truncated File):UserWarning")
@pytest.mark.parametrize(("fmt", "data"), list(_seeds().items()))
def test_mangled_photos_open_or_give_a_clear_message(fmt: str, data: bytes) -> None:
    """Flipped, dropped and inserted bytes, most in the headers: a photo or BadInput."""
    rng = random.Random(fmt)
    outcomes = {"opened": 0, "refused": 0}
    for _ in range(150):
        mangled = bytearray(data)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(min(len(mangled), 96) if rng.random() < 0.6 else len(mangled))
            if rng.random() < 0.6:
                mangled[at] = rng.randrange(256)
            elif rng.random() < 0.5:
                del mangled[at : at + rng.randint(1, 16)]
            else:
                mangled[at:at] = rng.randbytes(rng.randint(1, 8))
        try:
            out = open_photo(bytes(mangled))
        except BadInput as error:
            assert str(error).startswith(("the photo", "that file")), error
            outcomes["refused"] += 1
        else:
            assert out.mode == "RGB" and max(out.size) <= WORK_SIDE
            outcomes["opened"] += 1
    assert outcomes["refused"] > 0, outcomes  # the mangling did damage
