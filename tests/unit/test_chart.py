"""The README's chart is drawn from the benchmarks' JSON files."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from benchmarks.chart import main


def test_the_chart_is_drawn_from_benchmark_json(tmp_path: Path) -> None:
    scale = [
        {"size": n, "name": name, "build_s": 1.0, "index_bytes": n * 1536,
         "p50_ms": ms / 2, "p95_ms": ms, "recall": 1.0}
        for n, factor in ((10_000, 1), (100_000, 10))
        for name, ms in (("exact flat", 0.2 * factor), ("hnsw32 ef128", 0.1), ("ivf400 np32", 0.05))
    ]  # fmt: skip
    modes = {
        mode: {lang: {"ndcg@10": value} for lang in ("all", "en", "zh")}
        for mode, value in (("keyword", 0.8), ("vector", 0.6), ("hybrid", 0.9))
    }
    (tmp_path / "scale.json").write_text(json.dumps(scale))
    (tmp_path / "search.json").write_text(json.dumps({"queries": 3, "modes": modes}))
    out = tmp_path / "chart.png"
    argv = ["--scale", str(tmp_path / "scale.json"), "--search", str(tmp_path / "search.json")]
    argv += ["--baseline", str(tmp_path / "absent.json"), "--out", str(out)]
    assert main(argv) == 0
    with Image.open(out) as image:
        assert image.format == "PNG" and image.width > 800
