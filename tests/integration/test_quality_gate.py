"""The quality gate: search quality and the carried decision on every shop under data/.

Each catalog folder that ships labelled queries is measured with the same evaluation a
shop runs (``assistant eval search``), and the test fails below the floors set here,
just under the figures the search reaches today. A change that helps one shop and
hurts another then fails CI instead of passing on the demo alone. Raise a floor when
a change lifts a figure; never lower one to let a change through.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from index.evaluation import (
    carried_figures,
    evaluate_carried,
    evaluate_text,
    mean,
    read_jsonl,
)
from index.search import Searcher
from index.settings import DEMO_CATALOG

pytestmark = pytest.mark.slow

DATA = DEMO_CATALOG.parent
QUERY_FILES = ("queries.jsonl", "dev_queries.jsonl")


@dataclass(frozen=True)
class Floors:
    """The least a shop's figures may be (nDCG) and the most they may be (the rates)."""

    ndcg: float
    # carried queries the search answers with "we don't have that"
    refused_rate: float
    # not-carried queries the search answers as matches (issue 18 brings these down)
    answered_as_match_rate: float


# Measured with `python -m assistant eval search` on each folder (2026-12-07):
# nDCG@10 demo 0.942, eshop 0.677, orocommerce 0.773. Carried queries refused: none on
# demo and eshop, 2 of 20 on orocommerce (a "bookcase" where the catalog says
# "bookshelf"). Not-carried queries answered as matches: eshop 1 of 5 ("ski boots"),
# orocommerce 0 of 5.
GATE = {
    "demo": Floors(ndcg=0.93, refused_rate=0.0, answered_as_match_rate=0.0),
    "eshop": Floors(ndcg=0.66, refused_rate=0.0, answered_as_match_rate=0.2),
    "orocommerce": Floors(ndcg=0.76, refused_rate=0.1, answered_as_match_rate=0.0),
}


def _shops() -> dict[str, Path]:
    """Every catalog folder under data/ with a labelled query file, by folder name."""
    shops = {}
    for folder in sorted(p for p in DATA.iterdir() if (p / "catalog.jsonl").is_file()):
        found = [folder / name for name in QUERY_FILES if (folder / name).is_file()]
        if found:
            shops[folder.name] = found[0]
    return shops


def test_every_shop_with_queries_has_floors() -> None:
    """A catalog added to data/ with queries is gated too: it needs its floors here."""
    assert set(_shops()) == set(GATE)


@pytest.mark.parametrize("shop", sorted(GATE))
def test_search_quality_stays_above_the_floors(
    shop: str, shop_searchers: Callable[[str], Searcher]
) -> None:
    queries = read_jsonl(_shops()[shop])
    floors = GATE[shop]
    scores = evaluate_text(shop_searchers(shop), queries)
    assert scores, f"{shop}: no graded query"
    assert mean([s.ndcg for s in scores]) >= floors.ndcg
    decided = carried_figures(evaluate_carried(shop_searchers(shop), queries))
    assert decided["refused_rate"] <= floors.refused_rate
    assert decided["answered_as_match_rate"] <= floors.answered_as_match_rate


@pytest.mark.parametrize(
    "shop",
    [
        "demo",
        pytest.param(
            "eshop",
            marks=pytest.mark.xfail(strict=True, reason="issue 18: hybrid below e5 alone here"),
        ),
        pytest.param(
            "orocommerce",
            marks=pytest.mark.xfail(strict=True, reason="issue 18: hybrid below e5 alone here"),
        ),
    ],
)
def test_hybrid_search_ranks_at_least_as_well_as_dense_e5_alone(
    shop: str, shop_searchers: Callable[[str], Searcher]
) -> None:
    """The app's search must not lose to the plain vector search it is built on.

    strict: once a shop passes, the xfail mark must go, so the gain is kept.
    """
    queries = read_jsonl(_shops()[shop])
    hybrid = mean([s.ndcg for s in evaluate_text(shop_searchers(shop), queries)])
    dense = mean([s.ndcg for s in evaluate_text(shop_searchers(shop), queries, mode="vector")])
    assert hybrid >= dense
