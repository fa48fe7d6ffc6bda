"""Query latency by stage, warm and cold: where a text or a photo turn spends its time.

Stages (ms, p50 / p95):

- ``parse``: ``QueryParser.parse`` inside ``Searcher.search`` (0 for a photo alone).
- ``embed``: ``Relevance.embed_text`` (text, the e5 query embedding) or
  ``Relevance.embed_photo`` (photo: ``open_photo``, which reads, applies EXIF and
  bounds it, plus ``Searcher.image_model()``, its lazy load on the first photo, and
  ``embed_images``).
- ``vector``: ``Relevance.dense`` (text) or ``Relevance.photo`` (photo). On the demo
  catalog ``dense`` scores the hard-constraint candidates exactly with one numpy
  product, not a FAISS call (FAISS serves past ``EXACT_CANDIDATES``); ``photo`` is a
  FAISS search over every photo plus the best photo per product.
- ``keyword``: BM25 ``KeywordIndex.scores`` (0 for a photo alone).
- ``fuse``: the rest of ``Searcher.search``, its total minus the four stages above:
  hard-constraint masks, soft constraints, rescaling and blending the signals, the
  photo's kind, ranking and building the hits. ``search`` is that total.
- ``facts``: ``Assistant.prepare`` minus the time inside its ``Searcher.search`` calls:
  understanding, the facts (``assistant/facts/``) and the templated draft. Chosen over
  timing the facts functions on the hits because it is what runs before the app shows
  the cards, for every intent (a comparison or a price question never searches).
- ``llm_first`` / ``llm_total``: the local LLM rewording the draft in
  ``Assistant.complete``, timed by ``Timed`` from ``benchmarks.assistant_latency``. Only
  drafts the engine sends to the model count ("we don't carry it" and fixed answers are
  never reworded, a generation past the deadline has no total), so ``n`` may be smaller.

Product code is untouched: the stages are timed inside real calls by wrapping, on this
process's own objects, the searcher's public stages (``searcher.parser.parse``, and
``embed_text``, ``embed_photo``, ``dense``, ``photo`` of ``searcher.relevance``, and
``searcher.keywords.scores``), so the stages of one search add up to its total (a
wrapper costs about a microsecond).

Warm: one warm-up pass, then ``--repeat`` passes of search and prepare over every query
and ``--llm-repeat`` passes with the LLM. Queries rotate, so no turn follows itself:
llama.cpp reuses the KV cache only for the prompt prefix shared with the previous turn,
as in the app (the same prompt twice gives a first token in 30 ms). The text queries
alternate languages, and the system prompt names the language in its first sentence,
so a text turn prefills nearly all its prompt; a photo turn follows a photo turn in
English with an empty question, so it reuses the prompt up to the draft and its first
token comes much sooner warm than cold.
Cold: per kind and ``--cold-runs``, a new process constructs the Searcher and the
Assistant (``load``, with the LLM; reported apart) and runs the first query once:
search, then prepare, then complete. The OS page cache is not dropped: it is a restart
on a machine that has read the files before.

Queries: 3 English and 3 Chinese searches from ``data/demo/dev_queries.jsonl``, then
the first 6 ``QUESTIONS`` of ``assistant_latency`` (comparison, price, reviews, each in
both languages); the first photos of ``dev_photo_queries.jsonl``. A photo search
excludes the query photo by sha256 (leave-one-out, as ``index/evaluation.py`` does), so
it ranks as for a shopper's own photo; ``Assistant.prepare`` has no such option, but
its search is subtracted from ``facts`` anyway. Run:

    .venv/bin/python -m benchmarks.stage_latency [--llm none] [--json stages.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.engine import Assistant
from assistant.llm.base import create_llm
from assistant.settings import AssistantSettings
from assistant.state import Conversation
from benchmarks.assistant_latency import QUESTIONS, Timed
from index import layout
from index.evaluation import read_jsonl
from index.hashing import file_sha256
from index.search import Searcher
from index.settings import DEMO_CATALOG, PROJECT_ROOT, Settings

PARTS = ("parse", "embed", "vector", "keyword")
STAGES = (*PARTS, "fuse", "search", "facts", "llm_first", "llm_total")
KINDS = ("text", "photo")


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    photo: Path | None = None
    sha256: str | None = None

    def search_args(self) -> dict[str, Any]:
        if self.photo is None:
            return {"text": self.text}
        return {"text": self.text or None, "photo": self.photo, "exclude_sha256": self.sha256}

    @property
    def label(self) -> str:
        return self.text or str(self.photo and self.photo.relative_to(DEMO_CATALOG))


def queries(kind: str, photos: int = 4) -> list[Query]:
    """The text queries (6 searches, 6 questions) or the first ``photos`` dev photos."""
    if kind == "photo":
        rows = read_jsonl(DEMO_CATALOG / "dev_photo_queries.jsonl")[:photos]
        paths = [DEMO_CATALOG / row["file"] for row in rows]
        return [Query("", path, file_sha256(path)) for path in paths]
    dev = read_jsonl(DEMO_CATALOG / "dev_queries.jsonl")
    searches = [[q["query"] for q in dev if q["lang"] == lang][:3] for lang in ("en", "zh")]
    mixed = [q for pair in zip(*searches, strict=True) for q in pair]
    return [Query(q) for q in [*mixed, *QUESTIONS[:6]]]


class Clock:
    """Seconds spent in each wrapped call, by stage, since the last ``reset``."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)

    def reset(self) -> None:
        self.spent.clear()

    def wrap(self, owner: object, name: str, stage: str) -> None:
        """Replace ``owner.name``, a public method of one object, by a timed call to it."""
        original: Callable[..., Any] = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent[stage] += time.perf_counter() - start

        setattr(owner, name, timed)


