"""Retrieval metrics and the dev-set runners that report them.

nDCG@k uses gain 2^grade − 1 and a log2 discount, with the ideal ranking taken
from every graded product of the query (as in BASELINES.md), so figures are
comparable with the baselines. Photo queries are in ``photo_eval.py``.

A labelled query for something the shop does not sell has no product to rank: it
is scored by whether the search answers it as a match (``evaluate_carried``), never
by nDCG, where it would count as a ranking failure whatever the search did.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .search import Searcher
from .text import is_cjk


def ndcg(ranked: Sequence[str], grades: Mapping[str, float], k: int = 10) -> float:
    """nDCG@k of a ranked id list against graded relevance."""
    gains = sorted((2**g - 1 for g in grades.values() if g > 0), reverse=True)[:k]
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    if ideal == 0:
        return 0.0
    actual = sum(
        (2 ** grades.get(pid, 0) - 1) / math.log2(i + 2) for i, pid in enumerate(ranked[:k])
    )
    return actual / ideal


def recall(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Share of the relevant ids found in the first k."""
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: set[str]) -> float:
    for position, pid in enumerate(ranked, start=1):
        if pid in relevant:
            return 1.0 / position
    return 0.0


@dataclass(frozen=True, slots=True)
class QueryScore:
    qid: str
    lang: str
    ndcg: float
    recall: float
    mrr: float
    ranked: tuple[str, ...]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


MODES = ("keyword", "vector", "hybrid")


def ranked_ids(searcher: Searcher, query: str, mode: str = "hybrid", k: int = 10) -> list[str]:
    """The top-k product ids for a query by one retrieval mode.

    ``keyword``: BM25 over the parsed keywords alone; ``vector``: e5 similarity to the
    whole query alone; ``hybrid``: the full search (constraints, facets, both signals).
    The first two are the ablations: no filters, no query understanding.
    """
    if mode == "hybrid":
        return [hit.product.id for hit in searcher.search(query, k=k).hits]
    if mode == "keyword":
        scores = searcher.keywords.scores(searcher.parse(query).keywords)
        order = [int(i) for i in np.argsort(-scores, kind="stable")[:k] if scores[i] > 0]
    elif mode == "vector":
        vector = searcher.text_model.embed_texts([query], query=True)[0]
        _, found = searcher.text_store.search(vector, k)
        order = [int(i) for i in found[0] if i >= 0]
    else:
        raise ValueError(f"unknown retrieval mode {mode!r}: choose from {', '.join(MODES)}")
    return [searcher.products[i].id for i in order]


def is_carried(item: Mapping[str, Any]) -> bool:
    """Whether the shop sells what a labelled query asks for: its ``carried`` label,
    or else whether any product is graded relevant to it."""
    return bool(item["carried"]) if "carried" in item else is_graded(item)


def is_graded(item: Mapping[str, Any]) -> bool:
    """Whether a labelled query has products to rank (and so an nDCG)."""
    return any(float(g) > 0 for g in item.get("relevant", {}).values())


def query_lang(item: Mapping[str, Any]) -> str:
    """A labelled query's language: its ``lang``, or zh when it holds Chinese."""
    return str(item.get("lang") or ("zh" if any(is_cjk(c) for c in item["query"]) else "en"))


@dataclass(frozen=True, slots=True)
class CarriedScore:
    """One labelled query: whether the shop carries it, and whether the search said so.

    The search says "carried" unless it answered with alternatives because nothing
    met what was asked, or the catalog has no such kind (``SearchResult.carried``), as
    the assistant's reply does.
    """

    qid: str
    lang: str
    carried: bool
    said_carried: bool


def evaluate_carried(
    searcher: Searcher, queries: Sequence[Mapping[str, Any]]
) -> list[CarriedScore]:
    """The carried decision of the full search on each labelled query."""
    return [
        CarriedScore(
            item["qid"],
            query_lang(item),
            is_carried(item),
            searcher.search(item["query"]).carried,
        )
        for item in queries
    ]


def carried_figures(scores: Sequence[CarriedScore]) -> dict[str, float]:
    """Not-carried queries answered as matches, and carried ones refused: counts and shares."""
    absent = [s for s in scores if not s.carried]
    present = [s for s in scores if s.carried]
    matched = sum(s.said_carried for s in absent)
    refused = sum(not s.said_carried for s in present)
    return {
        "not_carried": len(absent),
        "answered_as_match": matched,
        "answered_as_match_rate": matched / len(absent) if absent else 0.0,
        "carried": len(present),
        "refused": refused,
        "refused_rate": refused / len(present) if present else 0.0,
    }


def evaluate_text(
    searcher: Searcher, queries: Sequence[Mapping[str, Any]], k: int = 10, mode: str = "hybrid"
) -> list[QueryScore]:
    """Score each graded text query (``qid``, ``query``, ``relevant``, optional ``lang``).

    Recall@k and MRR count the products of the query's highest grade as the relevant
    ones; nDCG@k uses every grade. Queries with no product graded above 0 (for
    things the shop does not sell) are left out: ``evaluate_carried`` scores them.
    """
    out = []
    for item in filter(is_graded, queries):
        grades = {pid: float(g) for pid, g in item["relevant"].items()}
        top = {pid for pid, g in grades.items() if g == max(grades.values())}
        ranked = tuple(ranked_ids(searcher, item["query"], mode, k))
        out.append(
            QueryScore(
                item["qid"],
                query_lang(item),
                ndcg(ranked, grades, k),
                recall(ranked, top, k),
                reciprocal_rank(ranked, top),
                ranked,
            )
        )
    return out


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
