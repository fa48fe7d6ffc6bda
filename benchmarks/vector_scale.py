"""Where should the approximate vector index take over from exact search?

For each catalog size (10k, 100k, 1M vectors) this builds exact ``IndexFlatIP``,
``HNSW32`` (efConstruction 80, as ``index/vectors.py`` builds it) and ``IVFFlat``
(nlist ~ 4*sqrt(N), trained on a sample) and prints build time, index size
(``faiss.serialize_index``), single-query latency p50/p95 and recall@10 against
exact search, then recommends ``exact_search_max``: the smallest measured size at
which HNSW at efSearch 128 is at least 3x faster than exact at p95 with
recall@10 >= 0.95.

Compromises, so that the numbers mean something:

- Vectors are not uniform random (which makes every ANN index look bad and exact
  search look typical). They are the demo catalog's real e5 product vectors, taken
  from the live index generation or embedded here if there is no index, and each
  synthetic vector mixes two or three of them with random weights plus a little
  Gaussian noise, re-normalised: the cluster structure of real products survives.
- Queries are the 40 real dev queries embedded with e5's query prefix plus
  perturbed catalog vectors, 200 in all.
- Latency is one query at a time on one FAISS thread, as the app searches; every
  query is timed ``--repeats`` times after a warm-up, and p50/p95 are taken over
  the queries' median times (the load average is printed: other work skews it).
  Builds may use ``--build-threads`` (default 2) to keep the 1M HNSW build short.
- Recall@10 is tolerant of ties, as ``faiss.contrib.evaluation`` is: a returned
  row counts if its exact score is >= the 10th exact score - 1e-6.
- Index size is the index alone; ``FaissStore`` also keeps the raw float32 matrix
  (N * d * 4 bytes) for filtered scoring, whichever index it uses.

Run: .venv/bin/python -m benchmarks.vector_scale [--quick] [--max-size N] [--sizes 10000,100000]
``--quick`` (10k and 100k) takes about 1.5 minutes on two cores, most of it embedding
the 181 products when there is no index; the full run about 15 minutes, of which the
1M HNSW build is about 7 (``--exact-only-above 100000`` skips the 1M approximate
indexes). ``--noise`` (default 0.1) sets how far synthetic vectors stray from the
catalog's span: 0.2 makes recall a little harder.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from index import layout
from index.catalog import load_catalog
from index.embedders.e5 import E5Embedder
from index.settings import DEMO_CATALOG, Settings
from index.text import product_text
from index.vectors import HNSW_EF_CONSTRUCTION, HNSW_M, store_class

SIZES = (10_000, 100_000, 1_000_000)
K = 10
HNSW_EF = (64, 128, 256)
IVF_NPROBE = (8, 16, 32)
SPEEDUP_NEEDED = 3.0
RECALL_NEEDED = 0.95


@dataclass
class Row:
    size: int
    name: str
    build_s: float
    index_bytes: int
    p50_ms: float
    p95_ms: float
    recall: float


def base_vectors(settings: Settings, embedder: E5Embedder) -> tuple[np.ndarray, str]:
    """The catalog's real product text vectors, and where they came from."""
    generation = layout.current(settings.resolved_index_dir())
    store = store_class(settings.vector_store)
    if generation is not None:
        with contextlib.suppress(OSError, ValueError):  # unreadable: embedded below
            vectors = store.stored_vectors(generation.folder, "text")
            return vectors.astype(np.float32), f"index {generation.folder.name}"
    catalog = load_catalog(DEMO_CATALOG)
    texts = [product_text(p) for p in catalog.products]
    print(f"no index: embedding {len(texts)} product texts with e5 ...", flush=True)
    vectors = embedder.embed_texts(texts, query=False)
    return vectors, f"embedded {len(texts)} products"