class Bench:
    """A Searcher and an Assistant with their stages timed; one sample per call."""

    def __init__(self, llm: str, llm_model: str) -> None:
        settings = AssistantSettings(
            catalog=DEMO_CATALOG, allow_downloads=False, llm=llm, llm_model=llm_model
        )
        start = time.perf_counter()
        self.searcher = Searcher(settings, progress=False)
        middle = time.perf_counter()
        model = create_llm(settings)
        self.timed = Timed(model) if model else None
        self.assistant = Assistant(settings, searcher=self.searcher, llm=self.timed)
        self.load = {
            "searcher_s": middle - start,
            "assistant_s": time.perf_counter() - middle,
        }
        self.clock = Clock()
        self._instrument()

    def _instrument(self) -> None:
        searcher, clock = self.searcher, self.clock
        clock.wrap(searcher, "search", "search")
        clock.wrap(searcher.parser, "parse", "parse")
        for stage, name in (
            ("embed", "embed_text"),
            ("embed", "embed_photo"),
            ("vector", "dense"),
            ("vector", "photo"),
        ):
            clock.wrap(searcher.relevance, name, stage)
        clock.wrap(searcher.keywords, "scores", "keyword")

    def search(self, query: Query) -> dict[str, float]:
        """Seconds per search stage; ``fuse`` is what the four parts leave of the total."""
        self.clock.reset()
        self.searcher.search(**query.search_args())
        sample = {stage: self.clock.spent.get(stage, 0.0) for stage in PARTS}
        total = self.clock.spent["search"]
        return {**sample, "fuse": total - sum(sample.values()), "search": total}

    def turn(self, query: Query, *, phrase: bool) -> dict[str, float]:
        """Seconds of ``facts`` (prepare minus its searches) and, if phrased, of the LLM."""
        conversation = Conversation()
        self.clock.reset()
        start = time.perf_counter()
        prepared = self.assistant.prepare(query.text, conversation, photo=query.photo)
        sample = {"facts": time.perf_counter() - start - self.clock.spent.get("search", 0.0)}
        if phrase and self.timed is not None:
            firsts, totals = len(self.timed.first), len(self.timed.total)
            self.assistant.complete(prepared, conversation)
            if len(self.timed.first) > firsts:
                sample["llm_first"] = self.timed.first[-1]
            if len(self.timed.total) > totals:
                sample["llm_total"] = self.timed.total[-1]
        return sample


Samples = dict[str, list[float]]


def _add(samples: Samples, sample: dict[str, float]) -> None:
    for stage, seconds in sample.items():
        samples[stage].append(seconds)


def warm(bench: Bench, items: list[Query], repeat: int, llm_repeat: int) -> Samples:
    """Samples after one warm-up pass (the LLM warmed on the first query only).

    The LLM runs in the first ``llm_repeat`` of the ``repeat`` passes of turns.
    """
    for position, query in enumerate(items):
        bench.search(query)
        bench.turn(query, phrase=position == 0)
    samples: Samples = defaultdict(list)
    for _ in range(repeat):
        for query in items:
            _add(samples, bench.search(query))
    for done in range(repeat):
        for query in items:
            _add(samples, bench.turn(query, phrase=done < llm_repeat))
    return samples


