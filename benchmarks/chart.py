"""Draw docs/performance.png from the benchmarks' JSON: latency vs size, quality by mode.

Left: single-query p95 latency against the number of vectors for exact search, HNSW
and IVF (from ``benchmarks.vector_scale --json``). Right: nDCG@10 of keyword-only,
vector-only and hybrid retrieval per language (from ``assistant eval search --json``),
with the naive LangChain pipeline beside them when ``benchmarks.langchain_baseline
--json`` has been run. Every figure is drawn from a file a command wrote, never typed.

    .venv/bin/python -m benchmarks.vector_scale --json artifacts/bench/vector_scale.json
    .venv/bin/python -m assistant eval search --queries data/demo/dev_queries.jsonl \\
        --json > artifacts/bench/eval_search.json
    .venv/bin/python -m benchmarks.langchain_baseline --json artifacts/bench/langchain.json
    .venv/bin/python -m benchmarks.chart
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from index.settings import PROJECT_ROOT

BENCH = PROJECT_ROOT / "artifacts" / "bench"
LANGS = ("all", "en", "zh")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=Path, default=BENCH / "vector_scale.json")
    parser.add_argument("--search", type=Path, default=BENCH / "eval_search.json")
    parser.add_argument("--baseline", type=Path, default=BENCH / "langchain.json")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "performance.png")
    args = parser.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    _latency(left, json.loads(args.scale.read_text(encoding="utf-8")))
    baseline = None
    if args.baseline.exists():
        baseline = json.loads(args.baseline.read_text(encoding="utf-8"))
    _quality(right, json.loads(args.search.read_text(encoding="utf-8")), baseline)
    figure.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")
    return 0


def _latency(axes: Any, rows: list[dict[str, Any]]) -> None:
    """p95 ms against size, one line per index kind (HNSW at ef128, IVF at its middle nprobe)."""
    kinds: dict[str, list[tuple[int, float]]] = {}
    for row in rows:
        name = row["name"]
        label = (
            "exact (flat)" if name.startswith("exact")
            else "HNSW32, efSearch 128" if name.startswith("hnsw") and name.endswith("ef128")
            else f"IVF, {name.split()[-1].replace('np', 'nprobe ')}" if name.startswith("ivf")
            else None
        )  # fmt: skip
        if label:
            kinds.setdefault(label, []).append((row["size"], row["p95_ms"]))
    for label, points in sorted(kinds.items()):
        points.sort()
        axes.plot(*zip(*points, strict=True), marker="o", label=label)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("product vectors")
    axes.set_ylabel("single-query p95 latency, ms")
    axes.set_title("Vector search latency vs catalog size")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=7)


def _quality(axes: Any, search: dict[str, Any], baseline: dict[str, Any] | None) -> None:
    """Grouped bars: nDCG@10 per language for each retrieval mode (and the baseline)."""
    series = {
        f"{mode} (ours)" if mode == "hybrid" else f"{mode} only": [
            search["modes"][mode][lang]["ndcg@10"] for lang in LANGS
        ]
        for mode in ("keyword", "vector", "hybrid")
    }
    if baseline:
        series["LangChain FAISS + MiniLM"] = [
            baseline.get(f"baseline_ndcg@10_{lang}", baseline.get("baseline_ndcg@10", 0.0))
            for lang in LANGS
        ]
    width = 0.8 / len(series)
    for i, (label, values) in enumerate(series.items()):
        xs = [x + i * width for x in range(len(LANGS))]
        bars = axes.bar(xs, values, width, label=label)
        axes.bar_label(bars, fmt="%.2f", fontsize=6)
    axes.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(LANGS))], LANGS)
    axes.set_ylim(0, 1.3)
    axes.set_ylabel("nDCG@10 (dev queries)")
    axes.set_title(f"Search quality by retrieval mode ({search['queries']} queries)")
    axes.legend(fontsize=7, loc="upper center", ncol=2)


if __name__ == "__main__":
    raise SystemExit(main())
