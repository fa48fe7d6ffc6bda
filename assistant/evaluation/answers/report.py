"""Print the judged outcomes: accuracy per kind × language, then what failed and why."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from .outcome import Outcome
from .questions import KINDS, LANGS


def report(outcomes: Sequence[Outcome], llm: bool, verbose: bool) -> None:
    """The table and its summary lines; ``llm`` adds who phrased, ``verbose`` every failure."""
    print(f"{'kind':<20} {'en':>12} {'zh':>12} {'all':>12}")
    for kind in [*KINDS, "total"]:
        chosen = [o for o in outcomes if kind in ("total", o.question.kind)]
        cells = [
            _cell([o for o in chosen if lang in ("all", o.question.lang)])
            for lang in (*LANGS, "all")
        ]
        print(f"{kind:<20} {' '.join(cells)}")
    wrong_currency = sum(p.startswith("currency") for o in outcomes for p in o.problems)
    invented = sum(len(o.invented) for o in outcomes)
    print(
        f"amounts the catalog does not support (invented prices): {invented} in "
        f"{len(outcomes)} answers; "
        f"amounts in another currency: {wrong_currency}"
    )
    ungrounded = sum(not o.grounded for o in outcomes)
    print(f"answers failing the engine's own grounding check: {ungrounded}")
    seconds = sum(o.seconds for o in outcomes) / max(len(outcomes), 1)
    print(f"mean time per turn: {seconds:.2f} s")
    if llm:
        by_llm = sum(o.source == "llm" for o in outcomes)
        print(
            f"phrased by the LLM: {by_llm}/{len(outcomes)} "
            f"({100 * by_llm / max(len(outcomes), 1):.0f}%), template: {len(outcomes) - by_llm}"
        )
        reasons = Counter(o.reason.split(":")[0] for o in outcomes if o.source != "llm")
        print("template because: " + ", ".join(f"{r or '?'} {n}" for r, n in reasons.most_common()))
    checks = Counter(p.split(":")[0] for o in outcomes for p in o.problems)
    if checks:
        print("failed checks: " + ", ".join(f"{c} {n}" for c, n in checks.most_common()))
    if verbose:
        for o in outcomes:
            if not o.ok:
                print(_failure(o))


def summary(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The report's figures as one JSON-ready object, outcomes included."""

    def tally(chosen: Sequence[Outcome]) -> dict[str, Any]:
        right = sum(o.ok for o in chosen)
        return {"right": right, "asked": len(chosen), "accuracy": right / max(len(chosen), 1)}

    by_kind = {
        kind: {
            lang: tally(
                [
                    o
                    for o in outcomes
                    if o.question.kind == kind and lang in ("all", o.question.lang)
                ]
            )
            for lang in (*LANGS, "all")
        }
        for kind in KINDS
    }
    return {
        **tally(outcomes),
        "by_language": {
            lang: tally([o for o in outcomes if o.question.lang == lang]) for lang in LANGS
        },
        "by_kind": by_kind,
        "unsupported_amounts": sum(len(o.invented) for o in outcomes),
        "wrong_currency": sum(p.startswith("currency") for o in outcomes for p in o.problems),
        "ungrounded": sum(not o.grounded for o in outcomes),
        "worded_by_llm": sum(o.source == "llm" for o in outcomes),
        "outcomes": [{**asdict(o), "ok": o.ok} for o in outcomes],
    }


def _cell(outcomes: Sequence[Outcome]) -> str:
    """ "right/asked percent", or a dash where nothing was asked."""
    if not outcomes:
        return f"{'-':>12}"
    right = sum(o.ok for o in outcomes)
    return f"{right:>3}/{len(outcomes):<3} {100 * right / len(outcomes):3.0f}%"


def _failure(o: Outcome) -> str:
    q = o.question
    expected = json.dumps(q.expect, ensure_ascii=False, default=str)
    shown = f"  first turn showed {o.first_products}\n" if o.first_products else ""
    return (
        f"\n{q.qid}: {' → '.join(q.turns)}\n  expected {expected}\n{shown}"
        f"  got [{o.intent}, {o.source}] {o.answer}\n  products {o.products}\n"
        f"  problems {'; '.join(o.problems)}"
    )