def summary(samples: Samples) -> dict[str, dict[str, float]]:
    """``{stage: {p50_ms, p95_ms, n}}`` for the stages that have samples."""
    out = {}
    for stage in STAGES:
        values = np.array(samples.get(stage, [])) * 1000
        if len(values):
            p50, p95 = np.percentile(values, [50, 95])
            out[stage] = {"p50_ms": round(p50, 3), "p95_ms": round(p95, 3), "n": len(values)}
    return out


def cold_child(kind: str, llm: str, llm_model: str) -> None:
    """In a fresh process: load, then the first query of ``kind``; one JSON line out."""
    bench = Bench(llm, llm_model)
    query = queries(kind)[0]
    sample = {**bench.search(query), **bench.turn(query, phrase=True)}
    print(json.dumps({"load": bench.load, "sample": sample}))


def cold(kind: str, args: argparse.Namespace) -> tuple[dict[str, float], dict[str, float]]:
    """(stage seconds, load seconds) of the first query of ``kind`` in a new process."""
    command = [sys.executable, "-m", "benchmarks.stage_latency", "--cold-child", kind]
    command += ["--llm", args.llm, "--llm-model", args.llm_model]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    process_s = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"the cold {kind} process failed:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["sample"], {**report["load"], "process_s": process_s}


def _cell(figures: dict[str, dict[str, float]], stage: str, key: str) -> str:
    value = figures.get(stage, {}).get(key)
    if value is None:
        return f"{'-':>8}"
    return f"{value:8.0f}" if value >= 100 else f"{value:8.2f}"


def print_table(result: dict[str, Any]) -> None:
    header = f"{'ms':<10}" + "".join(f"{k + ' p50':>9}{'p95':>8}{'cold':>8}  " for k in KINDS)
    print(header)
    for stage in STAGES:
        cells = [
            _cell(result[k]["warm"], stage, "p50_ms")
            + _cell(result[k]["warm"], stage, "p95_ms")
            + _cell(result[k]["cold"], stage, "p50_ms")
            for k in KINDS
        ]
        print(f"{stage:<10} " + "   ".join(cells))
    load = result["load"]
    print(
        f"load (Searcher + Assistant): {result['load_s']:.2f} s "
        f"(Searcher {load['searcher_s']:.2f} s, Assistant {load['assistant_s']:.2f} s, "
        f"LLM: {result['setup']['llm']}); "
        f"cold process, start to exit: {load['process_s']:.1f} s"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm", choices=("llama-cpp", "none"), default="llama-cpp")
    parser.add_argument("--llm-model", default="qwen2.5-0.5b")
    parser.add_argument("--repeat", type=int, default=5, help="warm passes of search, facts")
    parser.add_argument("--llm-repeat", type=int, default=2, help="of those, with the LLM")
    parser.add_argument("--photos", type=int, default=4)
    parser.add_argument("--cold-runs", type=int, default=1, help="new processes per kind")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--cold-child", choices=KINDS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cold_runs < 1:
        parser.error("--cold-runs must be at least 1 (the load time comes from those runs)")
    if args.cold_child:
        cold_child(args.cold_child, args.llm, args.llm_model)
        return
    settings = Settings(catalog=DEMO_CATALOG, allow_downloads=False)
    if layout.current(settings.resolved_index_dir()) is None:
        print("no demo index yet: building it (about a minute)", flush=True)
        Searcher(settings)
    result: dict[str, Any] = {}
    loads: Samples = defaultdict(list)
    for kind in KINDS:  # cold first, before this process holds a second model copy
        runs: Samples = defaultdict(list)
        for _ in range(args.cold_runs):
            sample, load = cold(kind, args)
            _add(runs, sample)
            _add(loads, load)
        result[kind] = {"cold": summary(runs)}
    bench = Bench(args.llm, args.llm_model)
    for kind in KINDS:
        items = queries(kind, args.photos)
        result[kind]["queries"] = [q.label for q in items]
        result[kind]["warm"] = summary(warm(bench, items, args.repeat, args.llm_repeat))
    load = {name: round(float(np.median(values)), 3) for name, values in loads.items()}
    result["load_s"] = round(load["searcher_s"] + load["assistant_s"], 3)
    result["load"] = load
    manifest = bench.searcher.manifest["embedders"]
    result["setup"] = {
        "llm": bench.timed.info.describe() if bench.timed else "none",
        "text_embedder": manifest["text"]["name"],
        "image_embedder": manifest["image"]["name"],
        "index": bench.searcher.text_store.kind,
        "cpus": os.cpu_count(),
        "repeat": args.repeat,
        "llm_repeat": min(args.llm_repeat, args.repeat) if bench.timed else 0,
        "cold_runs": args.cold_runs,
        "photo_query_excluded": True,
    }
    print(f"setup: {json.dumps(result['setup'])}")
    print_table(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
