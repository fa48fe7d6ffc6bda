"""Photo perturbations and the photo metrics."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from index.photo_eval import PERTURBATIONS, PhotoScore, photo_metrics


@pytest.fixture
def packshot() -> Image.Image:
    image = Image.new("RGB", (200, 240), "white")
    image.paste((30, 60, 200), (50, 40, 150, 200))
    return image


@pytest.mark.parametrize("name", [n for n, f in PERTURBATIONS.items() if f is not None])
def test_each_perturbation_changes_the_photo_and_is_repeatable(
    packshot: Image.Image, name: str
) -> None:
    perturb = PERTURBATIONS[name]
    assert perturb is not None
    once, twice = perturb(packshot), perturb(packshot)
    assert once.mode == "RGB" and min(once.size) >= 100
    assert np.array_equal(np.asarray(once), np.asarray(twice))
    same_size = once.size == packshot.size
    assert not same_size or not np.array_equal(np.asarray(once), np.asarray(packshot))


def test_the_busy_background_leaves_little_white(packshot: Image.Image) -> None:
    busy = np.asarray(PERTURBATIONS["background"](packshot))  # type: ignore[misc]
    white = (busy > 240).all(axis=2).mean()
    assert white < 0.5 < (np.asarray(packshot) > 240).all(axis=2).mean()


def test_photo_metrics_by_product_and_by_colour() -> None:
    scores = [
        PhotoScore("a", "as taken", 1, 1, True, ()),
        PhotoScore("b", "as taken", 2, None, True, ()),
        PhotoScore("c", "as taken", None, None, False, ()),
        PhotoScore("d", "as taken", 7, 7, True, ()),
    ]
    by_product = photo_metrics(scores)
    assert by_product == {"recall@1": 0.25, "recall@5": 0.5, "mrr": (1 + 1 / 2 + 1 / 7) / 4, "n": 4}
    by_colour = photo_metrics(scores, by_color=True)  # "c" has no colour label
    assert by_colour["n"] == 3 and by_colour["recall@1"] == pytest.approx(1 / 3)
    assert by_colour["mrr"] == pytest.approx((1 + 1 / 7) / 3)
