"""Print retrieval quality on the demo dev sets: nDCG@10 (all/en/zh) and photo R@1/R@5/MRR.

Run: .venv/bin/python -m benchmarks.dev_quality [--catalog data/demo] [--verbose]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from index.evaluation import evaluate_photos, evaluate_text, mean, read_jsonl
from index.search import Searcher
from index.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--catalog", type=Path, default=Path("data/demo"))
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    searcher = Searcher(Settings(catalog=args.catalog, allow_downloads=False))
    scores = evaluate_text(searcher, read_jsonl(args.catalog / "dev_queries.jsonl"))
    for lang in ("all", "en", "zh"):
        chosen = [s for s in scores if lang in ("all", s.lang)]
        print(f"text {lang:3} n={len(chosen):2}  nDCG@10 {mean([s.ndcg for s in chosen]):.3f}")
    if args.verbose:
        for s in scores:
            print(f"  {s.qid} {s.lang} {s.ndcg:.3f} {' '.join(s.ranked[:6])}")
    photos = evaluate_photos(
        searcher, read_jsonl(args.catalog / "dev_photo_queries.jsonl"), args.catalog
    )
    print(
        f"photo n={len(photos)}  R@1 {mean([p.ndcg for p in photos]):.3f}  "
        f"R@5 {mean([p.recall for p in photos]):.3f}  MRR {mean([p.mrr for p in photos]):.3f}"
    )


if __name__ == "__main__":
    main()
