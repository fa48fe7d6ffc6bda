"""Retrieval metrics and the dev-set runners that report them.

nDCG@k uses gain 2^grade − 1 and a log2 discount, with the ideal ranking taken
from every graded product of the query (as in BASELINES.md), so figures are
comparable with the baselines. Photo queries are evaluated leave-one-out: the
query photo's own bytes are excluded from the results by content hash.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .hashing import file_sha256
from .search import Searcher


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


def evaluate_text(
    searcher: Searcher, queries: Sequence[Mapping[str, Any]], k: int = 10
) -> list[QueryScore]:
    """Score each labelled text query (``qid``, ``query``, ``relevant``, optional ``lang``)."""
    out = []
    for item in queries:
        grades = {pid: float(g) for pid, g in item["relevant"].items()}
        top = {pid for pid, g in grades.items() if g == max(grades.values())}
        result = searcher.search(item["query"], k=k)
        ranked = tuple(hit.product.id for hit in result.hits)
        lang = item.get("lang") or (result.query.lang if result.query else "en")
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


def evaluate_photos(
    searcher: Searcher, queries: Sequence[Mapping[str, Any]], base: Path, k: int = 5
) -> list[QueryScore]:
    """Leave-one-out photo queries (``qid``, ``file``, ``product_id``) → product ranks."""
    out = []
    for item in queries:
        path = base / item["file"]
        if not path.exists():
            path = searcher.catalog.root / item["file"]
        result = searcher.search(photo=path, k=max(k, 10), exclude_sha256=file_sha256(path))
        ranked = tuple(hit.product.id for hit in result.hits)
        wanted = {item["product_id"]}
        out.append(
            QueryScore(
                item["qid"],
                "photo",
                float(ranked[:1] == (item["product_id"],)),
                recall(ranked, wanted, k),
                reciprocal_rank(ranked, wanted),
                ranked,
            )
        )
    return out


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
