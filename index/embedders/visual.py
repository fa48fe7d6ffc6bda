"""A training-free photo embedder for when no CLIP weights can be had.

Catalog photos of one product are shot in one studio under one light, so the exact
shades of the garment are the strongest cue that two photos show the same product,
whatever the angle: a back view or a close-up keeps the colours and loses the layout.
A photo therefore becomes mostly a fine colour histogram of the product, not of the
backdrop:

1. backdrop: a plane (colour plus gradient) fitted to the border pixels. Where at
   least 40% of the border lies within 3 levels of it, pixels near it are masked out
   and every channel is scaled so that the backdrop is white, which undoes a warm
   light or an underexposed phone shot. A photo without such a backdrop (a close-up,
   a snapshot on a busy table) keeps every pixel, weighted by a centred Gaussian.
2. colour: a 12×24×24 histogram in CIE Lab; bins under 0.1% of the mass are dropped
   (stray clutter) and the rest raised to the power 0.35, so that a trim or a
   waistband counts, not only the largest colour.
3. two weaker cues: 8×12×12 Lab histograms of the upper and lower half of the
   product's box (what is worn above what), and edge orientations on a 4×2 grid of
   the box, which pull a tee towards tees rather than towards shorts of the same blue.

Every block is mirror-symmetric, so a back view meets its front. A photo fills about
a hundred of each block's thousands of bins, so the blocks are feature-hashed with
fixed random signs into 2,048 dimensions: the inner product of two vectors is the
weighted sum of the blocks' cosines, give or take collisions (which cost 0.01–0.02
of R@1 against the unhashed blocks). ``benchmarks/photo_fallback.py`` has the figures.

Compromises: two products of the same colour are told apart only by the weak cues,
and a close-up of black fabric matches every black garment. The bins are fine, so a
photo with no backdrop to correct its light matches less well than a catalog view;
there is no learning, so no notion of "a tee" beyond edges.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from .base import EmbedderInfo, normalize

if TYPE_CHECKING:
    from ..settings import Settings

SIDE = 128
DIM = 2048
COLOUR_BINS = (12, 24, 24)
ROW_BINS = (8, 12, 12)
ROWS = 2
EDGE_GRID = (4, 2)
ORIENTATIONS = 9
ALPHA = 0.35
FLOOR = 0.001
WEIGHTS = {"colour": 1.0, "rows": 0.25, "edges": 0.25}
AB_RANGE = 60.0
BACKDROP_TOLERANCE = 3.0
BACKDROP_BORDER_SHARE = 0.4
BACKDROP_DISTANCE = 15.0
CENTRE_SIGMA = 0.3
MAX_GAIN = 1.5

# Bump VERSION with any change to the numbers above or to the code that uses them.
VERSION = "1"
MODEL = "lab-hist-rows-edges-h2048"
RECIPE = (
    f"side={SIDE};backdrop=plane,tol={BACKDROP_TOLERANCE},share={BACKDROP_BORDER_SHARE},"
    f"dist={BACKDROP_DISTANCE},centre={CENTRE_SIGMA},white_gain<={MAX_GAIN};lab_ab=±{AB_RANGE};"
    f"colour={COLOUR_BINS};rows={ROWS}x{ROW_BINS};edges={EDGE_GRID}x{ORIENTATIONS},mirrored;"
    f"power={ALPHA},floor={FLOOR};weights={sorted(WEIGHTS.items())};hash=fmix32,{DIM}"
)

Box = tuple[int, int, int, int]


class VisualEmbedder:
    """Colour-and-edge descriptors of photos; no model file, no training."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.info = EmbedderInfo(
            name="visual",
            model=MODEL,
            version=VERSION,
            dim=DIM,
            sha256=hashlib.sha256(RECIPE.encode()).hexdigest(),
        )

    def embed_images(self, images: Sequence[Image.Image]) -> np.ndarray:
        """float32 ``(n, DIM)`` unit rows, one per photo."""
        if not images:
            return np.zeros((0, DIM), dtype=np.float32)
        return normalize(np.stack([describe(image) for image in images]))


def describe(image: Image.Image) -> np.ndarray:
    """The embedding of one photo (unit length, ``DIM`` floats)."""
    rgb = small_rgb(image)
    plane = backdrop(rgb)
    weights, box = foreground(rgb, plane)
    lab = srgb_to_lab(rgb if plane is None else white_balance(rgb, plane))
    blocks = {
        "colour": power_normalise(colour_histogram(lab, weights, COLOUR_BINS)),
        "rows": np.concatenate(
            [power_normalise(h) / np.sqrt(ROWS) for h in row_histograms(lab, weights, box)]
        ),
        "edges": edge_histogram(lab[..., 0], weights, box),
    }
    vector = np.zeros(DIM)
    for salt, (name, block) in enumerate(blocks.items()):
        vector += np.sqrt(WEIGHTS[name]) * feature_hash(block, salt)
    return normalize(vector)[0]


