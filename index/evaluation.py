"""Retrieval metrics and the dev-set runners that report them.

nDCG@k uses gain 2^grade − 1 and a log2 discount, with the ideal ranking taken
from every graded product of the query (as in BASELINES.md), so figures are
comparable with the baselines. Photo queries are in ``photo_eval.py``.
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


def evaluate_text(
    searcher: Searcher, queries: Sequence[Mapping[str, Any]], k: int = 10, mode: str = "hybrid"
) -> list[QueryScore]:
    """Score each labelled text query (``qid``, ``query``, ``relevant``, optional ``lang``).

    Recall@k and MRR count the products of the query's highest grade as the relevant
    ones; nDCG@k uses every grade.
    """
    out = []
    for item in queries:
        grades = {pid: float(g) for pid, g in item["relevant"].items()}
        top = {pid for pid, g in grades.items() if g == max(grades.values())}
        ranked = tuple(ranked_ids(searcher, item["query"], mode, k))
        lang = item.get("lang") or ("zh" if any(is_cjk(c) for c in item["query"]) else "en")
        out.append(
            QueryScore(
                item["qid"],
                lang,
                ndcg(ranked, grades, k),
                recall(ranked, top, k),
                reciprocal_rank(ranked, top),
                ranked,
            )
        )
    return out


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
