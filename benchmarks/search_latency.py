"""Warm search latency on the demo catalog: text and photo queries, p50 and p95.

The baseline in the same run is a bare e5 query embedding plus one FAISS search
(what any dense-only search pays at least), so the figures read as a ratio that
holds across machines. Run:

    .venv/bin/python -m benchmarks.search_latency [--repeat 5]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from index.evaluation import read_jsonl
from index.hashing import file_sha256
from index.search import Searcher
from index.settings import DEMO_CATALOG, Settings


def timed(run: Callable[[], object], repeat: int, items: int) -> np.ndarray:
    """Milliseconds per call, after one warm-up pass."""
    run()
    out = []
    for _ in range(repeat):
        for _ in range(items):
            start = time.perf_counter()
            run()
            out.append((time.perf_counter() - start) * 1000)
    return np.array(out)


def _verdict(searcher: Searcher, query: str) -> object:
    asked = searcher.reader.request(query)
    return searcher.kinds.carries(asked) if asked else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    searcher = Searcher(Settings(catalog=DEMO_CATALOG, allow_downloads=False))
    texts = [q["query"] for q in read_jsonl(DEMO_CATALOG / "dev_queries.jsonl")]
    photos = [
        DEMO_CATALOG / q["file"] for q in read_jsonl(DEMO_CATALOG / "dev_photo_queries.jsonl")
    ]
    hashes = [file_sha256(p) for p in photos]
    searcher.image_model()
    _verdict(searcher, "有睡袋吗")  # the Chinese dictionary loads once, before timing

    def cycle(items: list, call: Callable[[object, int], object]) -> Callable[[], object]:
        position = [0]

        def run() -> object:
            i = position[0] % len(items)
            position[0] += 1
            return call(items[i], i)

        return run

    rows = {
        "baseline: e5 embed + FAISS top-10": cycle(
            texts,
            lambda q, _: searcher.text_store.search(
                searcher.text_model.embed_texts([q], query=True), 10
            ),
        ),
        "text search (hybrid, constraints)": cycle(texts, lambda q, _: searcher.search(q)),
        # the part of the text search that decides "we don't carry that" (index/kinds.py)
        "  of which: head item + carried check": cycle(texts, lambda q, _: _verdict(searcher, q)),
        "photo search (visual fallback)": cycle(
            photos, lambda p, i: searcher.search(photo=p, exclude_sha256=hashes[i])
        ),
        "photo + words": cycle(photos, lambda p, _: searcher.search("in blue", photo=p)),
    }
    print(f"{'what':38} {'p50 ms':>8} {'p95 ms':>8}")
    baseline = None
    for name, run in rows.items():
        ms = timed(
            run,
            args.repeat,
            len(photos) if name.startswith("photo") else len(texts),
        )
        p50, p95 = np.percentile(ms, 50), np.percentile(ms, 95)
        baseline = baseline or p50
        print(f"{name:38} {p50:8.1f} {p95:8.1f}   ({p50 / baseline:.1f}× baseline p50)")


if __name__ == "__main__":
    main()
