"""Turn latency with the LLM phrasing: time to the model's first token and to a checked answer.

The baseline in the same run is the same turn with templated answers only (``llm=none``:
understanding, retrieval, facts and the check, no model), so the LLM's cost reads as a
ratio. The model's first token is timed inside the engine's call to ``stream``; the
shopper sees the answer only once it is complete and checked. Run:

    .venv/bin/python -m benchmarks.assistant_latency [--llm-model qwen2.5-0.5b] [--repeat 2]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator

import numpy as np

from assistant.engine import Assistant
from assistant.llm.base import LLM, LLMInfo, create_llm
from assistant.settings import AssistantSettings
from assistant.state import Conversation
from index.search import Searcher
from index.settings import DEMO_CATALOG

QUESTIONS = (
    "Which is cheaper, the Joust Duffle Bag or the Fusion Backpack, and by how much?",
    "Joust Duffle Bag 和 Fusion Backpack 哪个更便宜？便宜多少？",
    "How much is the Driven Backpack?",
    "Driven Backpack 多少钱？",
    "What do reviewers say about the Josie Yoga Jacket?",
    "Josie Yoga Jacket 的评价怎么样？",
    "women's jackets under $60",
    "男士短裤，预算40美元以内",
    "what goes with the Fusion Backpack?",
    "Does the Josie Yoga Jacket come in blue?",
)


class Timed:
    """Wraps an LLM and records when its first piece and its last piece arrived."""

    def __init__(self, llm: LLM) -> None:
        self.llm = llm
        self.info: LLMInfo = llm.info
        self.first: list[float] = []
        self.total: list[float] = []

    def stream(
        self, messages: list[dict[str, str]], *, max_tokens: int, deadline: float
    ) -> Iterator[str]:
        start = time.perf_counter()
        for index, piece in enumerate(
            self.llm.stream(messages, max_tokens=max_tokens, deadline=deadline)
        ):
            if index == 0:
                self.first.append(time.perf_counter() - start)
            yield piece
        self.total.append(time.perf_counter() - start)


def _turns(assistant: Assistant, repeat: int) -> tuple[np.ndarray, list[str]]:
    seconds, sources = [], []
    for _ in range(repeat):
        for question in QUESTIONS:
            start = time.perf_counter()
            result = assistant.ask(question, Conversation())
            seconds.append(time.perf_counter() - start)
            sources.append(result.source)
    return np.array(seconds), sources


def _row(label: str, values: np.ndarray) -> str:
    p50, p95 = np.percentile(values, [50, 95])
    return f"{label:<38} {p50:8.3f} {p95:8.3f} {values.max():8.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm-model", default="qwen2.5-0.5b")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    settings = AssistantSettings(
        catalog=DEMO_CATALOG, allow_downloads=False, llm_model=args.llm_model
    )
    searcher = Searcher(settings, progress=False)
    llm = create_llm(settings)
    if llm is None:
        raise SystemExit("this benchmark needs an LLM backend (SHOP_LLM is 'none')")
    timed = Timed(llm)
    templated = Assistant(settings.model_copy(update={"llm": "none"}), searcher=searcher)
    phrased = Assistant(settings, searcher=searcher, llm=timed)
    _turns(templated, 1)  # warm-up: embedder, index, model
    _turns(phrased, 1)
    timed.first.clear()
    timed.total.clear()
    base, _ = _turns(templated, args.repeat)
    turns, sources = _turns(phrased, args.repeat)
    print(f"LLM: {llm.info.describe()}; {len(turns)} turns ({len(QUESTIONS)} questions)")
    print(f"{'seconds':<38} {'p50':>8} {'p95':>8} {'max':>8}")
    print(_row("baseline: templated turn (llm=none)", base))
    print(_row("LLM first token", np.array(timed.first)))
    print(_row("LLM whole answer", np.array(timed.total)))
    print(_row("turn with LLM phrasing (checked)", turns))
    ratio = np.median(turns) / np.median(base)
    llm_share = sources.count("llm") / len(sources)
    print(f"median turn with LLM / templated: {ratio:.1f}x")
    print(f"answers phrased by the LLM: {llm_share:.0%} (the rest: template fallback or fixed)")


if __name__ == "__main__":
    main()
