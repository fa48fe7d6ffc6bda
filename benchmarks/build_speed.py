"""Index build throughput against the bare models in the same run, plus memory.

A full build of the catalog into a fresh temporary folder is timed, then the same
work is done bare, in the build's batches: the text embedder on the texts the build
embeds (``embedding_text``), the image embedder the build uses (CLIP, or offline its
``visual`` fallback) on photos decoded beforehand, and the decoding (``open_photo``)
apart. The build's products/s and photos/s are printed as a share of the bare
models' rates; the two shares add up to the part of the build's time that the models
account for. Then a rebuild with nothing changed into the same folder (every vector
reused), which does all the build's other work (hashing, FAISS, postings, writing,
fsync), once in this process and once as ``python -m index build`` in a new one; the
peak resident memory after the build; the index's size on disk.

Compromises: the models are loaded and warmed up on one item before the build, so the
build and the bare steps both run warm, and their load times are printed apart (a new
process pays them on every build, rebuild included). Each figure is one pass on a
machine that may be busy, so the load average is printed at the start and the end, and
what the parts leave unexplained of the build's time is printed as noise. CPU time is
no steadier here: e5's OpenMP threads spin while they wait. Memory is read on Linux
(``ru_maxrss`` in kB, /proc/self/status), in MB of 2**20 bytes as in
``benchmarks.ui_latency``. Run:

    .venv/bin/python -m benchmarks.build_speed [--catalog PATH] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from index.build import BuildReport, build_index
from index.catalog import load_catalog
from index.embedders.base import ImageEmbedder, TextEmbedder, image_embedder, text_embedder
from index.photos import open_photo
from index.query import Lexicon
from index.settings import DEMO_CATALOG, Settings
from index.text import Tokenizer, embedding_text

T = TypeVar("T")


@contextmanager
def adding_to(seconds: dict[str, float], key: str) -> Iterator[None]:
    """Adds the block's wall time to ``seconds[key]``, so that laps of one step add up."""
    start = time.perf_counter()
    yield
    seconds[key] = seconds.get(key, 0.0) + time.perf_counter() - start


def batched(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Slices of ``size`` in order, as the build batches: batched("abcde", 2) → ab, cd, e."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def bare_steps(
    texts: Sequence[str],
    photos: Sequence[Path],
    text_model: TextEmbedder,
    image_model: ImageEmbedder,
    batch_size: int,
) -> dict[str, float]:
    """Seconds of text embedding, photo decoding and photo embedding, without the build."""
    seconds: dict[str, float] = {}
    for batch in batched(texts, batch_size):
        with adding_to(seconds, "text"):
            text_model.embed_texts(batch, query=False)
    for paths in batched(photos, batch_size):  # decoded per batch: memory as in the build
        with adding_to(seconds, "decode"):
            images = [open_photo(path) for path in paths]
        with adding_to(seconds, "image"):
            image_model.embed_images(images)
    return seconds


def memory_mb() -> dict[str, float]:
    """Peak RSS from getrusage, VmHWM and VmRSS from /proc/self/status (0 where absent)."""
    out = {"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    try:
        lines = Path("/proc/self/status").read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    for key in ("VmHWM", "VmRSS"):
        out[f"{key.lower()}_mb"] = int(fields.get(key, "0 kB").split()[0]) / 1024
    return out


def folder_mb(folder: Path) -> float:
    """Bytes of every file under ``folder``, in MB."""
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def measure(catalog_path: Path) -> dict[str, Any]:
    """Every figure, as the JSON object that ``--json`` writes."""
    load_average = os.getloadavg()[0]
    setup: dict[str, float] = {}
    timed: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="build-speed-") as tmp:
        index_dir = Path(tmp) / "index"
        settings = Settings(catalog=catalog_path, index_dir=index_dir, allow_downloads=False)
        with adding_to(setup, "catalog and lexicon"):
            catalog = load_catalog(settings.catalog, csv_mapping=settings.csv_mapping)
            tokenizer = Tokenizer(Lexicon.words(Lexicon.read()))
        with adding_to(setup, "text model"):
            text_model = text_embedder(settings)
        with adding_to(setup, "image model"):  # as the build picks it: CLIP, else the fallback
            image_model, notice = image_embedder(settings)
        texts = [embedding_text(p) for p in catalog.products]
        photos = [image.path for p in catalog.products for image in p.images]
        text_model.embed_texts(texts[:1], query=False)
        image_model.embed_images([open_photo(path) for path in photos[:1]])
        loaded = memory_mb()

        def build() -> BuildReport:
            return build_index(
                catalog,
                settings,
                tokenizer=tokenizer,
                text_model=text_model,
                image_model=image_model,
                progress=False,
            )

        with adding_to(timed, "build"):
            report = build()
        memory = memory_mb()
        index_mb = folder_mb(index_dir)
        steps = bare_steps(texts, photos, text_model, image_model, settings.batch_size)
        with adding_to(timed, "rebuild"):
            rebuild = build()
        command = [sys.executable, "-m", "index", "build", "--offline"]
        command += ["--catalog", str(settings.catalog), "--index", str(index_dir)]
        with adding_to(timed, "cli rebuild"):
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"{' '.join(command)} failed: {done.stderr.strip()}")

    products, images = report.products, report.images
    raw_texts, raw_photos = products / steps["text"], images / steps["image"]
    return {
        "catalog": str(settings.catalog),
        "products": products,
        "images": images,
        "text_embedder": text_model.info.describe(),
        "image_embedder": image_model.info.describe(),
        "image_notice": notice,
        "batch_size": settings.batch_size,
        "cpus": os.cpu_count(),
        "load_average": [load_average, os.getloadavg()[0]],
        "setup_s": setup,
        "build_s": timed["build"],
        "build_products_per_s": products / timed["build"],
        "build_images_per_s": images / timed["build"],
        "raw_texts_per_s": raw_texts,
        "raw_photos_per_s": raw_photos,
        "raw_decode_per_s": images / steps["decode"],
        "build_vs_raw_texts": products / timed["build"] / raw_texts,
        "build_vs_raw_photos": images / timed["build"] / raw_photos,
        "bare_s": steps,
        "rebuild_s": timed["rebuild"],
        "rebuild_encoded": rebuild.text_encoded + rebuild.images_encoded,
        "cli_rebuild_s": timed["cli rebuild"],
        "peak_rss_mb_models_loaded": loaded["peak_rss_mb"],
        **memory,
        "index_mb": index_mb,
    }


