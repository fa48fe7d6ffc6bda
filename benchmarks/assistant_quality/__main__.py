"""Answer quality of the turn engine on questions generated from the catalog.

The command: generate the questions, ask each through ``Assistant``, print the report
and optionally write every outcome as JSON. See the package docstring for the checks.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from assistant.engine import Assistant
from index.cli import add_common_options, settings_from_args

from .outcome import run
from .questions import PER_KIND, generate
from .report import report
from .shop import Shop


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark with command-line options; 0 once the report is printed."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.assistant_quality", description=__doc__.split("\n", 1)[0]
    )
    add_common_options(parser)  # its --verbose here also lists every failed question
    parser.add_argument("--llm", default="none", help="none (default) | llama-cpp | openai")
    parser.add_argument("--llm-model", help="qwen2.5-0.5b | smollm2-135m | path.gguf | name")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--limit",
        type=int,
        default=PER_KIND,
        help=f"questions per kind and language (at most {PER_KIND})",
    )
    parser.add_argument("--json", type=Path, help="write every question and outcome here")
    args = parser.parse_args(argv)
    # Engine warnings (a template failing its own check) are counted in the report instead.
    logging.basicConfig(level=logging.ERROR)
    settings = settings_from_args(args)
    shop = Shop.load(settings.catalog)
    # The first --limit of the full set, so that a smaller run asks the same questions.
    questions = [q for q in generate(shop, args.seed) if q.number < args.limit]
    assistant = Assistant(settings)
    print(
        f"{len(questions)} questions on {settings.catalog} ({len(shop.all_rows)} products), "
        f"seed {args.seed}; {assistant.status()}"
    )
    for notice in assistant.notices:
        print(f"note: {notice}")
    outcomes = [run(assistant, shop, q) for q in questions]
    report(outcomes, assistant.llm is not None, args.verbose)
    if args.json:
        records = [{**asdict(o), "ok": o.ok} for o in outcomes]
        args.json.write_text(json.dumps(records, ensure_ascii=False, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