def real_queries(embedder: E5Embedder) -> np.ndarray:
    """The dev queries embedded as e5 queries: (40, d)."""
    lines = (DEMO_CATALOG / "dev_queries.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["query"] for line in lines if line.strip()]
    return embedder.embed_texts(texts, query=True)


def normalise(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def synthesise(base: np.ndarray, n: int, noise: float, seed: int) -> np.ndarray:
    """n unit vectors, each a random mix of 2-3 base rows plus noise (norm ~ ``noise``).

    >>> synthesise(np.eye(4, dtype=np.float32), 5, 0.01, 0).shape
    (5, 4)
    """
    rng = np.random.default_rng(seed)
    dim = base.shape[1]
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 100_000):  # chunks: the gather is 3x the chunk's size
        m = min(100_000, n - start)
        picks = rng.integers(0, len(base), size=(m, 3))
        weights = rng.random((m, 3), dtype=np.float32)
        weights[rng.random(m) < 0.5, 2] = 0.0  # half are pairs, half triples
        mixed = np.einsum("mk,mkd->md", weights, base[picks])
        mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
        mixed += rng.standard_normal((m, dim), dtype=np.float32) * (noise / math.sqrt(dim))
        out[start : start + m] = normalise(mixed)
    return out


def make_queries(base: np.ndarray, real: np.ndarray, total: int, seed: int) -> np.ndarray:
    """The real queries plus perturbed catalog vectors, ``total`` rows."""
    rng = np.random.default_rng(seed)
    extra = max(0, total - len(real))
    picked = base[rng.integers(0, len(base), size=extra)]
    noise = rng.standard_normal(picked.shape).astype(np.float32) * (0.3 / math.sqrt(base.shape[1]))
    return np.ascontiguousarray(np.vstack([real, normalise(picked + noise)]), dtype=np.float32)


def time_queries(
    search: Callable[[np.ndarray], np.ndarray], queries: np.ndarray, repeats: int
) -> tuple[np.ndarray, np.ndarray]:
    """(per-query median latency in ms, (nq, K) ids); one query per call.

    The median over repeats drops scheduler hiccups from other processes, so the
    p95 across queries reflects hard queries rather than a busy machine.
    """
    for q in queries[: min(20, len(queries))]:  # warm-up: caches, page faults
        search(q[None])
    ids = np.full((len(queries), K), -1, dtype=np.int64)
    times = np.empty((repeats, len(queries)))
    for run in range(repeats):
        for i, q in enumerate(queries):
            start = time.perf_counter_ns()
            found = search(q[None])
            times[run, i] = (time.perf_counter_ns() - start) / 1e6
            if run == 0:
                ids[i] = found[0]
    return np.median(times, axis=0), ids


def recall_at_k(
    ids: np.ndarray, vectors: np.ndarray, queries: np.ndarray, kth_exact: np.ndarray
) -> float:
    """Mean share of returned rows whose exact score reaches the k-th exact score (ties ok)."""
    hits = 0
    for q, row, threshold in zip(queries, ids, kth_exact, strict=True):
        row = row[row >= 0]
        hits += int(np.sum(vectors[row] @ q >= threshold - 1e-6))
    return hits / (K * len(queries))


def measure_size(
    n: int, vectors: np.ndarray, queries: np.ndarray, args: argparse.Namespace
) -> list[Row]:
    import faiss

    dim = vectors.shape[1]
    rows: list[Row] = []

    def build(make: Callable[[], object]) -> tuple[object, float, int]:
        faiss.omp_set_num_threads(args.build_threads)
        start = time.perf_counter()
        index = make()
        build_s = time.perf_counter() - start
        faiss.omp_set_num_threads(1)
        return index, build_s, int(faiss.serialize_index(index).nbytes)

    def report(name: str, index: object, build_s: float, size: int, kth: np.ndarray) -> Row:
        def search(q: np.ndarray) -> np.ndarray:
            return index.search(q, K)[1]  # type: ignore[attr-defined, no-any-return]

        times, ids = time_queries(search, queries, args.repeats)
        row = Row(
            n,
            name,
            build_s,
            size,
            float(np.percentile(times, 50)),
            float(np.percentile(times, 95)),
            recall_at_k(ids, vectors, queries, kth),
        )
        print_row(row)
        rows.append(row)
        return row

    def make_flat() -> object:
        index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        return index

    flat, build_s, size = build(make_flat)
    faiss.omp_set_num_threads(args.build_threads)
    exact_scores, _ = flat.search(queries, K)  # type: ignore[attr-defined]
    faiss.omp_set_num_threads(1)
    kth = exact_scores[:, K - 1]
    report("exact flat", flat, build_s, size, kth)
    del flat

    if n > args.exact_only_above:
        print(f"{n:>9,}  (approximate indexes skipped: --exact-only-above {args.exact_only_above})")
        return rows

    def make_hnsw() -> object:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.add(vectors)
        return index

    hnsw, build_s, size = build(make_hnsw)
    for ef in HNSW_EF:
        hnsw.hnsw.efSearch = ef  # type: ignore[attr-defined]
        report(f"hnsw{HNSW_M} ef{ef}", hnsw, build_s, size, kth)
    del hnsw

    nlist = max(16, round(4 * math.sqrt(n)))
    sample = vectors[np.random.default_rng(1).permutation(n)[: min(n, 50 * nlist)]]

    def make_ivf() -> object:
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.cp.min_points_per_centroid = 1  # 10k has < 39 points per list: fine here
        index.train(sample)
        index.add(vectors)
        return index

    ivf, build_s, size = build(make_ivf)
    for nprobe in IVF_NPROBE:
        ivf.nprobe = nprobe  # type: ignore[attr-defined]
        report(f"ivf{nlist} np{nprobe}", ivf, build_s, size, kth)
    del ivf
    return rows


HEADER = (
    f"{'N':>9}  {'index':<16} {'build s':>8} {'size MB':>8} {'p50 ms':>8} {'p95 ms':>8} {'R@10':>6}"
)


def print_row(row: Row) -> None:
    print(
        f"{row.size:>9,}  {row.name:<16} {row.build_s:>8.2f} {row.index_bytes / 1e6:>8.1f} "
        f"{row.p50_ms:>8.3f} {row.p95_ms:>8.3f} {row.recall:>6.3f}",
        flush=True,
    )


def recommend(rows: list[Row]) -> list[str]:
    """A summary line per size (exact vs HNSW ef128), then the recommendation line."""
    lines = []
    chosen = None
    for n in sorted({r.size for r in rows}):
        exact = next(r for r in rows if r.size == n and r.name == "exact flat")
        hnsw = next((r for r in rows if r.size == n and r.name == f"hnsw{HNSW_M} ef128"), None)
        if hnsw is None:
            lines.append(f"{n:>9,}: exact p95 {exact.p95_ms:.2f} ms; no HNSW measured")
            continue
        speedup = exact.p95_ms / hnsw.p95_ms
        ok = speedup >= SPEEDUP_NEEDED and hnsw.recall >= RECALL_NEEDED
        lines.append(
            f"{n:>9,}: exact p95 {exact.p95_ms:.2f} ms, hnsw ef128 p95 {hnsw.p95_ms:.2f} ms "
            f"= {speedup:.1f}x, R@10 {hnsw.recall:.3f} -> {'meets' if ok else 'fails'} the bar"
        )
        if ok and chosen is None:
            chosen = n
    bar = f"HNSW ef128 >= {SPEEDUP_NEEDED:g}x faster than exact at p95 with R@10 >= {RECALL_NEEDED}"
    if chosen is None:
        lines.append(f"no measured size has {bar}: keep exact search up to the largest size")
    else:
        smallest = " (the smallest size measured)" if chosen == min(r.size for r in rows) else ""
        lines.append(f"recommend exact_search_max ~ {chosen:,}{smallest}: first size with {bar}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10k and 100k only")
    parser.add_argument("--max-size", type=int, default=None, help="skip sizes above this")
    parser.add_argument("--sizes", default=None, help="comma-separated sizes (default 10k,100k,1M)")
    parser.add_argument("--queries", type=int, default=200, help="queries in all (40 are real)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs over every query")
    parser.add_argument("--noise", type=float, default=0.1, help="norm of the added noise")
    parser.add_argument("--build-threads", type=int, default=2)
    parser.add_argument(
        "--exact-only-above", type=int, default=10**12, help="above this size, time exact only"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write every row here (for the chart)")
    args = parser.parse_args(argv)

    import faiss

    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(SIZES)
    if args.quick:
        sizes = [s for s in sizes if s <= 100_000]
    if args.max_size is not None:
        sizes = [s for s in sizes if s <= args.max_size]

    settings = Settings(allow_downloads=False)
    embedder = E5Embedder(settings)
    base, origin = base_vectors(settings, embedder)
    queries = make_queries(base, real_queries(embedder), args.queries, args.seed + 1)
    pairwise = base @ base.T
    print(
        f"base: {len(base)} real product vectors, d={base.shape[1]} ({origin}); "
        f"mean pairwise cosine {pairwise[np.triu_indices(len(base), 1)].mean():.3f}; "
        f"queries: {len(queries)}; faiss {faiss.__version__}; "
        f"search threads 1, build threads {args.build_threads}; repeats {args.repeats}; "
        f"noise {args.noise}; load average {os.getloadavg()[0]:.2f}"
    )
    print(HEADER, flush=True)
    rows: list[Row] = []
    for n in sizes:
        started = time.perf_counter()
        vectors = synthesise(base, n, args.noise, args.seed + n)
        rows += measure_size(n, vectors, queries, args)
        print(
            f"{n:>9,}  (size done in {time.perf_counter() - started:.0f} s, "
            f"load average {os.getloadavg()[0]:.2f})",
            flush=True,
        )
        del vectors
    print("\n".join(recommend(rows)))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