def show(f: dict[str, Any]) -> None:
    """The figures as a short table and a few sentences."""
    print(
        f"catalog {f['catalog']} ({f['products']} products, {f['images']} photos); "
        f"batch {f['batch_size']}; {f['cpus']} CPUs; load average "
        + " → ".join(f"{x:.2f}" for x in f["load_average"])
    )
    if f["image_notice"]:
        print(f"note: {f['image_notice']}")
    print(f"models: text {f['text_embedder']}, photos {f['image_embedder']}")
    setup = ", ".join(f"{k} {s:.2f} s" for k, s in f["setup_s"].items())
    print(f"loading, outside the timings below: {setup}")
    bare, n = f["bare_s"], {"text": f["products"], "decode": f["images"], "image": f["images"]}
    rows = [
        (f"bare text embed: {f['text_embedder'].split(' (')[0]}", n["text"], bare["text"]),
        ("bare photo decode: open_photo", n["decode"], bare["decode"]),
        (f"bare photo embed: {f['image_embedder'].split(' (')[0]}", n["image"], bare["image"]),
    ]
    print(f"\n{'what':36} {'items':>6} {'s':>7} {'per s':>8}")
    for name, items, seconds in rows:
        print(f"{name:36} {items:>6} {seconds:>7.2f} {items / seconds:>8.1f}")
    print(f"\n{'build':36} {'s':>7} {'products/s':>11} {'photos/s':>9}")
    print(
        f"{'full build, fresh folder':36} {f['build_s']:>7.2f} "
        f"{f['build_products_per_s']:>11.1f} {f['build_images_per_s']:>9.1f}"
    )
    print(
        f"{'  as a share of the bare model rate':44} "
        f"{f['build_vs_raw_texts']:>11.0%} {f['build_vs_raw_photos']:>9.0%}"
    )
    print(
        f"{'rebuild, nothing changed':36} {f['rebuild_s']:>7.2f}   ({f['rebuild_encoded']} encoded)"
    )
    print(f"{'same, python -m index build':36} {f['cli_rebuild_s']:>7.2f}   (a new process)")
    parts = sum(bare.values()) + f["rebuild_s"]
    print(
        f"\nthe build's {f['build_s']:.1f} s: text embedding {bare['text']:.1f}, photo decoding "
        f"{bare['decode']:.1f}, photo embedding {bare['image']:.1f}, all the rest (a rebuild's "
        f"work) {f['rebuild_s']:.2f}; noise between the passes {f['build_s'] - parts:+.1f} s"
    )
    print(
        f"memory: peak RSS {f['peak_rss_mb']:.0f} MB after the build "
        f"({f['peak_rss_mb_models_loaded']:.0f} MB with the models loaded, before it); "
        f"VmHWM {f['vmhwm_mb']:.0f} MB, VmRSS {f['vmrss_mb']:.0f} MB; "
        f"index on disk {f['index_mb']:.1f} MB"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--catalog", type=Path, default=DEMO_CATALOG, help="default: the demo")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # the fallback notice is printed once, below
    figures = measure(args.catalog)
    show(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