def small_rgb(image: Image.Image) -> np.ndarray:
    """float64 ``(h, w, 3)`` RGB with the longest side at most ``SIDE``."""
    if image.mode != "RGB":
        image = image.convert("RGB")
    width, height = image.size
    scale = SIDE / max(width, height)
    if scale < 1:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.asarray(image, dtype=np.float64)


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIE Lab (D65) of sRGB values in 0..255: white → (100, 0, 0)."""
    c = rgb / 255.0
    linear = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    xyz = linear @ _RGB_TO_XYZ.T
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])],
        axis=-1,
    )


# sRGB → XYZ, each row divided by the D65 white so that white maps to (1, 1, 1).
_RGB_TO_XYZ = np.array(
    [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
) / np.array([[0.9505], [1.0], [1.089]])


def backdrop(rgb: np.ndarray) -> np.ndarray | None:
    """The backdrop's colour at every pixel, ``(h, w, 3)``, or None if the photo has none.

    The backdrop is a plane (a colour with a linear gradient) fitted to the border; a
    photo has one where at least ``BACKDROP_BORDER_SHARE`` of its border lies within
    ``BACKDROP_TOLERANCE`` levels of that plane.
    """
    height, width, _ = rgb.shape
    ys, xs = np.mgrid[:height, :width]
    design = np.stack([np.ones(ys.size), xs.ravel() / width - 0.5, ys.ravel() / height - 0.5], 1)
    on_border = np.zeros((height, width), dtype=bool)
    on_border[[0, -1], :] = True
    on_border[:, [0, -1]] = True
    border, border_design = rgb[on_border], design[on_border.ravel()]
    # A robust fit: start from the colour most of the border has, then refine on the
    # pixels near it, so that a model's legs cut by the frame do not tilt the plane.
    plane = np.zeros((3, 3))
    plane[0] = np.median(border, axis=0)
    for _ in range(2):
        inliers = np.abs(border - border_design @ plane).max(axis=1) <= 4 * BACKDROP_TOLERANCE
        if inliers.sum() >= 3:
            plane = np.linalg.lstsq(border_design[inliers], border[inliers], rcond=None)[0]
    residual = np.abs(border - border_design @ plane).max(axis=1)
    if (residual <= BACKDROP_TOLERANCE).mean() < BACKDROP_BORDER_SHARE:
        return None
    return (design @ plane).reshape(height, width, 3)


def foreground(rgb: np.ndarray, plane: np.ndarray | None) -> tuple[np.ndarray, Box]:
    """Pixel weights (0 on the backdrop) and the product's box ``(top, bottom, left, right)``.

    With a backdrop, weight 1 on every pixel away from it; without one (or if nothing
    stands out from it) a centred Gaussian over the whole photo.
    """
    height, width, _ = rgb.shape
    mask = np.ones((height, width), dtype=bool)
    if plane is not None:
        mask = np.abs(rgb - plane).max(axis=2) > BACKDROP_DISTANCE
    if mask.sum() < max(4, 0.005 * mask.size):
        mask = np.ones_like(mask)  # an empty photo, or one that is all backdrop
    weights = mask.astype(np.float64)
    if mask.all():
        dy = (np.arange(height) - (height - 1) / 2) / height
        dx = (np.arange(width) - (width - 1) / 2) / width
        weights = np.exp(-(dy[:, None] ** 2 + dx[None, :] ** 2) / (2 * CENTRE_SIGMA**2))
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return weights, (int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1)


def white_balance(rgb: np.ndarray, plane: np.ndarray) -> np.ndarray:
    """``rgb`` with each channel scaled so that the backdrop becomes white (gain ≤ ``MAX_GAIN``).

    A packshot on pure white is unchanged; a phone photo of it under warm light or
    underexposed gets its colours back, as the backdrop tells what white looked like.
    """
    gain = np.clip(255.0 / np.maximum(plane, 1.0), 1.0, MAX_GAIN)
    return np.minimum(rgb * gain, 255.0)


def lab_bins(lab: np.ndarray, bins: tuple[int, int, int]) -> np.ndarray:
    """Flat bin index per pixel of a regular L×a×b grid (a, b clipped to ±``AB_RANGE``)."""
    scale = np.array(bins) / np.array([100.0, 2 * AB_RANGE, 2 * AB_RANGE])
    cells = (lab + np.array([0.0, AB_RANGE, AB_RANGE])) * scale
    cells = np.clip(cells.astype(np.int64), 0, np.array(bins) - 1)
    return (cells[..., 0] * bins[1] + cells[..., 1]) * bins[2] + cells[..., 2]


def colour_histogram(
    lab: np.ndarray, weights: np.ndarray, bins: tuple[int, int, int]
) -> np.ndarray:
    """Weighted pixel counts over a Lab grid, ``prod(bins)`` long."""
    return np.bincount(lab_bins(lab, bins).ravel(), weights.ravel(), int(np.prod(bins)))


def row_histograms(lab: np.ndarray, weights: np.ndarray, box: Box) -> list[np.ndarray]:
    """Colour histograms (``ROW_BINS``) of ``ROWS`` horizontal bands of the box, top first."""
    top, bottom, left, right = box
    edges = np.linspace(top, bottom, ROWS + 1).astype(int)
    return [
        colour_histogram(lab[a:b, left:right], weights[a:b, left:right], ROW_BINS)
        for a, b in itertools.pairwise(edges)
    ]


def edge_histogram(lightness: np.ndarray, weights: np.ndarray, box: Box) -> np.ndarray:
    """Unit-length, mirror-symmetric orientation histograms on an ``EDGE_GRID`` over the box.

    Each cell is square-rooted and scaled so the whole block has length 1 (if any edge).
    """
    gx, gy = np.zeros_like(lightness), np.zeros_like(lightness)
    gx[:, 1:-1] = lightness[:, 2:] - lightness[:, :-2]
    gy[1:-1] = lightness[2:] - lightness[:-2]
    top, bottom, left, right = box
    magnitude = (np.hypot(gx, gy) * weights)[top:bottom, left:right]
    angle = np.mod(np.arctan2(gy, gx), np.pi)[top:bottom, left:right]
    orientation = np.minimum((angle / np.pi * ORIENTATIONS).astype(int), ORIENTATIONS - 1)
    grid_rows, grid_cols = EDGE_GRID
    height, width = magnitude.shape
    cell = (np.arange(height) * grid_rows // height)[:, None] * grid_cols + (
        np.arange(width) * grid_cols // width
    )[None, :]
    counts = np.bincount(
        (cell * ORIENTATIONS + orientation).ravel(),
        magnitude.ravel(),
        grid_rows * grid_cols * ORIENTATIONS,
    ).reshape(grid_rows, grid_cols, ORIENTATIONS)
    # The mirror image swaps the columns and turns an angle θ into π − θ.
    counts = counts + counts[:, ::-1, ::-1]
    totals = counts.sum(axis=2, keepdims=True)
    cells = np.sqrt(counts / np.maximum(totals, 1e-12))
    return cells.ravel() / np.sqrt(grid_rows * grid_cols)


def power_normalise(
    histogram: np.ndarray, *, alpha: float = ALPHA, floor: float = FLOOR
) -> np.ndarray:
    """Unit vector of (share ≥ ``floor``) ** ``alpha``: [3, 1, 0] → [0.83, 0.56, 0]; 0 → 0."""
    total = histogram.sum()
    if total <= 0:
        return np.zeros_like(histogram, dtype=np.float64)
    share = histogram / total
    kept = share >= floor
    if not kept.any():  # colours spread thinly everywhere (noise): keep them all
        kept = share > 0
    vector = np.where(kept, share, 0.0) ** alpha
    return vector / np.linalg.norm(vector)


def feature_hash(vector: np.ndarray, salt: int) -> np.ndarray:
    """``vector`` folded into ``DIM`` dimensions with fixed random signs (inner products kept)."""
    slots, signs = _hash_table(len(vector), salt)
    return np.bincount(slots, vector * signs, DIM)


@cache
def _hash_table(length: int, salt: int) -> tuple[np.ndarray, np.ndarray]:
    # MurmurHash3's 32-bit finaliser: stable across platforms and numpy versions.
    mask = np.uint64(0xFFFFFFFF)
    h = (np.arange(length, dtype=np.uint64) + np.uint64(salt) * np.uint64(0x9E3779B9)) & mask
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & mask
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & mask
    h ^= h >> np.uint64(16)
    slots = (h % np.uint64(DIM)).astype(np.int64)
    signs = np.where(h >> np.uint64(31), -1.0, 1.0)
    return slots, signs
